/**
 * A leaver is never held back by an unrelated problem: an event that disables or deletes a user but carries an
 * invalid field (a bad phone, an unknown custom field…) is applied without the fields that broke a rule, and those
 * are dead-lettered on their own (rejected-part.ts). Only `changes.*` problems outside `changes.status` qualify:
 * a bad id, time or user key still rejects the whole event.
 */
import type { NormalizedChange, Problem } from "../change.ts";
import { parseCanonicalEvent } from "../events/parse.ts";
import { type NormalizeOptions, normalizeChange } from "../normalize/index.ts";

const LEAVER_STATUSES: ReadonlySet<unknown> = new Set(["disabled", "deleted"]);
/** A flag goes with the value it qualifies. */
const COMPANIONS: Readonly<Record<string, string>> = { email: "emailVerified", phone: "phoneVerified" };

function changeKeyOf(problem: Problem): string | undefined {
  const [head, key] = problem.path.split(".");
  return head === "changes" && key !== undefined && key !== "status" ? key : undefined;
}

export function salvageLeaver(
  candidate: unknown,
  problems: readonly Problem[],
  options: NormalizeOptions,
): { change: NormalizedChange; rejected: Problem[] } | undefined {
  if (typeof candidate !== "object" || candidate === null || Array.isArray(candidate)) return undefined;
  const changes = (candidate as { changes?: unknown }).changes;
  if (typeof changes !== "object" || changes === null || Array.isArray(changes)) return undefined;
  if (!LEAVER_STATUSES.has((changes as { status?: unknown }).status)) return undefined;
  const drop = new Set<string>();
  for (const problem of problems) {
    const key = changeKeyOf(problem);
    if (key === undefined) return undefined;
    drop.add(key);
    const companion = COMPANIONS[key];
    if (companion !== undefined) drop.add(companion);
  }
  const kept = Object.fromEntries(Object.entries(changes).filter(([key]) => !drop.has(key)));
  const parsed = parseCanonicalEvent({ ...candidate, changes: kept });
  if (!parsed.ok) return undefined;
  const normalized = normalizeChange(parsed.event, options);
  if (!normalized.ok) return undefined;
  return { change: normalized.change, rejected: [...problems] };
}
