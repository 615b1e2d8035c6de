/**
 * Hostile input for fuzzing: strings with lone surrogates, control and bidi characters, sizes at and past the
 * limits; objects keyed by __proto__/constructor/prototype; very deep nesting; invalid UTF-8; Base64 garbage.
 */
import fc from "fast-check";

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const trickyChar = fc.constantFrom(
  "\u0000",
  "\u0007",
  "\t",
  "\n",
  "\u00a0",
  "\u200b",
  "\u202e",
  "\u2028",
  "\u3000",
  "\ufeff",
  "\ufffd",
  "\ud83d\ude00",
  "e\u0301",
  "ж",
  "@",
  ".",
  ",",
  "+",
  "=",
  "/",
  '"',
  "\\",
  "%",
  "`",
);

export const FORBIDDEN_KEYS = ["__proto__", "constructor", "prototype"] as const;

/** Near-valid values the parsers have rules about, so the fuzzer does not only produce noise. */
const plausible = fc.constantFrom(
  "",
  " ",
  "user_d6sbsuumeta4h66ec3il7yxxxx",
  "2026-11-28T08:00:00Z",
  "2026-02-30T08:00:00Z",
  "+86 156 1234 5678",
  "0086 156 1234 5678",
  "156 1234 5678",
  "+86 12",
  "tel:+86-138-0013-8000",
  "zhang.san@example.com",
  "a@b",
  "x@localhost",
  "li.si@bücher.de",
  "zhang.san",
  "Zhang San",
  "true",
  "1795852800000",
  "eyJpZCI6ImV2dCJ9",
  "!!!not-base64!!!",
  "AAAA====",
  'emails[type eq "work"].value',
  'emails[value co "x"]',
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter",
  ...FORBIDDEN_KEYS,
);

/** Lengths at and just past the limits of the format (64, 128, 256, 1024, 4096). */
const atTheLimits = fc
  .tuple(
    fc.constantFrom(63, 64, 65, 128, 129, 256, 257, 1024, 1025, 4096, 4097),
    fc.constantFrom("x", "ж", "😀"),
  )
  .map(([length, char]) => char.repeat(length));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  {
    weight: 2,
    arbitrary: fc.string({
      unit: fc.oneof(trickyChar, loneSurrogate, fc.string({ minLength: 1, maxLength: 1 })),
      maxLength: 16,
    }),
  },
  { weight: 3, arbitrary: plausible },
  { weight: 1, arbitrary: atTheLimits },
);

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: fc.constantFrom(...FORBIDDEN_KEYS) },
  { weight: 1, arbitrary: hostileString },
);

/** Any JSON-representable value, keys and strings hostile, a few levels deep. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    hostileString,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie("value"), { maxKeys: 5 }),
  ),
})).value;

/** `depth` levels of arrays or objects around a value: deeper than any limit, to find recursion. */
export function deeplyNested(depth: number, kind: "array" | "object", inner = "1"): string {
  return kind === "array"
    ? `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`
    : `${'{"a":'.repeat(depth)}${inner}${"}".repeat(depth)}`;
}

/** Byte sequences that are not UTF-8: lone continuation bytes, overlongs, surrogates encoded, truncated. */
export const invalidUtf8 = fc
  .tuple(
    fc.constantFrom(
      [0x80],
      [0xc0, 0xaf],
      [0xc3, 0x28],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82],
      [0xff],
    ),
    fc.string({ maxLength: 20 }),
  )
  .map(([bad, text]) => Buffer.concat([Buffer.from(`{"id":"${text}`), Buffer.from(bad), Buffer.from('"}')]));

/** Strings that look like Base64 but are not canonical, or decode to bytes that are not JSON text. */
export const base64Garbage = fc.oneof(
  fc.uint8Array({ maxLength: 48 }).map((bytes) => Buffer.from(bytes).toString("base64")),
  fc.stringMatching(/^[A-Za-z0-9+/]{1,40}={0,3}$/),
  fc.constantFrom("====", "A", "AB=", "eyJpZCI6", "e30", "W10=", "!!", " eyJpZCI6ImV2dCJ9 "),
);

/** A string of about `bytes` bytes, as a JSON string value. */
export function hugeString(bytes: number): string {
  return "x".repeat(bytes);
}
