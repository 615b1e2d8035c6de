/**
 * Turns an organizational-unit reference into an EIAM OU id. `id` is taken as given; `name` is looked up with
 * ListOrganizationalUnits' exact `OrganizationalUnitName` filter; `externalId` has no filter in the API, so the
 * OUs are paged through and matched on our side. Exactly one match is required. Answers are cached for a while,
 * like user lookups.
 */
import type { OrganizationalUnitRef } from "../change.ts";
import type { EiamOrganizationalUnit, ListOrganizationalUnitsFilter } from "../eiam/types.ts";

export class OrganizationalUnitResolutionError extends Error {
  constructor(
    readonly code: "OrganizationalUnitNotFound" | "AmbiguousOrganizationalUnit",
    message: string,
  ) {
    super(message);
  }
}

export type ListOrganizationalUnitsFn = (
  filter: ListOrganizationalUnitsFilter,
  page: { pageNumber: number; pageSize: number },
  deadlineMs: number,
) => Promise<{ totalCount: number; organizationalUnits: EiamOrganizationalUnit[] }>;

const PAGE_SIZE = 100;
/** Beyond this many pages (2,000 OUs) an external id is not searched further. */
const MAX_PAGES = 20;

/** `name "Sales"`, `externalId "dept-7"`: how a reference is named in errors. */
export function describeOrganizationalUnitRef(ref: OrganizationalUnitRef): string {
  if ("id" in ref) return `id ${JSON.stringify(ref.id)}`;
  if ("name" in ref) return `name ${JSON.stringify(ref.name)}`;
  return `externalId ${JSON.stringify(ref.externalId)}`;
}

export class OrganizationalUnitResolver {
  private readonly cache = new Map<string, { id: string; expiresAt: number }>();

  constructor(
    private readonly list: ListOrganizationalUnitsFn,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  async resolve(ref: OrganizationalUnitRef, deadlineMs = Number.POSITIVE_INFINITY): Promise<string> {
    if ("id" in ref) return ref.id;
    const cacheKey = JSON.stringify(ref);
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined && cached.expiresAt > this.now()) return cached.id;

    const filter: ListOrganizationalUnitsFilter = "name" in ref ? { OrganizationalUnitName: ref.name } : {};
    const matches = (ou: EiamOrganizationalUnit): boolean =>
      "name" in ref
        ? ou.OrganizationalUnitName === ref.name
        : ou.OrganizationalUnitExternalId === ref.externalId;
    const found: string[] = [];
    for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber++) {
      const page = await this.list(filter, { pageNumber, pageSize: PAGE_SIZE }, deadlineMs);
      for (const ou of page.organizationalUnits) if (matches(ou)) found.push(ou.OrganizationalUnitId);
      if (found.length > 1) break;
      if (page.organizationalUnits.length < PAGE_SIZE || pageNumber * PAGE_SIZE >= page.totalCount) break;
    }
    const described = describeOrganizationalUnitRef(ref);
    if (found.length === 0) {
      throw new OrganizationalUnitResolutionError(
        "OrganizationalUnitNotFound",
        `no EIAM organizational unit has the ${described}`,
      );
    }
    if (found.length > 1) {
      throw new OrganizationalUnitResolutionError(
        "AmbiguousOrganizationalUnit",
        `${found.length} EIAM organizational units have the ${described}; use its id or externalId`,
      );
    }
    const id = found[0]!;
    if (this.ttlMs > 0) {
      if (this.cache.size >= this.maxEntries) this.cache.clear();
      this.cache.set(cacheKey, { id, expiresAt: this.now() + this.ttlMs });
    }
    return id;
  }
}
