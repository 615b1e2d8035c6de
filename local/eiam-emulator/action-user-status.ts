import { findUserOrThrow, requireInstance } from "./lookups.ts";
import { requireString } from "./param-readers.ts";
import type { ParamObject } from "./params.ts";
import type { EmulatorState } from "./state.ts";
import type { UserStatus } from "./users.ts";

function setStatus(params: ParamObject, state: EmulatorState, status: UserStatus): Record<string, unknown> {
  const instanceId = requireInstance(params, state);
  const userId = requireString(params, "UserId");
  const user = findUserOrThrow(state, instanceId, userId);
  // Already in that state: answered as a success without a change (documented for DisableUser).
  if (user.status !== status) {
    state.directory.put({ ...user, status, updateTime: Math.max(state.now(), user.updateTime + 1) });
  }
  return {};
}

/** EnableUser → `{RequestId}`. */
export function enableUser(params: ParamObject, state: EmulatorState): Record<string, unknown> {
  return setStatus(params, state, "enabled");
}

/** DisableUser → `{RequestId}`; a disabled user is answered with success. */
export function disableUser(params: ParamObject, state: EmulatorState): Record<string, unknown> {
  return setStatus(params, state, "disabled");
}

/** DeleteUser → `{RequestId}`: the user and everything about it is gone. */
export function deleteUser(params: ParamObject, state: EmulatorState): Record<string, unknown> {
  const instanceId = requireInstance(params, state);
  const userId = requireString(params, "UserId");
  findUserOrThrow(state, instanceId, userId);
  state.directory.delete(userId);
  return {};
}
