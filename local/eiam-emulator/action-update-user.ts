import { readContactParams } from "./contact-params.ts";
import { applyCustomFieldChanges, readCustomFieldChanges } from "./custom-field-changes.ts";
import { findUserOrThrow, requireInstance } from "./lookups.ts";
import { readString, requireString } from "./param-readers.ts";
import type { ParamObject } from "./params.ts";
import type { EmulatorState } from "./state.ts";
import { assertUnique } from "./uniqueness.ts";
import { checkDisplayName, checkUsername } from "./user-rules.ts";
import type { EmulatorUser } from "./users.ts";

/**
 * UpdateUser: patch semantics (fields not sent stay as they are), all-or-nothing (everything is
 * validated before anything changes). Answers only a RequestId.
 */
export function updateUser(params: ParamObject, state: EmulatorState): Record<string, unknown> {
  const instanceId = requireInstance(params, state);
  const userId = requireString(params, "UserId");

  const username = readString(params, "Username");
  if (username !== undefined) checkUsername(username);
  const displayName = readString(params, "DisplayName");
  if (displayName !== undefined) checkDisplayName(displayName);
  const contact = readContactParams(params);
  const fieldChanges = readCustomFieldChanges(params, state.customFields, "update");

  const current = findUserOrThrow(state, instanceId, userId);
  const next: EmulatorUser = {
    ...current,
    ...(username !== undefined ? { username } : {}),
    ...(displayName !== undefined ? { displayName } : {}),
    ...contact,
    customFields: applyCustomFieldChanges(current.customFields, fieldChanges),
  };

  const phoneChanged = contact.phoneNumber !== undefined || contact.phoneRegion !== undefined;
  assertUnique(state.directory, instanceId, userId, {
    ...(username !== undefined ? { username } : {}),
    ...(contact.email !== undefined ? { email: contact.email } : {}),
    ...(phoneChanged && next.phoneRegion !== undefined && next.phoneNumber !== undefined
      ? { phone: { region: next.phoneRegion, number: next.phoneNumber } }
      : {}),
  });

  if (JSON.stringify(next) !== JSON.stringify(current)) {
    state.directory.put({ ...next, updateTime: Math.max(state.now(), current.updateTime + 1) });
  }
  return {};
}
