/**
 * The documented vocabulary of problem codes (docs/event-format.md "Problem codes", docs/sources.md §2), and
 * checks that a rejection is classified with it and that an accepted change is one UpdateUser will take.
 */
import {
  checkDisplayName,
  checkEmail,
  checkPhoneNumber,
  checkPhoneRegion,
  checkUsername,
} from "../../../local/eiam-emulator/user-rules.ts";
import type { NormalizedChange } from "../../../shared/change.ts";
import { PROBLEM_CODES } from "../../../shared/normalize/problem.ts";

/** docs/sources.md §2.1 (reading the body), §2.2 (which format), §2.5 (SCIM), §2.6 (mapped). */
export const DOCUMENTED_FORMAT_CODES = [
  "too_large",
  "invalid_utf8",
  "empty_body",
  "invalid_json",
  "forbidden_key",
  "too_deep",
  "unknown_format",
  "id_mismatch",
  "user_unidentified",
  "unsupported_path",
  "invalid_op",
  "required",
  "invalid_type",
  "unknown_mapping",
  "no_mapping_matched",
  "mapping_failed",
] as const;

/**
 * Emitted by shared/formats (canonical.ts: `[]`, a CloudEvent whose specversion is not "1.0"; mapped.ts: no
 * mapping loaded) but not listed in the docs: accepted here, and reported as a documentation gap.
 */
export const EMITTED_BUT_UNDOCUMENTED = ["empty_batch", "unsupported_specversion", "no_mapping"] as const;

export const PROBLEM_VOCABULARY: ReadonlySet<string> = new Set([
  ...PROBLEM_CODES,
  ...DOCUMENTED_FORMAT_CODES,
  ...EMITTED_BUT_UNDOCUMENTED,
]);

/** What is wrong with a problem list, if anything: empty, unclassified, or without a path or message. */
export function problemListFaults(problems: unknown): string[] {
  if (!Array.isArray(problems) || problems.length === 0) return ["a rejection without problems"];
  return problems.flatMap((p: unknown, i) => {
    const problem = p as { path?: unknown; code?: unknown; message?: unknown };
    const faults: string[] = [];
    if (typeof problem.path !== "string") faults.push(`problem ${i} has no string path`);
    if (typeof problem.code !== "string" || !PROBLEM_VOCABULARY.has(problem.code)) {
      faults.push(`problem ${i} has code ${JSON.stringify(problem.code)}, not in the documented vocabulary`);
    }
    if (typeof problem.message !== "string" || problem.message.trim() === "") {
      faults.push(`problem ${i} has no message`);
    }
    return faults;
  });
}

/** Why UpdateUser (as the emulator reads the UpdateUser page) would refuse this accepted change, if it would. */
export function updateUserRefusal(change: NormalizedChange): string | undefined {
  const { fields } = change;
  try {
    if (fields.username !== undefined) checkUsername(fields.username);
    if (fields.displayName !== undefined) checkDisplayName(fields.displayName);
    if (fields.email !== undefined) checkEmail(fields.email);
    if (fields.phone !== undefined) {
      checkPhoneRegion(fields.phone.region);
      checkPhoneNumber(fields.phone.number);
    }
    for (const [name, value] of Object.entries(fields.customFields ?? {})) {
      if (value !== null && (value === "" || [...value].length > 1024)) {
        return `custom field ${name} has ${[...value].length} characters`;
      }
    }
  } catch (err) {
    return (err as Error).message;
  }
  if (!Number.isSafeInteger(change.occurredAtMs)) return `occurredAtMs is ${change.occurredAtMs}`;
  if (change.eventId === "") return "the event id is empty";
  return undefined;
}
