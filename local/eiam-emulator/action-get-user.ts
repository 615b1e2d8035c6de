import { findUserOrThrow, requireInstance } from "./lookups.ts";
import { requireString } from "./param-readers.ts";
import type { ParamObject } from "./params.ts";
import type { EmulatorState } from "./state.ts";
import { userDetailView } from "./user-views.ts";

export function getUser(params: ParamObject, state: EmulatorState): Record<string, unknown> {
  const instanceId = requireInstance(params, state);
  const userId = requireString(params, "UserId");
  const user = findUserOrThrow(state, instanceId, userId);
  const ouName = (id: string) => state.organizationalUnits.get(instanceId, id)?.name ?? id;
  return { User: userDetailView(user, ouName) };
}
