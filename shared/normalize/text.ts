/** Small string helpers shared by the normalization rules. */
import type { Problem } from "../change.ts";

/** C0/C1 control characters (incl. DEL) and lone UTF-16 surrogates, which cannot be sent as UTF-8. */
const UNSENDABLE = /[\p{Cc}\p{Cs}]/u;
/** Same, but whitespace controls (tab, LF, CR, …) are allowed because a later step collapses them. */
const UNSENDABLE_EXCEPT_WHITESPACE = /[^\P{Cc}\t\n\v\f\r]|\p{Cs}/u;

/** The first control character or lone surrogate in `text`, as `U+XXXX`, or undefined if there is none. */
export function findControlChar(text: string, allowWhitespace = false): string | undefined {
  const match = (allowWhitespace ? UNSENDABLE_EXCEPT_WHITESPACE : UNSENDABLE).exec(text);
  return match ? codePointLabel(match[0]) : undefined;
}

export function codePointLabel(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Number of Unicode code points (a surrogate pair counts once). */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low surrogate is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/**
 * Characters that change how text is shown without being seen, refused in every value written to EIAM:
 * - bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which can make "Zhang‮naS"
 *   read as another name;
 * - invisible characters (U+00AD, U+034F, U+115F, U+1160, U+17B4, U+17B5, U+180E, U+200B, U+2060–U+2064,
 *   U+3164, U+FEFF, U+FFA0), which make two names look equal;
 * - tag characters (U+E0000–U+E007F), except inside an emoji flag sequence (after U+1F3F4);
 * - a zero-width joiner or non-joiner (U+200D, U+200C) that does not stand between two visible characters
 *   (between them it is needed: emoji sequences, Persian, Indic scripts).
 */
const BIDI_AND_INVISIBLE = new Set([
  0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x00ad,
  0x034f, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180e, 0x200b, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x3164,
  0xfeff, 0xffa0,
]);
const JOINERS = new Set([0x200c, 0x200d]);
const BLACK_FLAG = 0x1f3f4;

function isTag(cp: number): boolean {
  return cp >= 0xe0000 && cp <= 0xe007f;
}

function isVisible(cp: number | undefined): boolean {
  if (cp === undefined || JOINERS.has(cp) || BIDI_AND_INVISIBLE.has(cp) || isTag(cp)) return false;
  return String.fromCodePoint(cp).trim() !== "";
}

/** The first invisible or direction-changing character in `text` (see above), as `U+XXXX`, or undefined. */
export function findInvisibleChar(text: string): string | undefined {
  const cps = Array.from(text, (c) => c.codePointAt(0)!);
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    if (BIDI_AND_INVISIBLE.has(cp)) return codePointLabel(String.fromCodePoint(cp));
    if (isTag(cp)) {
      let j = i - 1;
      while (j >= 0 && isTag(cps[j]!)) j -= 1;
      if (cps[j] !== BLACK_FLAG) return codePointLabel(String.fromCodePoint(cp));
    }
    if (JOINERS.has(cp) && !(isVisible(cps[i - 1]) && isVisible(cps[i + 1]))) {
      return codePointLabel(String.fromCodePoint(cp));
    }
  }
  return undefined;
}

/** The problem of a value that holds an invisible or text-direction character (see above), or undefined. */
export function invisibleCharProblem(text: string, path: string): Problem | undefined {
  const found = findInvisibleChar(text);
  if (found === undefined) return undefined;
  return {
    path,
    code: "invalid_chars",
    message: `${path} must not contain invisible or text-direction characters; found ${found}`,
  };
}
