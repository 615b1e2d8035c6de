/**
 * Rules that involve several fields of the canonical event. The zod schema reports them while parsing and
 * `normalizeChange` re-applies them, so hand-built events get the same answers.
 */
import type { Problem } from "../change.ts";
import { makeProblem } from "../normalize/problem.ts";

/** The keys that can identify the user; an event uses exactly one. */
export const USER_KEY_FIELDS = ["userId", "externalId", "email", "phone", "username"] as const;
export type UserKeyField = (typeof USER_KEY_FIELDS)[number];

/** The fields `changes` may contain. */
export const CHANGE_FIELDS = [
  "username",
  "displayName",
  "email",
  "emailVerified",
  "phone",
  "phoneVerified",
  "customFields",
  "status",
  "primaryOrganizationalUnit",
  "organizationalUnits",
] as const;

/** The user-key fields present in `user` (a value other than `undefined`). */
export function presentUserKeys(user: Readonly<Record<string, unknown>>): UserKeyField[] {
  return USER_KEY_FIELDS.filter((key) => user[key] !== undefined);
}

/** A problem unless `user` has exactly one user-key field. */
export function userKeyCountProblem(
  user: Readonly<Record<string, unknown>>,
  path: string,
): Problem | undefined {
  const keys = presentUserKeys(user);
  if (keys.length === 1) return undefined;
  const oneOf = USER_KEY_FIELDS.join(", ");
  if (keys.length === 0) return makeProblem(path, "required", `${path} must have exactly one of ${oneOf}`);
  return makeProblem(
    path,
    "ambiguous_user_key",
    `${path} must have exactly one of ${oneOf}; got ${keys.length}: ${keys.join(", ")}`,
  );
}

/** At least one change, and each verified flag only together with its value. */
export function changesProblems(changes: Readonly<Record<string, unknown>>, path: string): Problem[] {
  const problems: Problem[] = [];
  if (!CHANGE_FIELDS.some((key) => changes[key] !== undefined)) {
    problems.push(
      makeProblem(path, "no_changes", `${path} must contain at least one of ${CHANGE_FIELDS.join(", ")}`),
    );
  }
  for (const [flag, value] of [
    ["emailVerified", "email"],
    ["phoneVerified", "phone"],
  ] as const) {
    if (changes[flag] !== undefined && changes[value] === undefined) {
      problems.push(
        makeProblem(
          `${path}.${flag}`,
          "not_allowed",
          `${path}.${flag} is allowed only together with ${path}.${value} (UpdateUser sets ${flag} only with ${value})`,
        ),
      );
    }
  }
  const units = changes.organizationalUnits as { add?: unknown[]; remove?: unknown[] } | undefined;
  if (units !== undefined && typeof units === "object" && units !== null) {
    const added = new Set((Array.isArray(units.add) ? units.add : []).map((ref) => JSON.stringify(ref)));
    const both = (Array.isArray(units.remove) ? units.remove : []).find((ref) =>
      added.has(JSON.stringify(ref)),
    );
    if (both !== undefined) {
      problems.push(
        makeProblem(
          `${path}.organizationalUnits`,
          "not_allowed",
          `${path}.organizationalUnits names ${JSON.stringify(both).slice(0, 160)} in both add and remove`,
        ),
      );
    }
  }
  return problems;
}
