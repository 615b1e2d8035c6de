import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./action-list-users.ts";
import { invalidParameter } from "./errors.ts";
import { requireInstance } from "./lookups.ts";
import type { EmulatorOrganizationalUnit } from "./organizational-units.ts";
import { MAX_OU_IDS } from "./ou-params.ts";
import { readInteger, readString, readStringList } from "./param-readers.ts";
import type { ParamObject } from "./params.ts";
import type { EmulatorState } from "./state.ts";

type Filter = (unit: EmulatorOrganizationalUnit) => boolean;

function readFilters(params: ParamObject): Filter[] {
  const filters: Filter[] = [];
  const name = readString(params, "OrganizationalUnitName");
  if (name !== undefined && name !== "") filters.push((unit) => unit.name === name);
  const prefix = readString(params, "OrganizationalUnitNameStartsWith");
  if (prefix !== undefined && prefix !== "") filters.push((unit) => unit.name.startsWith(prefix));
  const parentId = readString(params, "ParentId");
  if (parentId !== undefined && parentId !== "") filters.push((unit) => unit.parentId === parentId);
  const ids = readStringList(params, "OrganizationalUnitIds");
  if (ids !== undefined) {
    if (ids.length > MAX_OU_IDS) {
      throw invalidParameter(
        "OrganizationalUnitIds",
        `OrganizationalUnitIds may name at most ${MAX_OU_IDS} organizational units.`,
      );
    }
    const wanted = new Set(ids);
    filters.push((unit) => wanted.has(unit.organizationalUnitId));
  }
  return filters;
}

/** ListOrganizationalUnits → `{RequestId, TotalCount, OrganizationalUnits}`, in creation order, page paging. */
export function listOrganizationalUnits(params: ParamObject, state: EmulatorState): Record<string, unknown> {
  const instanceId = requireInstance(params, state);
  const filters = readFilters(params);
  const pageNumber = readInteger(params, "PageNumber", 1, Number.MAX_SAFE_INTEGER) ?? 1;
  const pageSize = readInteger(params, "PageSize", 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE;
  const matching = state.organizationalUnits
    .list()
    .filter((unit) => unit.instanceId === instanceId && filters.every((filter) => filter(unit)));
  const start = (pageNumber - 1) * pageSize;
  return {
    TotalCount: matching.length,
    OrganizationalUnits: matching.slice(start, start + pageSize).map((unit) => ({
      OrganizationalUnitId: unit.organizationalUnitId,
      OrganizationalUnitName: unit.name,
      OrganizationalUnitExternalId: unit.externalId,
      ...(unit.parentId !== undefined ? { ParentId: unit.parentId } : {}),
      Leaf: state.organizationalUnits.isLeaf(unit.organizationalUnitId),
      OrganizationalUnitSourceType: "build_in",
      OrganizationalUnitSourceId: instanceId,
      InstanceId: instanceId,
      CreateTime: unit.createTime,
      UpdateTime: unit.createTime,
    })),
  };
}
