/**
 * Dead letters through the real @alicloud/mns client into the MNS emulator: what is published, how big records
 * are kept whole, and that a publish failure fails the invocation instead of losing the event.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_CUSTOM_FIELDS, DEMO_INSTANCE_ID, DEMO_USERS } from "../../local/demo-data.ts";
import { type EiamEmulator, startEiamEmulator } from "../../local/eiam-emulator/server.ts";
import { type MnsEmulator, startMnsEmulator } from "../../local/mns-emulator/server.ts";
import { decompress, encodeForMns, joinParts, type PartEnvelope } from "../../shared/dead-letter/envelope.ts";
import { MnsDeadLetterPublisher } from "../../shared/dead-letter/mns-publisher.ts";
import { DeadLetterRecord } from "../../shared/dead-letter/record.ts";
import { handleInvocation } from "../../shared/handler/handle-invocation.ts";
import { createRuntime, type Runtime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";
import { canonicalEvent, fcContext, httpTriggerEvent, mnsQueueCloudEvents } from "../helpers/fc-events.ts";

const TOPIC = "eiam-user-sync-dead-letters";
/** The function role's STS keys, as FC passes them in context.credentials; both services check the token. */
const STS = { accessKeyId: "STS.local_role", accessKeySecret: "role-secret", securityToken: "sts-token-1" };
const QUEUE = "eiam-user-sync-dead-letters-q";
let eiam: EiamEmulator;
let mns: MnsEmulator;
let runtime: Runtime;

beforeAll(async () => {
  eiam = await startEiamEmulator({
    instanceIds: [DEMO_INSTANCE_ID],
    credentials: [STS],
    users: DEMO_USERS,
    customFields: DEMO_CUSTOM_FIELDS,
  });
  mns = await startMnsEmulator({
    credentials: [STS],
    topics: [{ name: TOPIC }],
    queues: [{ name: QUEUE }],
    subscriptions: [{ topic: TOPIC, name: "operators", queue: QUEUE }],
  });
  runtime = createRuntime(
    {
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      WEBHOOK_AUTH: "none",
      DEAD_LETTER_TOPIC: TOPIC,
      MNS_ACCOUNT_ID: mns.accountId,
      MNS_ENDPOINT: mns.url,
      EIAM_RETRY_BASE_MS: "1",
      EIAM_RETRY_MAX_MS: "5",
    },
    { logger: createLogger({ sink: () => undefined }) },
  );
});

afterAll(async () => {
  await Promise.all([eiam.close(), mns.close()]);
});

beforeEach(() => {
  mns.state.reset();
});

/** The invocation's role credentials are STS keys, like FC's context.credentials. */
const context = () => fcContext({ credentials: STS });

function published(): DeadLetterRecord[] {
  return mns.state.queueMessages(QUEUE).map((m) => DeadLetterRecord.parse(JSON.parse(m.body) as unknown));
}

describe("dead-lettering to an MNS topic", () => {
  it("publishes an invalid queue message whole, tagged with its stage, and answers with its message id", async () => {
    const broken = JSON.stringify(
      canonicalEvent({ id: "broken-1" }, { phone: "not a phone", email: "<a&b>@x" }),
    );
    const result = (await handleInvocation(
      mnsQueueCloudEvents([broken]),
      context(),
      runtime,
      Date.now(),
    )) as {
      results: Array<{ status: string; deadLetterId?: string }>;
    };
    expect(result.results[0]).toMatchObject({ status: "dead_lettered" });
    const [record] = published();
    expect(record).toMatchObject({
      kind: "eiam-user-sync.dead-letter",
      version: 1,
      eventId: "broken-1",
      error: { stage: "validate", retryable: false },
      delivery: { trigger: "mns-queue", encoding: "json" },
      functionName: "eiam-user-sync",
    });
    expect(record!.error.problems?.map((p) => p.path)).toEqual(
      expect.arrayContaining(["changes.phone", "changes.email"]),
    );
    // The original CloudEvent, exactly as received, including the body with XML-special characters.
    expect((record!.delivery.original as { data: { messageBody: string } }).data.messageBody).toBe(broken);
    const topicMessage = mns.state.topicMessages(TOPIC)[0]!;
    expect(topicMessage.messageTag).toBe("validate");
    expect(result.results[0]!.deadLetterId).toBe(topicMessage.messageId);
  });

  it("publishes a permanent EIAM error with the EIAM code, status and request id", async () => {
    const event = JSON.stringify(canonicalEvent({ user: { userId: "user_missing00000000000000000" } }));
    await handleInvocation(mnsQueueCloudEvents([event]), context(), runtime, Date.now());
    const [record] = published();
    expect(record!.error).toMatchObject({
      stage: "apply",
      code: "EntityNotExists.User",
      httpStatus: 404,
      retryable: false,
    });
    expect(record!.error.eiamRequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(record!.userId).toBe("user_missing00000000000000000");
    expect(record!.change).toMatchObject({ fields: { displayName: "Zhang San" } });
  });

  it("dead-letters a retryable error that is still failing after every attempt", async () => {
    eiam.state.setFaults({ failureRate: 1, failureKinds: ["5xx"] });
    try {
      await handleInvocation(
        mnsQueueCloudEvents([JSON.stringify(canonicalEvent())]),
        context(),
        runtime,
        Date.now(),
      );
    } finally {
      eiam.state.clearFaults();
    }
    const [record] = published();
    expect(record!.error).toMatchObject({ stage: "apply", code: "ServiceUnavailable", retryable: true });
    expect(record!.attempts).toBe(4);
  });

  it("tells a webhook sender the dead-letter message id in the 400 answer", async () => {
    const res = (await handleInvocation(
      httpTriggerEvent({ id: "x", occurredAt: "2026-11-28T08:00:00Z", user: { userId: "u" }, changes: {} }),
      context(),
      runtime,
      Date.now(),
    )) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).deadLetterId).toBe(mns.state.topicMessages(TOPIC)[0]!.messageId);
  });

  it("fails the invocation when the topic cannot be written, so the platform delivers again", async () => {
    mns.state.failNext("PublishMessage", 3);
    const broken = JSON.stringify(canonicalEvent({}, { phone: "x" }));
    await expect(
      handleInvocation(mnsQueueCloudEvents([broken]), context(), runtime, Date.now()),
    ).rejects.toThrow(/cannot publish to MNS topic/);
    expect(published()).toHaveLength(0);
    // The platform's redelivery succeeds once MNS is back.
    const again = (await handleInvocation(mnsQueueCloudEvents([broken]), context(), runtime, Date.now())) as {
      results: Array<{ status: string }>;
    };
    expect(again.results[0]!.status).toBe("dead_lettered");
    expect(published()).toHaveLength(1);
  });

  it("keeps a record over the 64 KB message limit whole: compressed, or split into parts", async () => {
    const publisher = new MnsDeadLetterPublisher(
      { accountId: mns.accountId, topic: TOPIC, endpoint: mns.url },
      STS,
    );
    const record = (original: unknown): DeadLetterRecord => ({
      kind: "eiam-user-sync.dead-letter",
      version: 1,
      delivery: {
        trigger: "direct",
        deliveryId: "d",
        receivedAt: new Date(0).toISOString(),
        encoding: "json",
        original,
      },
      error: { stage: "decode", code: "UnreadablePayload", message: "too big", retryable: false },
      attempts: 0,
      firstSeenAt: new Date(0).toISOString(),
      failedAt: new Date(0).toISOString(),
    });
    // Compressible: 200 KB of repeated text fits in one gzip message.
    const big = record({ blob: "abc".repeat(70_000) });
    await publisher.publish(big);
    // Incompressible: 150 KB of random Base64 needs several parts.
    const random = record({
      blob: Buffer.from(Array.from({ length: 110_000 }, () => Math.floor(Math.random() * 256))).toString(
        "base64",
      ),
    });
    const { messageId } = await publisher.publish(random);
    expect(messageId).toMatch(/\+\d+$/);

    const bodies = mns.state.queueMessages(QUEUE).map((m) => JSON.parse(m.body) as Record<string, unknown>);
    expect(bodies.every((b) => JSON.stringify(b).length <= 64 * 1024)).toBe(true);
    const gz = bodies.filter((b) => b.kind === "eiam-user-sync.dead-letter.gz");
    expect(gz).toHaveLength(1);
    expect(JSON.parse(decompress(gz[0]!.data as string))).toEqual(big);
    const parts = bodies.filter(
      (b) => b.kind === "eiam-user-sync.dead-letter.part",
    ) as unknown as PartEnvelope[];
    expect(parts.length).toBeGreaterThan(1);
    expect(JSON.parse(joinParts([...parts].reverse())!)).toEqual(random);
    expect(joinParts(parts.slice(1))).toBeUndefined();
  });

  it("encodes small records as plain JSON", () => {
    expect(encodeForMns('{"a":1}', "id")).toEqual(['{"a":1}']);
  });
});
