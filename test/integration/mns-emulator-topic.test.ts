import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MnsEmulator, startMnsEmulator } from "../../local/mns-emulator/server.ts";
import { type MnsSdkClient, sdkClient, sdkError, upperMd5 } from "./mns-emulator-sdk.ts";

let emulator: MnsEmulator;
let mns: MnsSdkClient;

beforeEach(async () => {
  emulator = await startMnsEmulator({
    queues: [{ name: "dead-letters" }, { name: "audit" }],
    topics: [{ name: "user-sync-dlq" }, { name: "tiny", maximumMessageSize: 1024 }],
    subscriptions: [
      { topic: "user-sync-dlq", name: "to-dead-letters", queue: "dead-letters", filterTag: "failed" },
      { topic: "user-sync-dlq", name: "to-audit", queue: "audit" },
    ],
  });
  mns = sdkClient(emulator);
});

afterEach(async () => {
  await emulator.close();
});

describe("MNS emulator topics, driven by @alicloud/mns", () => {
  it("pushes a published message to the subscribed queues", async () => {
    const body = Buffer.from('{"eventId":"e-1"}').toString("base64");
    const published = await mns.publishMessage("user-sync-dlq", {
      MessageBody: body,
      MessageTag: "failed",
      MessageAttributes: { DirectSMS: "unused" },
    });
    expect(published.code).toBe(201);
    expect(published.body.MessageBodyMD5).toBe(upperMd5(body));

    const received = await mns.receiveMessage("dead-letters");
    expect(received.body.MessageBody).toBe(body);
    expect(received.body.MessageBodyMD5).toBe(upperMd5(body));

    expect(emulator.state.queueMessages("dead-letters")[0]?.source).toEqual({
      topic: "user-sync-dlq",
      subscription: "to-dead-letters",
      topicMessageId: published.body.MessageId,
      messageTag: "failed",
      messageAttributes: { DirectSMS: "unused" },
    });
    expect(emulator.state.topicMessages("user-sync-dlq")).toEqual([
      expect.objectContaining({
        messageId: published.body.MessageId,
        body,
        messageTag: "failed",
        deliveredTo: ["dead-letters", "audit"],
      }),
    ]);
  });

  it("pushes only to subscriptions whose filterTag matches the MessageTag", async () => {
    await mns.publishMessage("user-sync-dlq", { MessageBody: "other-tag", MessageTag: "retry" });
    await mns.publishMessage("user-sync-dlq", { MessageBody: "no-tag" });

    expect(emulator.state.queueMessages("dead-letters")).toEqual([]);
    expect(emulator.state.queueMessages("audit").map((m) => m.body)).toEqual(["other-tag", "no-tag"]);
    expect(emulator.state.topicMessages("user-sync-dlq").map((m) => m.deliveredTo)).toEqual([
      ["audit"],
      ["audit"],
    ]);
  });

  it("answers an unknown topic with TopicNotExist", async () => {
    expect((await sdkError(mns.publishMessage("missing", { MessageBody: "x" }))).name).toBe(
      "MNSTopicNotExistError",
    );
  });

  it("rejects an oversize message and a MessageTag over 16 characters", async () => {
    const oversize = await sdkError(mns.publishMessage("tiny", { MessageBody: "x".repeat(1025) }));
    expect(oversize.name).toBe("MNSInvalidArgumentError");
    const longTag = await sdkError(
      mns.publishMessage("tiny", { MessageBody: "x", MessageTag: "t".repeat(17) }),
    );
    expect(longTag.name).toBe("MNSInvalidArgumentError");
    expect(longTag.message).toContain("MessageTag");
    expect(emulator.state.topicMessages("tiny")).toEqual([]);
  });

  it("makes the next PublishMessage calls fail on failNext", async () => {
    emulator.state.failNext("PublishMessage", 2);
    const first = await sdkError(mns.publishMessage("user-sync-dlq", { MessageBody: "a" }));
    expect(first.name).toBe("MNSInternalErrorError");
    expect(first.message).toContain("failed with 500");
    expect((await sdkError(mns.publishMessage("user-sync-dlq", { MessageBody: "b" }))).name).toBe(
      "MNSInternalErrorError",
    );
    expect((await mns.publishMessage("user-sync-dlq", { MessageBody: "c" })).code).toBe(201);
    expect(emulator.state.topicMessages("user-sync-dlq").map((m) => m.body)).toEqual(["c"]);

    emulator.state.failNext("PublishMessage", 1, "ServiceUnavailable");
    const unavailable = await sdkError(mns.publishMessage("user-sync-dlq", { MessageBody: "d" }));
    expect(unavailable.name).toBe("MNSServiceUnavailableError");
    expect(unavailable.message).toContain("failed with 503");
  });

  it("failNext touches only the named operation and rejects unknown names", async () => {
    emulator.state.failNext("SendMessage", 1);
    expect((await mns.publishMessage("user-sync-dlq", { MessageBody: "fine" })).code).toBe(201);
    expect(() => emulator.state.failNext("Publish", 1)).toThrow(/operation must be one of/);
    expect(() => emulator.state.failNext("PublishMessage", 1, "Boom")).toThrow(
      /code must be a known MNS error code/,
    );
  });

  it("creates topics over the API and reads their attributes", async () => {
    const created = await mns.createTopic("events", { MaximumMessageSize: 2048 });
    expect(created.code).toBe(201);
    expect((await mns.createTopic("events", { MaximumMessageSize: 2048 })).code).toBe(204);
    expect((await mns.getTopicAttributes("events")).body).toMatchObject({
      TopicName: "events",
      MaximumMessageSize: "2048",
    });
  });
});
