import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MnsEmulator, startMnsEmulator } from "../../local/mns-emulator/server.ts";
import { type MnsSdkClient, sdkClient, sdkError } from "./mns-emulator-sdk.ts";

let emulator: MnsEmulator;
let mns: MnsSdkClient;

beforeEach(async () => {
  emulator = await startMnsEmulator({
    queues: [{ name: "inbox" }],
    topics: [{ name: "events" }],
    subscriptions: [{ topic: "events", name: "to-inbox", queue: "inbox" }],
  });
  mns = sdkClient(emulator);
});

afterEach(async () => {
  await emulator.close();
});

async function admin(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${emulator.url}/__admin/${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  return { status: res.status, json: await res.json() };
}

describe("MNS emulator admin API", () => {
  it("reports health", async () => {
    expect(await admin("GET", "health")).toEqual({ status: 200, json: { status: "ok" } });
  });

  it("creates a queue, a topic and a subscription, and lists them", async () => {
    expect((await admin("POST", "queues", { name: "extra", visibilityTimeoutSeconds: 5 })).status).toBe(201);
    expect((await admin("POST", "topics", { name: "more" })).status).toBe(201);
    const sub = await admin("POST", "subscriptions", {
      topic: "more",
      name: "more-to-extra",
      queue: "extra",
      filterTag: "x",
    });
    expect(sub.status).toBe(201);

    const queues = await admin("GET", "queues");
    expect(queues.json).toEqual({
      queues: [
        expect.objectContaining({ name: "inbox" }),
        expect.objectContaining({
          name: "extra",
          attributes: expect.objectContaining({ visibilityTimeoutSeconds: 5 }),
        }),
      ],
    });
    expect((await admin("GET", "topics")).json).toEqual({
      topics: [expect.objectContaining({ name: "events" }), expect.objectContaining({ name: "more" })],
    });
    expect((await admin("GET", "subscriptions")).json).toEqual({
      subscriptions: [
        expect.objectContaining({ topic: "events", name: "to-inbox", queue: "inbox" }),
        expect.objectContaining({ topic: "more", name: "more-to-extra", queue: "extra", filterTag: "x" }),
      ],
    });

    await mns.publishMessage("more", { MessageBody: "tagged", MessageTag: "x" });
    expect(emulator.state.queueMessages("extra").map((m) => m.body)).toEqual(["tagged"]);
  });

  it("shows queue and topic messages, invisible ones included", async () => {
    await mns.publishMessage("events", { MessageBody: "published", MessageTag: "t" });
    await mns.receiveMessage("inbox");

    const queueMessages = await admin("GET", "queues/inbox/messages");
    expect(queueMessages.json).toEqual({
      messages: [
        expect.objectContaining({
          body: "published",
          dequeueCount: 1,
          status: "inactive",
          visible: false,
          source: expect.objectContaining({ topic: "events", messageTag: "t" }),
        }),
      ],
    });
    expect((await admin("GET", "topics/events/messages")).json).toEqual({
      messages: [expect.objectContaining({ body: "published", messageTag: "t", deliveredTo: ["inbox"] })],
    });
  });

  it("purges a queue and resets everything to the configured setup", async () => {
    await mns.sendMessage("inbox", { MessageBody: "a" });
    expect((await admin("POST", "queues/inbox/purge")).json).toEqual({ purged: 1 });
    expect(emulator.state.queueMessages("inbox")).toEqual([]);

    await admin("POST", "queues", { name: "temporary" });
    await mns.publishMessage("events", { MessageBody: "b" });
    expect((await admin("POST", "reset")).json).toEqual({ reset: true });
    expect(emulator.state.listQueues().map((q) => q.name)).toEqual(["inbox"]);
    expect(emulator.state.queueMessages("inbox")).toEqual([]);
    expect(emulator.state.topicMessages("events")).toEqual([]);
    expect(emulator.state.listSubscriptions()).toHaveLength(1);
  });

  it("injects failures with fail-next", async () => {
    const injected = await admin("POST", "fail-next", {
      operation: "SendMessage",
      count: 1,
      code: "QueueNotExist",
    });
    expect(injected.json).toEqual({
      pending: { operation: "SendMessage", remaining: 1, code: "QueueNotExist" },
    });
    expect((await sdkError(mns.sendMessage("inbox", { MessageBody: "x" }))).name).toBe(
      "MNSQueueNotExistError",
    );
    expect((await mns.sendMessage("inbox", { MessageBody: "y" })).code).toBe(201);
  });

  it("names the field and the rule on bad input, and 404s unknown things", async () => {
    expect(await admin("POST", "fail-next", { operation: "SendMessage" })).toEqual({
      status: 400,
      json: { error: { code: "InvalidInput", message: "count must be an integer" } },
    });
    const badQueue = await admin("POST", "queues", { name: "bad", visibilityTimeoutSeconds: 0 });
    expect(badQueue.status).toBe(400);
    expect(JSON.stringify(badQueue.json)).toContain("VisibilityTimeout should between 1 and 43200");
    expect((await admin("GET", "queues/missing/messages")).status).toBe(404);
    expect((await admin("GET", "nothing-here")).status).toBe(404);
  });
});
