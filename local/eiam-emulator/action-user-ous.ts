import { ApiError } from "./errors.ts";
import { findUserOrThrow, requireInstance } from "./lookups.ts";
import { readOrganizationalUnitIds, requireOrganizationalUnit } from "./ou-params.ts";
import { requireString } from "./param-readers.ts";
import type { ParamObject } from "./params.ts";
import type { EmulatorState } from "./state.ts";
import type { EmulatorUser } from "./users.ts";

function save(state: EmulatorState, current: EmulatorUser, next: EmulatorUser): void {
  if (JSON.stringify(next) === JSON.stringify(current)) return;
  state.directory.put({ ...next, updateTime: Math.max(state.now(), current.updateTime + 1) });
}

/** SetUserPrimaryOrganizationalUnit → `{RequestId}`. The new primary OU joins the memberships; the old one stays a member. */
export function setUserPrimaryOrganizationalUnit(
  params: ParamObject,
  state: EmulatorState,
): Record<string, unknown> {
  const instanceId = requireInstance(params, state);
  const userId = requireString(params, "UserId");
  const ou = requireOrganizationalUnit(state, instanceId, "OrganizationalUnitId", params);
  const user = findUserOrThrow(state, instanceId, userId);
  const organizationalUnitIds = user.organizationalUnitIds.includes(ou)
    ? user.organizationalUnitIds
    : [...user.organizationalUnitIds, ou];
  save(state, user, { ...user, primaryOrganizationalUnitId: ou, organizationalUnitIds });
  return {};
}

/** AddUserToOrganizationalUnits → `{RequestId}`; an OU the user is already in is left as it is. */
export function addUserToOrganizationalUnits(
  params: ParamObject,
  state: EmulatorState,
): Record<string, unknown> {
  const instanceId = requireInstance(params, state);
  const userId = requireString(params, "UserId");
  const ids = readOrganizationalUnitIds(params, state, instanceId, true) ?? [];
  const user = findUserOrThrow(state, instanceId, userId);
  const organizationalUnitIds = [...new Set([...user.organizationalUnitIds, ...ids])];
  save(state, user, { ...user, organizationalUnitIds });
  return {};
}

/**
 * RemoveUserFromOrganizationalUnits → `{RequestId}`; an OU the user is not in is ignored. Removing the primary OU
 * is refused (UNCONFIRMED): the user must first be given another primary OU.
 */
export function removeUserFromOrganizationalUnits(
  params: ParamObject,
  state: EmulatorState,
): Record<string, unknown> {
  const instanceId = requireInstance(params, state);
  const userId = requireString(params, "UserId");
  const ids = readOrganizationalUnitIds(params, state, instanceId, true) ?? [];
  const user = findUserOrThrow(state, instanceId, userId);
  if (ids.includes(user.primaryOrganizationalUnitId)) {
    throw new ApiError(
      400,
      "OperationDenied.PrimaryOrganizationalUnit",
      `The organizational unit "${user.primaryOrganizationalUnitId}" is the user's primary organizational unit; set another primary organizational unit first.`,
    );
  }
  const organizationalUnitIds = user.organizationalUnitIds.filter((id) => !ids.includes(id));
  save(state, user, { ...user, organizationalUnitIds });
  return {};
}
