/** Small string helpers shared by the normalization rules. */

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
