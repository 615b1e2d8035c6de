import { ApiError, invalidParameter, missingParameter } from "./errors.ts";
import { readStringList, requireString } from "./param-readers.ts";
import type { ParamObject } from "./params.ts";
import type { EmulatorState } from "./state.ts";

/** AddUserToOrganizationalUnits, RemoveUserFromOrganizationalUnits and ListOrganizationalUnits take at most this many ids. */
export const MAX_OU_IDS = 100;

export function organizationalUnitNotFound(id: string): ApiError {
  return new ApiError(
    404,
    "EntityNotExists.OrganizationalUnit",
    `The specified organizational unit "${id}" does not exist.`,
  );
}

/** The OU must exist in the instance. */
export function requireOrganizationalUnit(
  state: EmulatorState,
  instanceId: string,
  name: string,
  params: ParamObject,
): string {
  const id = requireString(params, name);
  if (state.organizationalUnits.get(instanceId, id) === undefined) throw organizationalUnitNotFound(id);
  return id;
}

/** `OrganizationalUnitIds.N`: 1 to 100 ids, each of an existing OU; duplicates collapse. */
export function readOrganizationalUnitIds(
  params: ParamObject,
  state: EmulatorState,
  instanceId: string,
  required: boolean,
): string[] | undefined {
  const ids = readStringList(params, "OrganizationalUnitIds");
  if (ids === undefined || ids.length === 0) {
    if (required) throw missingParameter("OrganizationalUnitIds");
    return undefined;
  }
  if (ids.length > MAX_OU_IDS) {
    throw invalidParameter(
      "OrganizationalUnitIds",
      `OrganizationalUnitIds may name at most ${MAX_OU_IDS} organizational units; got ${ids.length}.`,
    );
  }
  ids.forEach((id, index) => {
    if (id === "")
      throw invalidParameter("OrganizationalUnitIds", `OrganizationalUnitIds.${index + 1} is empty.`);
    if (state.organizationalUnits.get(instanceId, id) === undefined) throw organizationalUnitNotFound(id);
  });
  return [...new Set(ids)];
}
