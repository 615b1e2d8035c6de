/**
 * Property-based fuzzing of every input path, with random and hostile input (wrong types, huge strings, deep
 * nesting, lone surrogates, invalid UTF-8, __proto__/constructor/prototype keys, Base64 garbage). Properties:
 * nothing throws except the documented error classes, nothing pollutes a prototype, and every input ends
 * accepted (as a change UpdateUser takes) or rejected with problems from the documented vocabulary. End to end,
 * random HTTP bodies through the whole handler always get an answer with a known status.
 * Failures print fast-check's seed and path; set FUZZ_SEED to change the seed, RELIABILITY_SCALE to run more.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS, DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import type { CanonicalEvent } from "../../shared/events/canonical.ts";
import { parseCanonicalEvent } from "../../shared/events/parse.ts";
import { loadMappingConfig, type MappingConfig, MappingConfigError } from "../../shared/formats/index.ts";
import { parseMapped } from "../../shared/formats/mapped.ts";
import { DeferredEventsError, handleInvocation } from "../../shared/handler/handle-invocation.ts";
import { createRuntime, type Runtime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";
import { type NormalizeOptions, normalizeChange, PROBLEM_CODES } from "../../shared/normalize/index.ts";
import { OUTCOME_STATUSES } from "../../shared/pipeline/outcome.ts";
import { type PrepareOptions, prepareDelivery } from "../../shared/pipeline/prepare.ts";
import {
  type DecodeOptions,
  type Delivery,
  decodeInvocation,
  UnknownEventShapeError,
} from "../../shared/triggers/detect.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { fcContext, httpTriggerEvent } from "../helpers/fc-events.ts";
import {
  base64Garbage,
  deeplyNested,
  hostileJson,
  hostileKey,
  hostileString,
  hugeString,
  invalidUtf8,
} from "./support/hostile-input.ts";
import { mnsQueueBatch } from "./support/mns-cloud-events.ts";
import { type Mutation, type MutationKind, mutateToJson } from "./support/mutate-json.ts";
import {
  anyPayload,
  bambooShaped,
  feishuShaped,
  scimPatchShaped,
  scimPutShaped,
} from "./support/payload-shapes.ts";
import { problemListFaults, updateUserRefusal } from "./support/problem-vocabulary.ts";
import { prototypeChanges } from "./support/prototype-guard.ts";
import { scaled } from "./support/scale.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_821);
const runs = (base: number) => ({ seed: SEED, numRuns: scaled(base) });
const RECEIVED_AT = Date.UTC(2026, 10, 28, 12);
const HTTP_STATUSES = [200, 400, 401, 405, 413, 422, 503];

const FIXTURE_DIR = new URL("../fixtures/triggers/", import.meta.url);
const FIXTURES: unknown[] = readdirSync(FIXTURE_DIR)
  .filter((name) => name.endsWith(".json"))
  .map((name) => JSON.parse(readFileSync(new URL(name, FIXTURE_DIR), "utf8")) as unknown);

function exampleMapping(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../examples/mappings/${name}.json`, import.meta.url), "utf8"));
}
const EXAMPLE_MAPPINGS = [
  exampleMapping("bamboohr-employee"),
  exampleMapping("feishu-contact-user-updated-v3"),
];
const MAPPING: MappingConfig = loadMappingConfig(EXAMPLE_MAPPINGS);

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(() => {
  process.on("unhandledRejection", onUnhandled);
});

afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
  expect(prototypeChanges()).toEqual([]);
});

/** Decodes; only UnknownEventShapeError may be thrown, and it is turned into "unknown". */
function decodeOrUnknown(event: Buffer, options: DecodeOptions): Delivery[] | "unknown" {
  try {
    const decoded = decodeInvocation(event, RECEIVED_AT, options);
    return decoded.kind === "http" ? [decoded.delivery] : decoded.deliveries;
  } catch (err) {
    if (err instanceof UnknownEventShapeError) return "unknown";
    throw err;
  }
}

/** A delivery is well-formed: Buffer body, an id, string headers, no prototype tricks in them. */
function deliveryFaults(d: Delivery): string[] {
  const faults: string[] = [];
  if (!Buffer.isBuffer(d.body)) faults.push("body is not a Buffer");
  if (typeof d.deliveryId !== "string" || d.deliveryId === "") faults.push("no deliveryId");
  if (Object.getPrototypeOf(d.headers) !== Object.prototype) faults.push("headers has an odd prototype");
  for (const [name, value] of Object.entries(d.headers)) {
    if (typeof value !== "string") faults.push(`header ${name} is not a string`);
  }
  return faults;
}

/** Every prepared item is a change UpdateUser takes, or a rejection classified with the documented codes. */
function preparedFaults(delivery: Delivery, options: PrepareOptions): string[] {
  return prepareDelivery(delivery, options).flatMap((item) => {
    if (item.kind === "invalid") return problemListFaults(item.problems);
    const refusal = updateUserRefusal(item.change);
    return refusal === undefined ? [] : [`accepted a change UpdateUser refuses: ${refusal}`];
  });
}

function expectClean(faults: string[]) {
  expect(faults).toEqual([]);
  expect(prototypeChanges()).toEqual([]);
}

const decodeOptions: fc.Arbitrary<DecodeOptions> = fc.record({
  mnsBodyEncoding: fc.constantFrom("auto", "text", "base64"),
  kafkaValueEncoding: fc.constantFrom("auto", "text", "base64"),
  acceptAnyJsonAsDirect: fc.boolean(),
});

const prepareOptions: fc.Arbitrary<PrepareOptions> = fc.record({
  normalize: fc.constant({}),
  format: fc.constantFrom(undefined, "canonical", "scim", "mapped"),
  mapping: fc.constantFrom(undefined, MAPPING),
});

/** The whole path without I/O: bytes → deliveries → payload → canonical event → normalized change. */
function decodeAndPrepare(event: Buffer, decode: DecodeOptions, prepare: PrepareOptions): string[] {
  const deliveries = decodeOrUnknown(event, decode);
  if (deliveries === "unknown") return [];
  return deliveries.flatMap((d) => [...deliveryFaults(d), ...preparedFaults(d, prepare)]);
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom<MutationKind>(
    "replace",
    "replace",
    "delete",
    "forbidden-key",
    "deepen",
    "stringify",
    "base64",
  ),
  value: fc.oneof(hostileJson, base64Garbage, hostileString),
  depth: fc.constantFrom(3, 40, 6000, 10_000),
});

describe("trigger decoding (decodeInvocation), then every later stage", () => {
  it("random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), decodeOptions, prepareOptions, (bytes, d, p) => {
        expectClean(decodeAndPrepare(Buffer.from(bytes), d, p));
      }),
      runs(300),
    );
  });

  it("random JSON and payload-shaped JSON as the whole invocation", () => {
    fc.assert(
      fc.property(fc.oneof(hostileJson, anyPayload), decodeOptions, prepareOptions, (value, d, p) => {
        expectClean(decodeAndPrepare(Buffer.from(JSON.stringify(value) ?? "null"), d, p));
      }),
      runs(300),
    );
  });

  it("real trigger events (test/fixtures/triggers), mutated", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        decodeOptions,
        prepareOptions,
        (fixture, mutations, d, p) => {
          // At most one deep splice per case, applied last, keeps the cases quick.
          const ordered = [
            ...mutations.filter((m) => m.kind !== "deepen"),
            ...mutations.filter((m) => m.kind === "deepen").slice(0, 1),
          ];
          expectClean(decodeAndPrepare(Buffer.from(mutateToJson(fixture, ordered)), d, p));
        },
      ),
      runs(400),
    );
  });

  it("real trigger events whose message body is replaced by hostile text, Base64 garbage or invalid UTF-8", () => {
    const bodies = fc.oneof(
      hostileString,
      base64Garbage,
      invalidUtf8.map((b) => b.toString("latin1")),
      anyPayload.map((v) => JSON.stringify(v) ?? ""),
      anyPayload.map((v) => Buffer.from(JSON.stringify(v) ?? "").toString("base64")),
    );
    fc.assert(
      fc.property(
        fc.array(bodies, { minLength: 1, maxLength: 4 }),
        decodeOptions,
        prepareOptions,
        (list, d, p) => {
          const event = mnsQueueBatch(list.map((body, i) => ({ messageId: `M${i}`, body })));
          expectClean(decodeAndPrepare(event, d, p));
        },
      ),
      runs(200),
    );
  });
});

describe("payload formats (prepareDelivery: format, canonical validation, normalization)", () => {
  const asDelivery = (body: Buffer, headers: Record<string, string> = {}): Delivery => ({
    trigger: "http",
    deliveryId: "fuzz-delivery",
    receivedAt: RECEIVED_AT,
    body,
    headers,
    http: { method: "POST", path: "/", query: {} },
    original: null,
  });
  const contentType = fc.constantFrom(
    undefined,
    "application/json",
    "application/scim+json",
    "application/cloudevents+json",
    "application/cloudevents-batch+json",
    "text/plain",
  );

  it.each([
    ["canonical and CloudEvents", anyPayload],
    ["SCIM PUT", scimPutShaped],
    ["SCIM PATCH", scimPatchShaped],
    ["mapped (bamboohr-employee example)", bambooShaped],
    ["mapped (feishu-contact-user-updated-v3 example)", feishuShaped],
  ] as const)("%s", (_name, payload) => {
    fc.assert(
      fc.property(payload, prepareOptions, contentType, (value, options, type) => {
        const body = Buffer.from(JSON.stringify(value) ?? "null");
        expectClean(preparedFaults(asDelivery(body, type ? { "content-type": type } : {}), options));
      }),
      runs(400),
    );
  });

  it("hostile bodies: invalid UTF-8, Base64 garbage, huge and deep documents, forbidden keys", () => {
    const bodies = fc.oneof(
      invalidUtf8,
      base64Garbage.map((s) => Buffer.from(s)),
      fc
        .constantFrom(10_000, 100_000)
        .chain((depth) =>
          fc
            .constantFrom("array", "object")
            .map((kind) => Buffer.from(deeplyNested(depth, kind as "array" | "object"))),
        ),
      fc
        .constantFrom(1024 * 1024 - 200, 1024 * 1024 + 1)
        .map((size) =>
          Buffer.from(
            `{"id":"e","occurredAt":"2026-11-28T08:00:00Z","user":{"userId":"u"},"changes":{"displayName":"${hugeString(size)}"}}`,
          ),
        ),
      fc
        .tuple(fc.constantFrom("__proto__", "constructor", "prototype"), hostileJson)
        .map(([key, value]) =>
          Buffer.from(
            `{"id":"e","changes":{"customFields":{"${key}":${JSON.stringify(value) ?? "null"}}},"${key}":{"polluted":"yes"}}`,
          ),
        ),
    );
    fc.assert(
      fc.property(bodies, prepareOptions, (body, options) => {
        expectClean(preparedFaults(asDelivery(body), options));
      }),
      runs(100),
    );
  });
});

describe("normalization (normalizeChange) on arbitrary events of the declared type", () => {
  const anyText = hostileString;
  const userKey = fc.oneof(
    anyText.map((userId) => ({ userId })),
    anyText.map((email) => ({ email })),
    anyText.map((phone) => ({ phone })),
    anyText.map((username) => ({ username })),
    anyText.map((externalId) => ({ externalId })),
    fc.record({ id: anyText, sourceType: anyText }).map((externalId) => ({ externalId })),
  );
  const event = fc.record(
    {
      id: anyText,
      source: anyText,
      occurredAt: fc.oneof(
        anyText,
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ),
      user: userKey,
      changes: fc.record(
        {
          username: anyText,
          displayName: anyText,
          email: anyText,
          emailVerified: fc.boolean(),
          phone: anyText,
          phoneVerified: fc.boolean(),
          customFields: fc.dictionary(
            hostileKey,
            fc.oneof(anyText, fc.integer(), fc.boolean(), fc.constant(null)),
            {
              maxKeys: 4,
            },
          ),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ["id", "occurredAt", "user", "changes"] },
  );
  const options: fc.Arbitrary<NormalizeOptions> = fc.record(
    {
      defaultPhoneRegion: fc.constantFrom("CN", "US", "GB", "DE"),
      displayNameOverflow: fc.constantFrom("reject", "truncate"),
      usernameRule: fc.constant("email-local-part"),
      allowedCustomFields: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  );

  it("never throws; accepts only what UpdateUser takes, else names each problem with a documented code", () => {
    fc.assert(
      fc.property(event, options, (input, opts) => {
        const result = normalizeChange(input as unknown as CanonicalEvent, opts);
        if (result.ok) expect(updateUserRefusal(result.change)).toBeUndefined();
        else {
          expect(result.problems.length).toBeGreaterThan(0);
          for (const p of result.problems) expect(PROBLEM_CODES).toContain(p.code);
        }
        expect(prototypeChanges()).toEqual([]);
      }),
      runs(500),
    );
  });

  it("an email whose top-level domain is an IDN is refused by normalization or taken by UpdateUser", () => {
    const event = {
      id: "idn-1",
      occurredAt: "2026-11-28T08:00:00Z",
      user: { userId: "user_d6sbsuumeta4h66ec3il7yxxxx" },
      changes: { email: "ada@例子.测试" },
    };
    const result = normalizeChange(event as CanonicalEvent);
    if (result.ok) expect(updateUserRefusal(result.change)).toBeUndefined();
    else expect(result.problems.map((p) => p.code)).toEqual(["invalid_email"]);
  });

  it("the schema stage (parseCanonicalEvent) classifies any value at all", () => {
    fc.assert(
      fc.property(fc.oneof(hostileJson, anyPayload), (value) => {
        const parsed = parseCanonicalEvent(value);
        if (!parsed.ok) expectClean(problemListFaults(parsed.problems));
      }),
      runs(400),
    );
  });
});

describe("mapping configuration (loadMappingConfig) and evaluation (parseMapped)", () => {
  const jmespathish = fc.string({
    unit: fc.constantFrom(
      ..."[]{}().*@|&!<>=`'\"$,:?- abc01_".split(""),
      "keys(",
      "join(",
      "to_string(",
      "let ",
    ),
    maxLength: 24,
  });
  /** An example mapping with some expressions replaced by random or hostile ones. */
  const mutatedMapping = fc
    .tuple(
      fc.constantFrom(...EXAMPLE_MAPPINGS),
      fc.array(fc.tuple(fc.nat(), fc.oneof(jmespathish, hostileString)), { maxLength: 3 }),
    )
    .map(([mapping, edits]) => {
      const copy = structuredClone(mapping) as Record<string, unknown>;
      const keys = ["match", "each", "eventId", "occurredAt"];
      for (const [at, expr] of edits) copy[keys[at % keys.length]!] = expr;
      return copy;
    });

  it("loads or throws MappingConfigError, and a loaded config maps any payload without throwing", () => {
    fc.assert(
      fc.property(
        fc.oneof(hostileJson, mutatedMapping, fc.array(mutatedMapping, { maxLength: 2 })),
        fc.oneof(anyPayload, hostileJson),
        (config, payload) => {
          let loaded: MappingConfig;
          try {
            loaded = loadMappingConfig(config);
          } catch (err) {
            expect(err).toBeInstanceOf(MappingConfigError);
            return;
          }
          const result = parseMapped(payload as never, loaded);
          if (!result.ok) expectClean(problemListFaults(result.problems));
        },
      ),
      runs(400),
    );
  });

  it("an expression nested 10,000 levels deep is a MappingConfigError", () => {
    const config = structuredClone(EXAMPLE_MAPPINGS[0]) as Record<string, unknown>;
    config.eventId = `${"(".repeat(10_000)}id${")".repeat(10_000)}`;
    expect(() => loadMappingConfig(config)).toThrow(MappingConfigError);
    expect(prototypeChanges()).toEqual([]);
  });
});

describe("end to end through the handler", () => {
  let eiam: EiamEmulator;
  let open: Runtime;
  let signed: Runtime;
  const deadLetterDir = mkdtempSync(join(tmpdir(), "eiam-sync-fuzz-"));

  beforeAll(async () => {
    eiam = await startDemoEiam();
    const env = {
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
      DEAD_LETTER_FILE: join(deadLetterDir, "dead-letters.jsonl"),
      EIAM_RETRY_BASE_MS: "1",
      EIAM_RETRY_MAX_MS: "5",
    };
    const quiet = { logger: createLogger({ level: "error", sink: () => undefined }) };
    open = createRuntime({ ...env, WEBHOOK_AUTH: "none" }, quiet);
    signed = createRuntime(
      {
        ...env,
        WEBHOOK_AUTH: "standard-webhooks",
        WEBHOOK_SECRETS: `whsec_${Buffer.alloc(32, 7).toString("base64")}`,
        WEBHOOK_MAX_BODY_BYTES: "4096",
      },
      quiet,
    );
  });

  afterAll(async () => {
    await eiam?.close();
  });

  const httpBody = fc.oneof(
    anyPayload.map((v) => JSON.stringify(v) ?? ""),
    hostileString,
    fc.uint8Array({ maxLength: 6000 }).map((b) => Buffer.from(b).toString("latin1")),
    fc.constantFrom(deeplyNested(10_000, "array"), deeplyNested(10_000, "object")),
  );
  const request = fc.record({
    body: httpBody,
    method: fc.constantFrom("POST", "POST", "POST", "GET", "PUT", "DELETE", "OPTIONS"),
    base64: fc.boolean(),
    path: fc.constantFrom("/", "/events", "/scim/v2/Users/user_d6sbsuumeta4h66ec3il7yxxxx", "/hooks/feishu"),
    headers: fc.record(
      {
        "content-type": fc.constantFrom(
          "application/json",
          "application/scim+json",
          "application/cloudevents+json",
          "text/plain",
        ),
        "webhook-id": hostileString,
        "webhook-timestamp": fc.oneof(fc.constant(String(Math.floor(Date.now() / 1000))), hostileString),
        "webhook-signature": fc.oneof(
          base64Garbage.map((s) => `v1,${s}`),
          hostileString,
        ),
      },
      { requiredKeys: [] },
    ),
  });

  it("random HTTP requests always get an answer with a known status and a JSON body", async () => {
    await fc.assert(
      fc.asyncProperty(request, fc.boolean(), async (req, useSigned) => {
        const event = httpTriggerEvent(req.body, {
          method: req.method,
          path: req.path,
          headers: req.headers,
          base64: req.base64,
        });
        const answer = await handleInvocation(event, fcContext(), useSigned ? signed : open, Date.now());
        if (!("statusCode" in answer)) throw new Error("an HTTP request got a batch answer");
        expect(HTTP_STATUSES).toContain(answer.statusCode);
        expect(() => JSON.parse(answer.body)).not.toThrow();
        expect(prototypeChanges()).toEqual([]);
      }),
      runs(250),
    );
  });

  async function batchAnswer(event: Buffer) {
    try {
      const answer = await handleInvocation(event, fcContext(), open, Date.now());
      if (!("results" in answer)) throw new Error("a batch invocation got an HTTP answer");
      return answer;
    } catch (err) {
      if (err instanceof DeferredEventsError) return err.result;
      throw err;
    }
  }

  it("random queue batches and direct invocations always get a result per event", async () => {
    const invocation = fc.oneof(
      fc
        .array(
          fc.oneof(
            hostileString,
            anyPayload.map((v) => JSON.stringify(v) ?? ""),
          ),
          { minLength: 1, maxLength: 4 },
        )
        .map((bodies) => mnsQueueBatch(bodies.map((body, i) => ({ messageId: `M${i}`, body })))),
      fc.oneof(anyPayload, hostileJson).map((v) => Buffer.from(JSON.stringify(v) ?? "null")),
      fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
    );
    await fc.assert(
      fc.asyncProperty(invocation, async (event) => {
        const result = await batchAnswer(event);
        // A payload may hold no change at all (a SCIM PATCH of ignored attributes): then there is no outcome.
        for (const outcome of result.results) expect(OUTCOME_STATUSES).toContain(outcome.status);
        expect(Object.values(result.summary).reduce((a, b) => a + b, 0)).toBe(result.results.length);
        expect(prototypeChanges()).toEqual([]);
      }),
      runs(150),
    );
  });

  it.each([
    [
      "a direct invocation: array of canonical-looking events, one nested 10,000 levels",
      `[{"id":"deep","changes":${deeplyNested(10_000, "array")}}]`,
    ],
    [
      "a direct invocation: one canonical-looking event nested 10,000 levels",
      `{"id":"deep","changes":${deeplyNested(10_000, "object")}}`,
    ],
    [
      "a RocketMQ CloudEvent whose body is nested 10,000 levels",
      `[{"specversion":"1.0","id":"ce-1","source":"rocketmq","type":"mq:Topic:SendMessage","data":{"topic":"t","body":${deeplyNested(10_000, "object")}}}]`,
    ],
    [
      "a RabbitMQ CloudEvent whose body is nested 10,000 levels",
      `[{"specversion":"1.0","id":"ce-2","source":"rabbitmq","type":"amqp:Queue:SendMessage","data":{"body":${deeplyNested(10_000, "array")}}}]`,
    ],
    [
      "a Kafka CloudEvent whose value is nested 10,000 levels",
      `[{"specversion":"1.0","id":"ce-3","source":"acs:alikafka","type":"alikafka:Topic:Message","data":{"topic":"t","partition":0,"offset":1,"value":${deeplyNested(10_000, "object")}}}]`,
    ],
    [
      "an MNS CloudEvent whose body is a document nested 10,000 levels",
      JSON.stringify([
        {
          specversion: "1.0",
          id: "ce-4",
          source: "mns",
          type: "mns:Queue:SendMessage",
          data: { messageId: "M1", messageBody: deeplyNested(10_000, "array") },
        },
      ]),
    ],
    ["an unknown shape nested 10,000 levels", deeplyNested(10_000, "object")],
  ])("%s gets a result (dead-lettered), not a crash", async (_name, text) => {
    const result = await batchAnswer(Buffer.from(text));
    expect(result.results.length).toBeGreaterThan(0);
    for (const outcome of result.results) expect(outcome.status).toBe("dead_lettered");
  });

  it("an HTTP body nested 10,000 levels, or of 1 MB, is a 400 (or 413 when signed), not a crash", async () => {
    for (const text of [deeplyNested(10_000, "array"), `{"id":"${hugeString(1024 * 1024)}"}`]) {
      for (const runtime of [open, signed]) {
        const answer = await handleInvocation(httpTriggerEvent(text), fcContext(), runtime, Date.now());
        expect("statusCode" in answer && [400, 401, 413].includes(answer.statusCode)).toBe(true);
      }
    }
  });
});
