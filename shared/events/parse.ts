import type { z } from "zod";
import type { Problem } from "../change.ts";
import { pathSegment } from "../normalize/custom-fields.ts";
import { makeProblem, PROBLEM_CODES, type ProblemCode } from "../normalize/problem.ts";
import {
  type CanonicalEvent,
  canonicalEventSchema,
  changesSchema,
  externalIdObjectSchema,
  userSchema,
} from "./canonical.ts";

/** At most this many problems are reported; the rest are summarized by one `too_many_problems`. */
export const MAX_PROBLEMS = 50;

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/** Fields where `null` would mean "remove", which UpdateUser cannot do (only custom fields can be removed). */
const BUILT_IN_FIELD_PATHS = new Set([
  "changes.username",
  "changes.displayName",
  "changes.email",
  "changes.phone",
]);

/** The known keys of each strict object, by path, for `unknown_field` messages. */
const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  "": Object.keys(canonicalEventSchema.shape),
  user: Object.keys(userSchema.shape),
  "user.externalId": Object.keys(externalIdObjectSchema.shape),
  changes: Object.keys(changesSchema.shape),
};

/** Validates the shape of a canonical event v1 (not yet its values: see `normalizeChange`). */
export function parseCanonicalEvent(
  input: unknown,
): { ok: true; event: CanonicalEvent } | { ok: false; problems: Problem[] } {
  const result = canonicalEventSchema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, event: result.data };
  const problems: Problem[] = [];
  for (const issue of result.error.issues) {
    appendIssue(problems, issue, []);
    if (problems.length > MAX_PROBLEMS) break;
  }
  if (problems.length > MAX_PROBLEMS) {
    problems.length = MAX_PROBLEMS;
    problems.push(
      makeProblem("", "too_many_problems", `more than ${MAX_PROBLEMS} problems; only the first are listed`),
    );
  }
  return { ok: false, problems };
}

function joinPath(segments: readonly PathKey[]): string {
  return segments
    .map((segment) => (typeof segment === "string" ? pathSegment(segment) : String(segment)))
    .join(".");
}

function label(path: string): string {
  return path === "" ? "the event" : path;
}

function appendIssue(problems: Problem[], issue: Issue, prefix: readonly PathKey[]): void {
  const segments = [...prefix, ...issue.path];
  const path = joinPath(segments);
  const input = issue.input;
  switch (issue.code) {
    case "invalid_type":
      problems.push(typeProblem(path, issue.expected, input));
      return;
    case "unrecognized_keys": {
      const allowed = KNOWN_KEYS[path]?.join(", ") ?? "";
      for (const key of issue.keys) {
        if (problems.length > MAX_PROBLEMS) return;
        const keyPath = joinPath([...segments, key]);
        problems.push(
          makeProblem(
            keyPath,
            "unknown_field",
            `${keyPath} is not a field of ${label(path)} (allowed: ${allowed})`,
          ),
        );
      }
      return;
    }
    case "invalid_union":
      appendUnionIssue(problems, issue, segments, path);
      return;
    case "invalid_key":
      problems.push(
        makeProblem(path, "invalid_format", `${path}: the custom field name ${firstMessage(issue.issues)}`),
      );
      return;
    case "too_big": {
      const got = typeof input === "string" ? `; got ${input.length}` : "";
      problems.push(makeProblem(path, "too_long", `${label(path)} ${issue.message}${got}`));
      return;
    }
    case "too_small":
      problems.push(makeProblem(path, "empty", `${label(path)} ${issue.message}`));
      return;
    case "invalid_format":
      problems.push(makeProblem(path, "invalid_chars", `${label(path)} ${issue.message}`));
      return;
    case "custom": {
      const code = problemCode(issue.params?.code);
      const message = issue.params?.sentence === true ? issue.message : `${label(path)} ${issue.message}`;
      problems.push(makeProblem(path, code, message));
      return;
    }
    default:
      problems.push(makeProblem(path, "invalid_format", `${label(path)}: ${issue.message}`));
  }
}

/**
 * zod reports a union failure itself when one branch matched the type; `invalid_union` means either no
 * branch matched the type (→ `invalid_type` with the union's message) or several did (→ the first one).
 */
function appendUnionIssue(
  problems: Problem[],
  issue: Extract<Issue, { code: "invalid_union" }>,
  segments: readonly PathKey[],
  path: string,
): void {
  const matchedBranch = issue.errors.find(
    (branch) => !branch.some((inner) => inner.code === "invalid_type" && inner.path.length === 0),
  );
  if (matchedBranch === undefined) {
    problems.push(
      makeProblem(path, "invalid_type", `${label(path)} ${issue.message}; got ${describeValue(issue.input)}`),
    );
    return;
  }
  for (const inner of matchedBranch) appendIssue(problems, inner, segments);
}

function typeProblem(path: string, expected: string, input: unknown): Problem {
  if (input === undefined) return makeProblem(path, "required", `${label(path)} is required`);
  const isObject = expected === "object" || expected === "record";
  const wanted = isObject ? (path === "" ? "a JSON object" : "an object") : `a ${expected}`;
  if (input === null && BUILT_IN_FIELD_PATHS.has(path)) {
    return makeProblem(
      path,
      "invalid_type",
      `${path} must be ${wanted}; null (remove) is not supported: UpdateUser cannot remove built-in fields`,
    );
  }
  return makeProblem(path, "invalid_type", `${label(path)} must be ${wanted}; got ${describeValue(input)}`);
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function firstMessage(issues: readonly Issue[]): string {
  return issues[0]?.message ?? "is not valid";
}

function problemCode(value: unknown): ProblemCode {
  return PROBLEM_CODES.find((code) => code === value) ?? "invalid_format";
}
