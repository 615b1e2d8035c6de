import { accept, type RuleResult, reject } from "./problem.ts";
import { codePointLength, findControlChar, invisibleCharProblem } from "./text.ts";

/** The UpdateUser page (2026): "The maximum length is 128 characters"; counted here in code points. */
export const DISPLAY_NAME_MAX_LENGTH = 128;
/** Longer raw input is refused before any Unicode work, whatever the overflow mode. */
export const DISPLAY_NAME_INPUT_CAP = 4096;

export type DisplayNameOverflow = "reject" | "truncate";

const WHITESPACE_RUN = /\s+/g;

/**
 * NFC, collapses every whitespace run (tabs, newlines, NBSP, …) to one space, trims,
 * rejects other control characters, and enforces the 128-code-point limit.
 */
export function normalizeDisplayName(
  raw: string,
  overflow: DisplayNameOverflow = "reject",
  path = "displayName",
): RuleResult<string> {
  if (raw.length > DISPLAY_NAME_INPUT_CAP) {
    return reject(
      path,
      "too_long",
      `${path} must be at most ${DISPLAY_NAME_MAX_LENGTH} characters; the input (${raw.length} UTF-16 units) exceeds the ${DISPLAY_NAME_INPUT_CAP}-unit input cap`,
    );
  }
  const control = findControlChar(raw, true);
  if (control) {
    return reject(path, "invalid_chars", `${path} must not contain control characters; found ${control}`);
  }
  const invisible = invisibleCharProblem(raw, path);
  if (invisible) return { ok: false, problem: invisible };
  const value = raw.normalize("NFC").replace(WHITESPACE_RUN, " ").trim();
  if (value.length === 0) {
    return reject(path, "empty", `${path} must not be empty; UpdateUser cannot remove a display name`);
  }
  const length = codePointLength(value);
  if (length <= DISPLAY_NAME_MAX_LENGTH) return accept(value);
  if (overflow === "truncate") return accept(truncateGraphemes(value, DISPLAY_NAME_MAX_LENGTH));
  return reject(
    path,
    "too_long",
    `${path} must be at most ${DISPLAY_NAME_MAX_LENGTH} characters (UpdateUser DisplayName rule); got ${length}`,
  );
}

let graphemeSegmenter: Intl.Segmenter | undefined;

/**
 * Keeps whole grapheme clusters (so neither a surrogate pair nor a base letter and its combining marks
 * are split) while the total stays within `maxCodePoints`, then trims the end.
 */
export function truncateGraphemes(text: string, maxCodePoints: number): string {
  graphemeSegmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  let kept = 0;
  let end = 0;
  for (const { segment, index } of graphemeSegmenter.segment(text)) {
    const size = codePointLength(segment);
    if (kept + size > maxCodePoints) break;
    kept += size;
    end = index + segment.length;
  }
  // A single cluster longer than the limit (e.g. a letter with hundreds of combining marks) cannot be kept
  // whole; cut it by code points instead.
  if (end === 0) return Array.from(text).slice(0, maxCodePoints).join("").trimEnd();
  return text.slice(0, end).trimEnd();
}
