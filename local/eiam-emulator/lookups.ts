import { ApiError } from "./errors.ts";
import { requireString } from "./param-readers.ts";
import type { ParamObject } from "./params.ts";
import type { EmulatorState } from "./state.ts";
import type { EmulatorUser } from "./users.ts";

/** Reads the required InstanceId and checks the instance exists. */
export function requireInstance(params: ParamObject, state: EmulatorState): string {
  const instanceId = requireString(params, "InstanceId");
  if (!state.hasInstance(instanceId)) {
    throw new ApiError(
      404,
      "EntityNotExists.Instance",
      `The specified instance "${instanceId}" does not exist.`,
    );
  }
  return instanceId;
}

/** The user must exist in the given instance. */
export function findUserOrThrow(state: EmulatorState, instanceId: string, userId: string): EmulatorUser {
  const user = state.directory.get(userId);
  if (!user || user.instanceId !== instanceId) {
    throw new ApiError(404, "EntityNotExists.User", `The specified user "${userId}" does not exist.`);
  }
  return user;
}
