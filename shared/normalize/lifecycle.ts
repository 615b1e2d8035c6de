import type { NormalizedLifecycle, OrganizationalUnitRef } from "../change.ts";
import type { CanonicalChanges } from "../events/canonical.ts";

/** What a delete request does: DisableUser (default) or DeleteUser (DELETE_MEANS=delete). */
export type DeleteMeans = "disable" | "delete";

/** The status and OU changes of an event, or undefined when it has none. Values are taken as the schema left them. */
export function normalizeLifecycle(
  changes: CanonicalChanges,
  deleteMeans: DeleteMeans,
): NormalizedLifecycle | undefined {
  const lifecycle: NormalizedLifecycle = {};
  if (changes.status === "deleted") {
    if (deleteMeans === "delete") lifecycle.delete = true;
    else lifecycle.status = "disabled";
  } else if (changes.status !== undefined) {
    lifecycle.status = changes.status;
  }
  if (changes.primaryOrganizationalUnit !== undefined) {
    lifecycle.primaryOrganizationalUnit = copyRef(changes.primaryOrganizationalUnit);
  }
  if (changes.organizationalUnits !== undefined) {
    lifecycle.organizationalUnits = {
      add: unique(changes.organizationalUnits.add ?? []),
      remove: unique(changes.organizationalUnits.remove ?? []),
    };
  }
  return Object.keys(lifecycle).length > 0 ? lifecycle : undefined;
}

function copyRef(ref: OrganizationalUnitRef): OrganizationalUnitRef {
  if ("id" in ref) return { id: ref.id };
  if ("externalId" in ref) return { externalId: ref.externalId };
  return { name: ref.name };
}

function unique(refs: readonly OrganizationalUnitRef[]): OrganizationalUnitRef[] {
  const seen = new Map<string, OrganizationalUnitRef>();
  for (const ref of refs) {
    const copy = copyRef(ref);
    seen.set(JSON.stringify(copy), copy);
  }
  return [...seen.values()];
}
