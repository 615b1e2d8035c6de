/**
 * Values of the kind real senders put in each field (ids, times, emails, phone numbers in several notations,
 * names in any script), so that a good share of fuzzed events is accepted and the accept paths get fuzzed too.
 */
import fc from "fast-check";

export const plausibleId = fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/);
export const eiamUserId = fc.stringMatching(/^user_[a-z0-9]{8,26}$/);

export const isoTime = fc
  .tuple(
    fc.date({
      min: new Date("2000-01-01T00:00:00Z"),
      max: new Date("2099-12-31T00:00:00Z"),
      noInvalidDate: true,
    }),
    fc.constantFrom("Z", "+08:00", "-05:30", "z"),
  )
  .map(([date, zone]) => date.toISOString().replace("Z", zone));

export const epochMillisText = fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 }).map(String);

export const email = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/),
    fc.constantFrom(
      "example.com",
      "Example.COM",
      "bücher.de",
      "xn--bcher-kva.de",
      "mail.example.co.uk",
      // An IDN top-level domain (例子.测试) is left out: fuzz.test.ts checks that case on its own.
      "例子.com",
    ),
  )
  .map(([local, domain]) => `${local}@${domain}`);

/** Chinese mobiles, US and UK numbers, written with +, 00, spaces, dashes, dots or parentheses. */
export const phone = fc.oneof(
  fc
    .tuple(fc.constantFrom("133", "139", "150", "156", "177", "186", "199"), fc.stringMatching(/^[0-9]{8}$/))
    .chain(([prefix, rest]) =>
      fc.constantFrom(
        `+86 ${prefix} ${rest.slice(0, 4)} ${rest.slice(4)}`,
        `+86${prefix}${rest}`,
        `0086-${prefix}-${rest.slice(0, 4)}-${rest.slice(4)}`,
        `(+86) ${prefix}.${rest.slice(0, 4)}.${rest.slice(4)}`,
        `tel:+86-${prefix}-${rest}`,
        `${prefix} ${rest.slice(0, 4)} ${rest.slice(4)}`,
      ),
    ),
  fc.stringMatching(/^[2-9][0-9]{2}$/).map((area) => `+1 (${area}) 555-0134`),
  fc.constant("+44 20 7946 0958"),
);

export const displayName = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
  fc.constantFrom("Zhang San", "  Li \t Si ", "李四", "Zoë O'Neil", "José\u00a0García", "e\u0301clair"),
);

export const username = fc.stringMatching(/^[a-z][a-z0-9._@-]{0,20}$/);

export const customFields = fc.dictionary(
  fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/),
  fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null)),
  { minKeys: 1, maxKeys: 3 },
);
