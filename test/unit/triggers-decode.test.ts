import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Delivery, TriggerKind } from "../../shared/triggers/delivery.ts";
import { decodeInvocation } from "../../shared/triggers/detect.ts";

const RECEIVED_AT = 1_795_852_805_000;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/triggers/${name}`, import.meta.url));
const sha256 = (text: string) => `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;

const EV1 =
  '{"id":"hr-7781-2","source":"workday","occurredAt":"2026-11-28T08:00:00Z","user":{"userId":"user_d6sbsuumeta4h66ec3il7y0001"},"changes":{"displayName":"Zoë O\'Neil"}}';
const EV2 =
  '{"id":"hr-7782-1","source":"workday","occurredAt":"2026-11-28T08:01:00Z","user":{"email":"ada@example.com"},"changes":{"customFields":{"cost_center":"CC-42"}}}';
const SCIM_PATCH =
  '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Zoë O\'Neil"}]}';

interface Expected {
  trigger: TriggerKind;
  deliveryId: string;
  body: string;
  headers: Record<string, string>;
}

function summary(delivery: Delivery): Expected {
  return {
    trigger: delivery.trigger,
    deliveryId: delivery.deliveryId,
    body: delivery.body.toString("utf8"),
    headers: delivery.headers,
  };
}

const batchCases: [string, Expected[]][] = [
  [
    "mns-queue-text.json",
    [{ trigger: "mns-queue", deliveryId: "C6DB60D1574661357FA2272774450001", body: EV1, headers: {} }],
  ],
  [
    "mns-queue-base64.json",
    [
      { trigger: "mns-queue", deliveryId: "C6DB60D1574661357FA2272774450002", body: EV1, headers: {} },
      { trigger: "mns-queue", deliveryId: "C6DB60D1574661357FA2272774450003", body: EV2, headers: {} },
    ],
  ],
  // The older single-object form; an empty messageId falls back to the CloudEvent id; "TEST" is Base64-valid
  // but does not decode to JSON, so `auto` keeps it as text.
  [
    "mns-queue-single-object.json",
    [{ trigger: "mns-queue", deliveryId: "ce-mns-0004", body: "TEST", headers: {} }],
  ],
  [
    "rocketmq-keys-tags.json",
    [
      {
        trigger: "rocketmq",
        deliveryId: "hr-7781-2",
        body: EV1,
        headers: {
          "webhook-id": "msg_rmq_1",
          tenant: "acme",
          tags: "user-updated",
          keys: "hr-7781-2",
          uniq_key: "AC1100A1000018B4AAC2744F0001",
        },
      },
    ],
  ],
  [
    "rocketmq-uniq-key.json",
    [
      {
        trigger: "rocketmq",
        deliveryId: "AC1100A1000018B4AAC2744F0002",
        body: EV2,
        headers: { uniq_key: "AC1100A1000018B4AAC2744F0002" },
      },
    ],
  ],
  [
    "kafka-json-value.json",
    [
      {
        trigger: "kafka",
        deliveryId: "user-changes-7-25",
        body: EV1,
        headers: { "webhook-id": "msg_kfk_1", trace: "trace-1" },
      },
    ],
  ],
  [
    "kafka-text-value.json",
    [{ trigger: "kafka", deliveryId: "user-changes-7-25", body: "hello kafka msg", headers: {} }],
  ],
  [
    "kafka-base64-value.json",
    [{ trigger: "kafka", deliveryId: "user-changes-7-25", body: EV2, headers: {} }],
  ],
  [
    "kafka-stringified-array.json",
    [
      { trigger: "kafka", deliveryId: "user-changes-7-25", body: EV1, headers: {} },
      { trigger: "kafka", deliveryId: "user-changes-7-26", body: EV2, headers: {} },
    ],
  ],
  [
    "rabbitmq-object-body.json",
    [
      {
        trigger: "rabbitmq",
        deliveryId: "f7622d51-e198-41de-a072-77c1ead70001",
        body: EV1,
        headers: { "webhook-id": "msg_amqp_1" },
      },
    ],
  ],
  [
    "rabbitmq-string-body.json",
    [{ trigger: "rabbitmq", deliveryId: "ce-amqp-0002", body: EV2, headers: {} }],
  ],
  [
    "mns-topic-json.json",
    [{ trigger: "mns-topic", deliveryId: "2F5B3C082B923D4EAC694B76D9280001", body: EV1, headers: {} }],
  ],
  [
    "mns-topic-json-attributes.json",
    [
      {
        trigger: "mns-topic",
        deliveryId: "2F5B3C082B923D4EAC694B76D9280002",
        body: EV2,
        headers: { "webhook-id": "msg_topic_1", tenant: "acme" },
      },
    ],
  ],
  [
    "mns-topic-stream-attrs.json",
    [
      {
        trigger: "mns-topic",
        deliveryId: sha256(EV1),
        body: EV1,
        headers: {
          "webhook-id": "msg_stream_1",
          tenant: "acme",
          extend: '{"Webhook-Id":"msg_stream_1","tenant":"acme"}',
        },
      },
    ],
  ],
  // STREAM without attributes is the raw message body: the same path as a direct invocation.
  [
    "mns-topic-stream-raw-base64.txt",
    [{ trigger: "direct", deliveryId: "hr-7782-1", body: EV2, headers: {} }],
  ],
  ["direct-single.json", [{ trigger: "direct", deliveryId: "hr-7781-2", body: `${EV1}\n`, headers: {} }]],
  [
    "direct-array.json",
    [
      { trigger: "direct", deliveryId: "hr-7781-2", body: EV1, headers: {} },
      { trigger: "direct", deliveryId: "hr-7782-1", body: EV2, headers: {} },
    ],
  ],
];

describe("decodeInvocation: batch triggers", () => {
  it.each(batchCases)("%s", (name, expected) => {
    const decoded = decodeInvocation(fixture(name), RECEIVED_AT);
    expect(decoded.kind).toBe("batch");
    if (decoded.kind !== "batch") return;
    expect(decoded.deliveries.map(summary)).toEqual(expected);
    for (const delivery of decoded.deliveries) {
      expect(delivery.receivedAt).toBe(RECEIVED_AT);
      expect(delivery.http).toBeUndefined();
    }
  });

  it("keeps each CloudEvent as the original of its delivery", () => {
    const decoded = decodeInvocation(fixture("mns-queue-base64.json"), RECEIVED_AT);
    if (decoded.kind !== "batch") throw new Error("expected a batch");
    const originals = JSON.parse(fixture("mns-queue-base64.json").toString("utf8")) as unknown[];
    expect(decoded.deliveries.map((delivery) => delivery.original)).toEqual(originals);
  });

  it("keeps the parsed CloudEvent (not the string) as the original in the stringified Kafka form", () => {
    const decoded = decodeInvocation(fixture("kafka-stringified-array.json"), RECEIVED_AT);
    if (decoded.kind !== "batch") throw new Error("expected a batch");
    expect(decoded.deliveries[0]?.original).toMatchObject({
      id: "ce-kfk-0004",
      type: "alikafka:Topic:Message",
    });
  });

  it("uses the direct event's own id only when it is a string, else a sha256 of the body", () => {
    const decoded = decodeInvocation(Buffer.from('{"id":42,"changes":{"displayName":"x"}}'), RECEIVED_AT);
    if (decoded.kind !== "batch") throw new Error("expected a batch");
    expect(decoded.deliveries[0]?.deliveryId).toBe(sha256('{"id":42,"changes":{"displayName":"x"}}'));
  });

  it("treats a SCIM resource sent directly as direct (the format stage decides)", () => {
    const decoded = decodeInvocation(fixture("direct-scim.json"), RECEIVED_AT);
    if (decoded.kind !== "batch") throw new Error("expected a batch");
    // Its `id` names the user, not the event, so the delivery id is a hash of the body.
    expect(decoded.deliveries[0]).toMatchObject({
      trigger: "direct",
      deliveryId: sha256(fixture("direct-scim.json").toString("utf8")),
    });
  });
});

describe("decodeInvocation: HTTP trigger", () => {
  it("plain body: lower-cased headers, comma-joined multi-values kept, webhook-id wins", () => {
    const decoded = decodeInvocation(fixture("http-plain.json"), RECEIVED_AT);
    expect(decoded.kind).toBe("http");
    if (decoded.kind !== "http") return;
    const { delivery } = decoded;
    expect(summary(delivery)).toEqual({
      trigger: "http",
      deliveryId: "msg_2Xb9Qk7rT1",
      body: EV1,
      headers: {
        "content-type": "application/json",
        "webhook-id": "msg_2Xb9Qk7rT1",
        "webhook-timestamp": "1795852800",
        "webhook-signature": "v1,c2lnbmF0dXJlLW5vdC1yZWFs",
        accept: "application/json,text/plain",
        "x-forwarded-for": "203.0.113.7,10.0.0.1",
      },
    });
    expect(delivery.http).toEqual({
      method: "POST",
      path: "/hooks/workday",
      query: { tenant: "acme", Tag: "a,b" },
      sourceIp: "203.0.113.7",
    });
    expect(delivery.receivedAt).toBe(RECEIVED_AT);
    expect(delivery.original).toEqual(JSON.parse(fixture("http-plain.json").toString("utf8")));
  });

  it("Base64 body is decoded; without webhook-id the FC requestId is the delivery id", () => {
    const decoded = decodeInvocation(fixture("http-base64.json"), RECEIVED_AT);
    if (decoded.kind !== "http") throw new Error("expected http");
    expect(summary(decoded.delivery)).toEqual({
      trigger: "http",
      deliveryId: "1-6747a9c1-bbbbbbbbbbbbbbbbbbbbbbbb",
      body: SCIM_PATCH,
      headers: { "content-type": "application/scim+json" },
    });
    expect(decoded.delivery.http?.method).toBe("PATCH");
    expect(decoded.delivery.http?.path).toBe("/scim/v2/Users/user_d6sbsuumeta4h66ec3il7y0001");
  });

  it("any method and the decoded path are carried; no ids at all → sha256 of the (empty) body", () => {
    const decoded = decodeInvocation(fixture("http-get-no-ids.json"), RECEIVED_AT);
    if (decoded.kind !== "http") throw new Error("expected http");
    expect(decoded.delivery.http).toMatchObject({ method: "GET", path: "/health check", query: {} });
    expect(decoded.delivery.deliveryId).toBe(sha256(""));
    expect(decoded.delivery.body.length).toBe(0);
  });
});
