import { createUser } from "./action-create-user.ts";
import { getUser } from "./action-get-user.ts";
import { listOrganizationalUnits } from "./action-list-organizational-units.ts";
import { listUsers } from "./action-list-users.ts";
import { updateUser } from "./action-update-user.ts";
import {
  addUserToOrganizationalUnits,
  removeUserFromOrganizationalUnits,
  setUserPrimaryOrganizationalUnit,
} from "./action-user-ous.ts";
import { deleteUser, disableUser, enableUser } from "./action-user-status.ts";
import { ApiError } from "./errors.ts";
import { type ParamObject, unflattenParams } from "./params.ts";
import type { EmulatorState } from "./state.ts";

export const API_VERSION = "2021-12-01";

type ActionHandler = (params: ParamObject, state: EmulatorState) => Record<string, unknown>;

const HANDLERS: Readonly<Record<string, ActionHandler>> = {
  AddUserToOrganizationalUnits: addUserToOrganizationalUnits,
  CreateUser: createUser,
  DeleteUser: deleteUser,
  DisableUser: disableUser,
  EnableUser: enableUser,
  GetUser: getUser,
  ListOrganizationalUnits: listOrganizationalUnits,
  ListUsers: listUsers,
  RemoveUserFromOrganizationalUnits: removeUserFromOrganizationalUnits,
  SetUserPrimaryOrganizationalUnit: setUserPrimaryOrganizationalUnit,
  UpdateUser: updateUser,
};

export const SUPPORTED_ACTIONS = Object.keys(HANDLERS);

/** Checks action and version, then runs the handler. Returns the response body without RequestId. */
export function runAction(
  action: string,
  version: string,
  flatParams: Readonly<Record<string, string>>,
  state: EmulatorState,
): Record<string, unknown> {
  if (version !== API_VERSION) {
    throw new ApiError(
      400,
      "InvalidVersion",
      `Specified parameter Version "${version}" is not valid: use ${API_VERSION}.`,
    );
  }
  const handler = Object.hasOwn(HANDLERS, action) ? HANDLERS[action] : undefined;
  if (!handler) {
    throw new ApiError(
      404,
      "InvalidAction.NotFound",
      `Specified api "${action}" is not found, please check your url and method (supported: ${SUPPORTED_ACTIONS.join(", ")}).`,
    );
  }
  return handler(unflattenParams(flatParams), state);
}
