import { describe, expect, it } from "vitest";
import type { NormalizedFields, UserKey } from "../../shared/change.ts";
import type { CanonicalEvent } from "../../shared/events/canonical.ts";
import { type NormalizeOptions, normalizeChange } from "../../shared/normalize/index.ts";

function event(overrides: Partial<CanonicalEvent> = {}): CanonicalEvent {
  return {
    id: "hr-7781-2",
    source: "workday",
    occurredAt: "2026-11-28T08:00:00Z",
    user: { userId: "user_d6sbsuumeta4h66ec3il7yxxxx" },
    changes: { displayName: "Zhang San" },
    ...overrides,
  };
}

describe("normalizeChange", () => {
  it("normalizes the canonical example", () => {
    const result = normalizeChange(
      event({
        changes: {
          username: "zhang.san",
          displayName: "Zhang San",
          email: "Zhang.San@Example.com",
          emailVerified: true,
          phone: "+86 156 1234 5678",
          phoneVerified: true,
          customFields: { nick_name: "zs", cost_center: null },
        },
      }),
      {},
    );
    expect(result).toEqual({
      ok: true,
      change: {
        eventId: "hr-7781-2",
        source: "workday",
        occurredAt: "2026-11-28T08:00:00Z",
        occurredAtMs: Date.parse("2026-11-28T08:00:00Z"),
        user: { userId: "user_d6sbsuumeta4h66ec3il7yxxxx" },
        fields: {
          username: "zhang.san",
          displayName: "Zhang San",
          email: "Zhang.San@example.com",
          emailVerified: true,
          phone: { region: "86", number: "15612345678" },
          phoneVerified: true,
          customFields: { nick_name: "zs", cost_center: null },
        },
      },
    });
  });

  it.each<[string, CanonicalEvent["changes"], NormalizeOptions, NormalizedFields]>([
    [
      "verified flags default to false",
      { email: "a@b.co", phone: "+8615612345678" },
      {},
      {
        email: "a@b.co",
        emailVerified: false,
        phone: { region: "86", number: "15612345678" },
        phoneVerified: false,
      },
    ],
    [
      "verified flags from trusted sources only (the event's source is workday)",
      { email: "a@b.co", phone: "+8615612345678" },
      { verifiedSources: { email: ["*"], phone: ["hr"] } },
      {
        email: "a@b.co",
        emailVerified: true,
        phone: { region: "86", number: "15612345678" },
        phoneVerified: false,
      },
    ],
    [
      "the event's own flag wins over a trusted source",
      { email: "a@b.co", emailVerified: false, phone: "+8615612345678" },
      { verifiedSources: { email: ["workday"], phone: ["workday"] } },
      {
        email: "a@b.co",
        emailVerified: false,
        phone: { region: "86", number: "15612345678" },
        phoneVerified: true,
      },
    ],
    [
      "explicit false is kept",
      { email: "a@b.co", emailVerified: false },
      {},
      { email: "a@b.co", emailVerified: false },
    ],
    [
      "national phone with a default region",
      { phone: "156 1234 5678" },
      { defaultPhoneRegion: "CN" },
      {
        phone: { region: "86", number: "15612345678" },
        phoneVerified: false,
      },
    ],
    [
      "username derived from the email",
      { email: "Zhang.San@Example.com" },
      { usernameRule: "email-local-part" },
      {
        email: "Zhang.San@example.com",
        emailVerified: false,
        username: "zhang.san",
      },
    ],
    [
      "an explicit username wins over the derived one",
      { email: "Zhang.San@x.io", username: "zs" },
      {
        usernameRule: "email-local-part",
      },
      { username: "zs", email: "Zhang.San@x.io", emailVerified: false },
    ],
    ["no derivation without the option", { email: "z@x.io" }, {}, { email: "z@x.io", emailVerified: false }],
    [
      "display name truncated on request",
      { displayName: "a".repeat(130) },
      { displayNameOverflow: "truncate" },
      {
        displayName: "a".repeat(128),
      },
    ],
    [
      "allowed custom fields",
      { customFields: { nick_name: 1 } },
      { allowedCustomFields: ["nick_name"] },
      {
        customFields: { nick_name: "1" },
      },
    ],
  ])("%s", (_name, changes, options, fields) => {
    const result = normalizeChange(event({ changes }), options);
    expect(result.ok ? result.change.fields : result.problems).toEqual(fields);
  });

  it.each<[string, CanonicalEvent["user"], NormalizeOptions, UserKey]>([
    ["userId", { userId: "user_1" }, {}, { userId: "user_1" }],
    ["externalId string", { externalId: "E-1" }, {}, { externalId: { id: "E-1" } }],
    [
      "externalId object",
      { externalId: { id: "E-1", sourceType: "ldap", sourceId: "s" } },
      {},
      {
        externalId: { id: "E-1", sourceType: "ldap", sourceId: "s" },
      },
    ],
    ["email", { email: " Ops@Example.COM " }, {}, { email: "Ops@example.com" }],
    ["phone", { phone: "0086 156-1234-5678" }, {}, { phone: { region: "86", number: "15612345678" } }],
    [
      "national phone",
      { phone: "15612345678" },
      { defaultPhoneRegion: "CN" },
      {
        phone: { region: "86", number: "15612345678" },
      },
    ],
    ["username", { username: " zs " }, {}, { username: "zs" }],
  ])("user key: %s", (_name, user, options, expected) => {
    const result = normalizeChange(event({ user }), options);
    expect(result.ok ? result.change.user : result.problems).toEqual(expected);
  });

  it("collects every problem, each with its path and code", () => {
    const result = normalizeChange(
      event({
        user: { email: "not-an-email" },
        changes: {
          username: "zhang san",
          displayName: "a".repeat(129),
          email: "x+y@example.com",
          phone: "156 1234 5678",
          customFields: { cost_center: "", title: "x" },
        },
      }),
      { allowedCustomFields: ["cost_center"] },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.path, p.code])).toEqual([
      ["user.email", "invalid_email"],
      ["changes.username", "invalid_chars"],
      ["changes.displayName", "too_long"],
      ["changes.email", "invalid_chars"],
      ["changes.phone", "missing_country_code"],
      ["changes.customFields.cost_center", "empty"],
      ["changes.customFields.title", "not_allowed"],
    ]);
  });

  it.each<[string, Partial<CanonicalEvent>, string, string]>([
    ["two user keys", { user: { userId: "u", email: "a@b.co" } }, "user", "ambiguous_user_key"],
    ["no user key", { user: {} }, "user", "required"],
    ["no changes", { changes: {} }, "changes", "no_changes"],
    ["phoneVerified alone", { changes: { phoneVerified: true } }, "changes.phoneVerified", "not_allowed"],
    ["impossible date", { occurredAt: "2026-02-29T00:00:00Z" }, "occurredAt", "invalid_date"],
  ])("re-applies the event rules to a hand-built event: %s", (_name, overrides, path, code) => {
    const result = normalizeChange(event(overrides), {});
    expect(result).toMatchObject({ ok: false, problems: [{ path, code }] });
  });

  it("accepts lower-case t and z and keeps occurredAt as given", () => {
    const result = normalizeChange(event({ occurredAt: "2026-11-28t16:00:00+08:00" }), {});
    expect(result.ok && result.change).toMatchObject({
      occurredAt: "2026-11-28t16:00:00+08:00",
      occurredAtMs: Date.parse("2026-11-28T08:00:00Z"),
    });
  });

  it("omits source when the event has none", () => {
    const { source: _unused, ...withoutSource } = event();
    const result = normalizeChange(withoutSource, {});
    expect(result.ok && "source" in result.change).toBe(false);
  });

  it("throws on an unknown defaultPhoneRegion, which is a configuration error", () => {
    const options = { defaultPhoneRegion: "XX" } as unknown as NormalizeOptions;
    expect(() => normalizeChange(event(), options)).toThrow(/defaultPhoneRegion "XX"/);
  });
});
