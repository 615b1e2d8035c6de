import { readContactParams } from "./contact-params.ts";
import { applyCustomFieldChanges, readCustomFieldChanges } from "./custom-field-changes.ts";
import { invalidParameter } from "./errors.ts";
import { requireInstance } from "./lookups.ts";
import { readOrganizationalUnitIds, requireOrganizationalUnit } from "./ou-params.ts";
import { readString, requireString } from "./param-readers.ts";
import type { ParamObject } from "./params.ts";
import type { EmulatorState } from "./state.ts";
import { assertUnique } from "./uniqueness.ts";
import { checkDescription, checkDisplayName, checkUserExternalId, checkUsername } from "./user-rules.ts";
import { type EmulatorUser, newEntityId } from "./users.ts";

/** CreateUser → `{UserId}`. A repeated ClientToken answers the user it created the first time. */
export function createUser(params: ParamObject, state: EmulatorState): Record<string, unknown> {
  const instanceId = requireInstance(params, state);
  const username = requireString(params, "Username");
  checkUsername(username);
  const displayName = readString(params, "DisplayName");
  if (displayName !== undefined) checkDisplayName(displayName);
  const description = readString(params, "Description");
  if (description !== undefined) checkDescription(description);
  const userExternalId = readString(params, "UserExternalId");
  if (userExternalId !== undefined) checkUserExternalId(userExternalId);
  const password = readString(params, "Password");
  const contact = readContactParams(params);
  const fieldChanges = readCustomFieldChanges(params, state.customFields, "create");

  const clientToken = readString(params, "ClientToken");
  if (clientToken !== undefined && (clientToken.length > 64 || !/^[\x20-\x7e]+$/.test(clientToken))) {
    throw invalidParameter("ClientToken", "ClientToken must be 1 to 64 printable ASCII characters.");
  }
  const tokenKey = clientToken === undefined ? undefined : `${instanceId}\n${clientToken}`;
  const earlier = tokenKey === undefined ? undefined : state.clientTokens.get(tokenKey);
  if (earlier !== undefined && state.directory.has(earlier)) return { UserId: earlier };

  // Required by the SDK model (CreateUserRequest.ts); checked after the ClientToken so a retry answers as before.
  const primaryOu = requireOrganizationalUnit(state, instanceId, "PrimaryOrganizationalUnitId", params);
  const otherOus = readOrganizationalUnitIds(params, state, instanceId, false) ?? [];

  const userId = newEntityId("user_");
  const externalId = userExternalId ?? userId;
  assertUnique(state.directory, instanceId, undefined, {
    username,
    ...(contact.email !== undefined ? { email: contact.email } : {}),
    ...(contact.phoneRegion !== undefined && contact.phoneNumber !== undefined
      ? { phone: { region: contact.phoneRegion, number: contact.phoneNumber } }
      : {}),
    externalId: { sourceType: "build_in", sourceId: instanceId, externalId },
  });

  const now = state.now();
  const user: EmulatorUser = {
    userId,
    instanceId,
    username,
    ...(displayName !== undefined ? { displayName } : {}),
    ...(description !== undefined ? { description } : {}),
    emailVerified: false,
    phoneNumberVerified: false,
    ...contact,
    passwordSet: password !== undefined && password !== "",
    status: "enabled",
    userExternalId: externalId,
    userSourceType: "build_in",
    userSourceId: instanceId,
    primaryOrganizationalUnitId: primaryOu,
    organizationalUnitIds: [...new Set([primaryOu, ...otherOus])],
    createTime: now,
    updateTime: now,
    registerTime: now,
    passwordExpireTime: -1,
    customFields: applyCustomFieldChanges({}, fieldChanges),
  };
  state.directory.put(user);
  if (tokenKey !== undefined) state.clientTokens.set(tokenKey, userId);
  return { UserId: userId };
}
