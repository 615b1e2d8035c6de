import type { Problem } from "../change.ts";

/**
 * The fixed vocabulary of `Problem.code` values produced by event parsing and normalization.
 * docs/event-format.md describes when each one is used.
 */
export const PROBLEM_CODES = [
  "required",
  "invalid_type",
  "unknown_field",
  "empty",
  "too_long",
  "too_many",
  "invalid_chars",
  "invalid_format",
  "invalid_date",
  "invalid_email",
  "invalid_phone",
  "phone_extension",
  "missing_country_code",
  "no_changes",
  "ambiguous_user_key",
  "not_allowed",
  "too_many_problems",
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** What a single-value rule returns: the normalized value, or the one problem that stopped it. */
export type RuleResult<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export function accept<T>(value: T): RuleResult<T> {
  return { ok: true, value };
}

export function reject<T>(path: string, code: ProblemCode, message: string): RuleResult<T> {
  return { ok: false, problem: { path, code, message } };
}

export function makeProblem(path: string, code: ProblemCode, message: string): Problem {
  return { path, code, message };
}
