import { describe, expect, it } from "vitest";
import { decodeBodyString, isCanonicalBase64 } from "../../shared/triggers/body-encoding.ts";
import { UnknownEventShapeError } from "../../shared/triggers/delivery.ts";
import { decodeInvocation } from "../../shared/triggers/detect.ts";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

function mnsQueue(messageBody: string): Buffer {
  return Buffer.from(
    JSON.stringify([
      {
        specversion: "1.0",
        id: "ce-1",
        source: "MNS-f-t",
        type: "mns:Queue:SendMessage",
        data: { requestId: "r", messageId: "m-1", messageBody },
      },
    ]),
  );
}

function kafka(value: unknown): Buffer {
  return Buffer.from(
    JSON.stringify({
      specversion: "1.0",
      id: "ce-k",
      source: "acs:alikafka",
      type: "alikafka:Topic:Message",
      data: { topic: "t", partition: 1, offset: 2, value },
    }),
  );
}

function firstBody(event: Buffer, options = {}): string {
  const decoded = decodeInvocation(event, 0, options);
  if (decoded.kind !== "batch") throw new Error("expected a batch");
  return decoded.deliveries[0]?.body.toString("utf8") ?? "";
}

describe("the auto Base64 rule", () => {
  it.each([
    ["canonical Base64 of a JSON object", b64('{"a":1}'), '{"a":1}'],
    ["canonical Base64 of a JSON array with leading spaces", b64("  [1]"), "  [1]"],
    ["Base64 of plain text stays text", b64("hello"), b64("hello")],
    ["a word that happens to be valid Base64", "TEST", "TEST"],
    ["non-canonical padding bits", "eyJhIjoxfR==", "eyJhIjoxfR=="],
    [
      "Base64 of invalid UTF-8",
      Buffer.from([0x7b, 0xff, 0xfe]).toString("base64"),
      Buffer.from([0x7b, 0xff, 0xfe]).toString("base64"),
    ],
    ["JSON text is not Base64", '{"a":1}', '{"a":1}'],
    ["empty string", "", ""],
  ])("%s", (_label, input, expected) => {
    expect(decodeBodyString(input, "auto").toString("utf8")).toBe(expected);
  });

  it("isCanonicalBase64 rejects URL-safe and unpadded forms", () => {
    expect(isCanonicalBase64("eyJhIjoxfQ==")).toBe(true);
    expect(isCanonicalBase64("eyJhIjoxfQ")).toBe(false);
    expect(isCanonicalBase64("-_-_")).toBe(false);
  });
});

describe("mnsBodyEncoding / kafkaValueEncoding options", () => {
  it("text keeps Base64 of JSON as text", () => {
    expect(firstBody(mnsQueue(b64('{"a":1}')), { mnsBodyEncoding: "text" })).toBe(b64('{"a":1}'));
  });

  it("base64 decodes even when the result is not JSON", () => {
    expect(firstBody(mnsQueue(b64("hello")), { mnsBodyEncoding: "base64" })).toBe("hello");
  });

  it("base64 with a body that is not Base64 sets that message apart (to be dead-lettered), naming the field", () => {
    const decoded = decodeInvocation(mnsQueue("not base64!"), 0, { mnsBodyEncoding: "base64" });
    expect(decoded.kind === "batch" && decoded.deliveries).toEqual([]);
    const apart = decoded.kind === "batch" ? decoded.undecodable?.[0] : undefined;
    expect(apart?.error).toBeInstanceOf(UnknownEventShapeError);
    expect(apart?.error.message).toMatch(/data\.messageBody is not canonical Base64/);
    expect(apart?.deliveryId).toBe("ce-1");
  });

  it("applies to the MNS topic Message too", () => {
    const notification = Buffer.from(
      JSON.stringify({ TopicOwner: "o", TopicName: "t", MessageId: "m", Message: b64('{"a":1}') }),
    );
    expect(firstBody(notification)).toBe('{"a":1}');
    expect(firstBody(notification, { mnsBodyEncoding: "text" })).toBe(b64('{"a":1}'));
  });

  it("Kafka: object re-serialized, null value empty, text and Base64 by the auto rule", () => {
    expect(firstBody(kafka({ b: [1, 2] }))).toBe('{"b":[1,2]}');
    expect(firstBody(kafka(null))).toBe("");
    expect(firstBody(kafka(b64('{"c":true}')))).toBe('{"c":true}');
    expect(firstBody(kafka(b64('{"c":true}')), { kafkaValueEncoding: "text" })).toBe(b64('{"c":true}'));
  });

  it("a raw Base64 invocation (STREAM without attributes) is decoded only when allowed", () => {
    const raw = Buffer.from(b64('{"id":"e-1","changes":{}}'));
    expect(firstBody(raw)).toBe('{"id":"e-1","changes":{}}');
    expect(() => decodeInvocation(raw, 0, { mnsBodyEncoding: "text" })).toThrow(
      /not JSON: \d+ bytes of text/,
    );
  });
});
