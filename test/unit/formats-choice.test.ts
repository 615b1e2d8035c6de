import { describe, expect, it } from "vitest";
import { type FormatName, loadMappingConfig, parsePayload } from "../../shared/formats/index.ts";
import { delivery, exampleMapping, formatFixture, httpDelivery } from "../fixtures/formats/support.ts";

const SCIM_PATCH =
  '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Zoë"}]}';
const CANONICAL =
  '{"id":"e-1","occurredAt":"2026-11-28T08:00:00Z","user":{"userId":"user_abc"},"changes":{"displayName":"Zoë"}}';
const CLOUD_EVENT =
  '{"specversion":"1.0","id":"ce-1","source":"s","type":"t","time":"2026-11-28T08:00:00Z","data":{"user":{"userId":"user_abc"},"changes":{}}}';
const feishu = loadMappingConfig(exampleMapping("feishu-contact-user-updated-v3"));

describe("format choice", () => {
  it.each<[string, string, Record<string, string>, FormatName | undefined, FormatName]>([
    ["auto: SCIM PatchOp URN", SCIM_PATCH, {}, undefined, "scim"],
    ["auto: SCIM User URN", formatFixture("scim/put-user.json"), {}, undefined, "scim"],
    ["auto: CloudEvents structured", CLOUD_EVENT, {}, undefined, "canonical"],
    ["auto: bare canonical", CANONICAL, {}, undefined, "canonical"],
    ["auto: array of canonical", `[${CANONICAL},${CLOUD_EVENT}]`, {}, undefined, "canonical"],
    [
      "content-type application/scim+json",
      '{"Operations":[{"op":"add","path":"userName","value":"z"}]}',
      { "content-type": "application/scim+json; charset=utf-8" },
      undefined,
      "scim",
    ],
    [
      "content-type application/cloudevents+json",
      CLOUD_EVENT,
      { "content-type": "application/cloudevents+json" },
      undefined,
      "cloudevents",
    ],
    [
      "forced format wins over content-type",
      CANONICAL,
      { "content-type": "application/scim+json" },
      "canonical",
      "canonical",
    ],
  ])("%s", (_label, body, headers, format, expected) => {
    // The route names the user, which SCIM PATCH bodies do not.
    const http = { method: "POST", path: "/scim/v2/Users/user_d6sbsuumeta4h66ec3il7y0001", query: {} };
    const result = parsePayload({
      delivery: delivery(body, { headers, http }),
      ...(format ? { format } : {}),
    });
    expect(result.ok && result.format).toBe(expected);
  });

  it("a configured mapping with a match expression applies on its own when it matches", () => {
    const result = parsePayload({
      delivery: delivery(formatFixture("mapped/feishu-user-updated.json")),
      mapping: feishu,
    });
    expect(result.ok && result.format).toBe("mapped");
  });

  it.each([
    ["an object of unknown shape", '{"employee":{"id":"1"}}'],
    ["canonical-looking but without occurredAt", '{"id":"e-1","changes":{}}'],
    ["a JSON string", '"hello"'],
    ["a mapping is loaded but its match does not hold", formatFixture("mapped/feishu-user-created.json")],
  ])("cannot determine: %s", (_label, body) => {
    const result = parsePayload({ delivery: delivery(body), mapping: feishu });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      {
        path: "",
        code: "unknown_format",
        message: expect.stringMatching(
          /could not determine the payload format: configure the format.*application\/scim\+json/,
        ),
      },
    ]);
  });

  it("content-type cloudevents but no specversion is a problem", () => {
    const result = parsePayload({
      delivery: httpDelivery(CANONICAL, "POST", "/events", {
        "content-type": "application/cloudevents+json",
      }),
    });
    expect(!result.ok && result.problems[0]).toMatchObject({ path: "specversion", code: "required" });
  });

  it("the mapped format without a mapping configuration is a problem", () => {
    const result = parsePayload({ delivery: delivery("{}"), format: "mapped" });
    expect(!result.ok && result.problems[0]?.code).toBe("no_mapping");
  });
});
