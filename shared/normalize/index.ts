import type { NormalizedChange, NormalizedFields, Problem } from "../change.ts";
import type { CanonicalEvent } from "../events/canonical.ts";
import { changesProblems } from "../events/cross-field-rules.ts";
import { parseRfc3339 } from "../events/rfc3339.ts";
import { normalizeCustomFields } from "./custom-fields.ts";
import { type DisplayNameOverflow, normalizeDisplayName } from "./display-name.ts";
import { normalizeEmail } from "./email.ts";
import { type DeleteMeans, normalizeLifecycle } from "./lifecycle.ts";
import { type CountryCode, isSupportedPhoneRegion, normalizePhone } from "./phone.ts";
import { makeProblem, type RuleResult } from "./problem.ts";
import { normalizeUserKey } from "./user-key.ts";
import { normalizeUsername, usernameFromEmail } from "./username.ts";

export type { ProblemCode, RuleResult } from "./problem.ts";
export { PROBLEM_CODES } from "./problem.ts";
export type { CountryCode, DeleteMeans, DisplayNameOverflow };
export { isSupportedPhoneRegion };

export interface NormalizeOptions {
  /** ISO 3166 alpha-2 region for phone numbers in national notation (DEFAULT_PHONE_REGION). */
  defaultPhoneRegion?: CountryCode;
  /** What to do with a display name over 128 code points; default `reject`. */
  displayNameOverflow?: DisplayNameOverflow;
  /** `email-local-part`: a change with an email and no username also sets the username to the local part. */
  usernameRule?: "email-local-part";
  /** When set, only these custom field names may be changed. */
  allowedCustomFields?: readonly string[];
  /**
   * Sources (the event's `source`) trusted to send verified emails / phone numbers: their values are marked
   * verified unless the event says otherwise. `*` trusts every source. Default: none, so unverified.
   */
  verifiedSources?: { email?: readonly string[]; phone?: readonly string[] };
  /** What `changes.status: "deleted"` does (DELETE_MEANS); default `disable`. */
  deleteMeans?: DeleteMeans;
}

/** The event's own flag, else the per-source setting, else not verified. */
function verified(
  flag: boolean | undefined,
  trusted: readonly string[] | undefined,
  source?: string,
): boolean {
  if (flag !== undefined) return flag;
  if (!trusted) return false;
  return trusted.includes("*") || (source !== undefined && trusted.includes(source));
}

export type NormalizeResult = { ok: true; change: NormalizedChange } | { ok: false; problems: Problem[] };

/**
 * Normalizes every value of a parsed canonical event into what UpdateUser accepts, collecting all problems.
 * Throws only for invalid options (an unknown `defaultPhoneRegion`), which is a configuration error.
 */
export function normalizeChange(event: CanonicalEvent, options: NormalizeOptions = {}): NormalizeResult {
  const region = options.defaultPhoneRegion;
  if (region !== undefined && !isSupportedPhoneRegion(region)) {
    throw new TypeError(
      `defaultPhoneRegion "${String(region)}" is not a supported ISO 3166 alpha-2 region code`,
    );
  }
  const problems: Problem[] = [];
  function take<T>(result: RuleResult<T>): T | undefined {
    if (result.ok) return result.value;
    problems.push(result.problem);
    return undefined;
  }

  const occurredAtMs = parseRfc3339(event.occurredAt);
  if (occurredAtMs === undefined) {
    problems.push(
      makeProblem("occurredAt", "invalid_date", "occurredAt must be an RFC 3339 date-time with an offset"),
    );
  }
  const user = take(normalizeUserKey(event.user, region));

  const changes = event.changes;
  problems.push(...changesProblems(changes, "changes"));
  const fields: NormalizedFields = {};
  if (changes.username !== undefined) {
    fields.username = take(normalizeUsername(changes.username, "changes.username"));
  }
  if (changes.displayName !== undefined) {
    fields.displayName = take(
      normalizeDisplayName(
        changes.displayName,
        options.displayNameOverflow ?? "reject",
        "changes.displayName",
      ),
    );
  }
  if (changes.email !== undefined) {
    fields.email = take(normalizeEmail(changes.email, "changes.email"));
    fields.emailVerified = verified(changes.emailVerified, options.verifiedSources?.email, event.source);
    if (
      fields.email !== undefined &&
      changes.username === undefined &&
      options.usernameRule === "email-local-part"
    ) {
      fields.username = take(usernameFromEmail(fields.email, "changes.email"));
    }
  }
  if (changes.phone !== undefined) {
    fields.phone = take(normalizePhone(changes.phone, region, "changes.phone"));
    fields.phoneVerified = verified(changes.phoneVerified, options.verifiedSources?.phone, event.source);
  }
  if (changes.customFields !== undefined) {
    const custom = normalizeCustomFields(changes.customFields, options, "changes.customFields");
    if (custom.ok) fields.customFields = custom.value;
    else problems.push(...custom.problems);
  }

  if (problems.length > 0 || user === undefined || occurredAtMs === undefined) return { ok: false, problems };
  const lifecycle = normalizeLifecycle(changes, options.deleteMeans ?? "disable");
  return {
    ok: true,
    change: {
      eventId: event.id,
      ...(event.source !== undefined ? { source: event.source } : {}),
      occurredAt: event.occurredAt,
      occurredAtMs,
      user,
      fields,
      ...(lifecycle !== undefined ? { lifecycle } : {}),
    },
  };
}
