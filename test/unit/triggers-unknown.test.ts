import { describe, expect, it } from "vitest";
import { UnknownEventShapeError } from "../../shared/triggers/delivery.ts";
import { decodeInvocation } from "../../shared/triggers/detect.ts";

function seenFor(payload: string): string {
  try {
    decodeInvocation(Buffer.from(payload, "utf8"), 0);
  } catch (error) {
    expect(error).toBeInstanceOf(UnknownEventShapeError);
    const shapeError = error as UnknownEventShapeError;
    expect(shapeError.message).toBe(`unrecognised event: ${shapeError.seen}`);
    return shapeError.seen;
  }
  throw new Error("expected UnknownEventShapeError");
}

const cloudEvent = (type: string, source = "somewhere", data: unknown = {}) =>
  JSON.stringify({ specversion: "1.0", id: "ce-1", type, source, data });

describe("decodeInvocation: unknown shapes are named, never quoted", () => {
  it.each([
    ['{"foo":1,"bar":"x"}', "a JSON object with keys [foo, bar]"],
    ["[1,2,3]", "a JSON array of 3 numbers"],
    ['[{"a":1},"x"]', "a JSON array of 2 elements (object, string)"],
    ["[]", "an empty JSON array"],
    ["{}", "an empty JSON object"],
    ['"just a string"', "a JSON string of 13 characters"],
    ["42", "a JSON number"],
    ["null", "JSON null"],
    ["hello topic", "not JSON: 11 bytes of text starting with a letter"],
    ["garbage.start@example.com, more", "not JSON: 31 bytes of text starting with a letter"],
    ["  42 apples", "not JSON: 11 bytes of text starting with a digit"],
    ["", "an empty invocation payload"],
    // an HTTP-looking event of another version is not the FC 3.0 HTTP trigger
    ['{"version":"v2","requestContext":{"http":{}}}', "a JSON object with keys [version, requestContext]"],
    // STREAM with attributes is exactly {body, attrs}
    ['{"body":"x","attrs":{},"more":1}', "a JSON object with keys [body, attrs, more]"],
    // an array of strings that are not CloudEvents
    ['["a","b"]', "a JSON array of 2 strings"],
  ])("%s → %s", (payload, seen) => {
    expect(seenFor(payload)).toBe(seen);
  });

  it("caps the number and length of keys it lists", () => {
    const keys = Array.from({ length: 20 }, (_, index) => [`key${index}`, index]);
    keys.push(["k".repeat(100), 1]);
    const seen = seenFor(JSON.stringify(Object.fromEntries(keys)));
    expect(seen).toContain("key0, key1");
    expect(seen).toContain("… (9 more)");
    expect(seen.length).toBeLessThan(200);
  });

  it("never quotes the payload, and shows a control character as ?", () => {
    expect(seenFor("\u0001\u0002cd")).toBe("not JSON: 4 bytes of text starting with '?'");
  });

  it("shows only keys that look like field names, and counts the others", () => {
    expect(seenFor('{"foo":1,"firstname.lastname@example.com":2}')).toBe(
      "a JSON object with keys [foo, … (1 more)]",
    );
  });

  it("names the unknown CloudEvent type", () => {
    expect(seenFor(cloudEvent("com.example.user.changed", "hr"))).toBe(
      "a CloudEvent of type 'com.example.user.changed' (source 'hr'); known types start with mns:Queue:, mq:Topic:, alikafka:Topic:, amqp:Queue:",
    );
  });

  it("sets apart only the CloudEvent of a batch that cannot be decoded; the others are delivered", () => {
    const batch = `[${cloudEvent("mns:Queue:SendMessage", "MNS-x", { messageId: "m", messageBody: "x" })},${cloudEvent("oss:ObjectCreated:PutObject")},{"not":"a CloudEvent"}]`;
    const decoded = decodeInvocation(Buffer.from(batch), 0);
    expect(decoded.kind === "batch" && decoded.deliveries.map((d) => d.deliveryId)).toEqual(["m"]);
    const apart = decoded.kind === "batch" ? (decoded.undecodable ?? []) : [];
    expect(apart.map((u) => u.error.message)).toEqual([
      expect.stringContaining("'oss:ObjectCreated:PutObject'"),
      "unrecognised event: a batch element that is not a CloudEvent",
    ]);
    expect(apart[1]!.deliveryId).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("reports a known CloudEvent whose data is not an object", () => {
    expect(seenFor(cloudEvent("mns:Queue:SendMessage", "MNS-x", "TEST"))).toBe(
      "a CloudEvent of type 'mns:Queue:SendMessage' (source 'MNS-x') whose data is not an object",
    );
  });

  it("reports an MNS queue message without a messageBody string", () => {
    expect(seenFor(cloudEvent("mns:Queue:SendMessage", "MNS-x", { messageId: "m" }))).toContain(
      "whose data.messageBody is not a string",
    );
  });

  it("Kafka is also recognised by source acs:alikafka", () => {
    const decoded = decodeInvocation(
      Buffer.from(cloudEvent("Message", "acs:alikafka", { topic: "t", partition: 0, offset: 0, value: "v" })),
      0,
    );
    expect(decoded.kind === "batch" && decoded.deliveries[0]?.trigger).toBe("kafka");
    expect(decoded.kind === "batch" && decoded.deliveries[0]?.deliveryId).toBe("t-0-0");
  });

  it("accepts any JSON object as direct only when configured to", () => {
    const payload = Buffer.from('{"employees":[{"id":"1"}]}');
    expect(() => decodeInvocation(payload, 0)).toThrow(UnknownEventShapeError);
    const decoded = decodeInvocation(payload, 0, { acceptAnyJsonAsDirect: true });
    expect(decoded.kind === "batch" && decoded.deliveries[0]?.trigger).toBe("direct");
  });
});
