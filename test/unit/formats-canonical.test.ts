import { describe, expect, it } from "vitest";
import { parsePayload } from "../../shared/formats/index.ts";
import { delivery, formatFixture } from "../fixtures/formats/support.ts";

describe("canonical format", () => {
  it("bare event: passed through as the candidate", () => {
    const result = parsePayload({ delivery: delivery(formatFixture("canonical/bare.json")) });
    expect(result).toEqual({
      ok: true,
      format: "canonical",
      ignored: [],
      events: [JSON.parse(formatFixture("canonical/bare.json"))],
    });
  });

  it("array: each element, bare or CloudEvent-wrapped", () => {
    const result = parsePayload({
      delivery: delivery(formatFixture("canonical/array.json")),
      format: "canonical",
    });
    expect(result).toEqual({
      ok: true,
      format: "canonical",
      ignored: [],
      events: [
        {
          id: "hr-7781-2",
          source: "workday",
          occurredAt: "2026-11-28T08:00:00Z",
          user: { externalId: { id: "W-1001", sourceType: "build_in" } },
          changes: { username: "zoe.oneil" },
        },
        {
          id: "ce-7782",
          source: "workday",
          occurredAt: "2026-11-28T08:01:00Z",
          user: { username: "ada" },
          changes: { phone: "+8613800138000", phoneVerified: true },
        },
      ],
    });
  });

  it("CloudEvent: data's own id wins; the envelope fills source and occurredAt", () => {
    const result = parsePayload({ delivery: delivery(formatFixture("canonical/cloudevent.json")) });
    expect(result).toEqual({
      ok: true,
      format: "canonical",
      ignored: [],
      events: [
        {
          id: "hr-own-id-9",
          source: "urn:example:hr-relay",
          occurredAt: "2026-11-28T09:00:00Z",
          user: { email: "ada@example.com" },
          changes: { displayName: "Ada" },
        },
      ],
    });
  });

  it("CloudEvent with data_base64: decoded; data's fields win over the envelope's", () => {
    const result = parsePayload({
      delivery: delivery(formatFixture("canonical/cloudevent-data-base64.json")),
    });
    expect(result.ok && result.events).toEqual([
      {
        id: "hr-b64-1",
        source: "workday",
        occurredAt: "2026-11-28T10:00:00Z",
        user: { username: "grace" },
        changes: { displayName: "Grace" },
      },
    ]);
  });

  it.each([
    [
      "specversion other than 1.0",
      '{"specversion":"0.3","id":"x","source":"s","type":"t","data":{}}',
      { path: "specversion", code: "unsupported_specversion" },
    ],
    [
      "data that is not an object",
      '{"specversion":"1.0","id":"x","source":"s","type":"t","data":"text"}',
      { path: "data", code: "invalid_type" },
    ],
    [
      "data_base64 with a forbidden key inside",
      `{"specversion":"1.0","id":"x","source":"s","type":"t","data_base64":"${Buffer.from('{"a":{"__proto__":{}}}').toString("base64")}"}`,
      { path: "data_base64.a.__proto__", code: "forbidden_key" },
    ],
    [
      "an array element that is not an object",
      '[{"id":"a","occurredAt":"t","changes":{}}, 3]',
      { path: "[1]", code: "invalid_type" },
    ],
    ["an empty array", "[]", { path: "", code: "empty_batch" }],
  ])("problem: %s", (_label, body, expected) => {
    const result = parsePayload({ delivery: delivery(body), format: "canonical" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject(expected);
  });
});
