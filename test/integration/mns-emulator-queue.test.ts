import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type MnsEmulator, startMnsEmulator } from "../../local/mns-emulator/server.ts";
import { type MnsSdkClient, sdkClient, sdkError, signedRequest, upperMd5 } from "./mns-emulator-sdk.ts";

let emulator: MnsEmulator;
let mns: MnsSdkClient;

beforeEach(async () => {
  emulator = await startMnsEmulator({
    queues: [
      { name: "jobs" },
      { name: "short", visibilityTimeoutSeconds: 1 },
      { name: "small", maximumMessageSize: 1024 },
    ],
  });
  mns = sdkClient(emulator);
});

afterEach(async () => {
  await emulator.close();
});

describe("MNS emulator queues, driven by @alicloud/mns", () => {
  it("sends, receives and deletes a message", async () => {
    const sent = await mns.sendMessage("jobs", { MessageBody: "hello" });
    expect(sent.code).toBe(201);
    expect(sent.body.MessageBodyMD5).toBe(upperMd5("hello"));
    expect(sent.body.MessageId).toMatch(/^[0-9A-F]{32}$/);

    const received = await mns.receiveMessage("jobs");
    expect(received.code).toBe(200);
    expect(received.body).toMatchObject({
      MessageId: sent.body.MessageId,
      MessageBody: "hello",
      MessageBodyMD5: upperMd5("hello"),
      DequeueCount: "1",
      Priority: "8",
    });
    const enqueued = Number(received.body.EnqueueTime);
    expect(Number(received.body.FirstDequeueTime)).toBeGreaterThanOrEqual(enqueued);
    expect(Number(received.body.NextVisibleTime)).toBeGreaterThanOrEqual(
      Number(received.body.FirstDequeueTime) + 30_000,
    );
    expect(emulator.state.queueMessages("jobs")[0]).toMatchObject({ status: "inactive", dequeueCount: 1 });

    const deleted = await mns.deleteMessage("jobs", received.body.ReceiptHandle ?? "");
    expect(deleted.code).toBe(204);
    expect(emulator.state.queueMessages("jobs")).toEqual([]);
  });

  it("batch-sends, batch-receives by priority and batch-deletes", async () => {
    const sent = await mns.batchSendMessage("jobs", [
      { MessageBody: "low", Priority: 16 },
      { MessageBody: "high", Priority: 1 },
      { MessageBody: "normal" },
    ]);
    expect(sent.code).toBe(201);
    expect(sent.body.map((m) => m.MessageBodyMD5)).toEqual([
      upperMd5("low"),
      upperMd5("high"),
      upperMd5("normal"),
    ]);

    const received = await mns.batchReceiveMessage("jobs", 16);
    expect(received.body.map((m) => m.MessageBody)).toEqual(["high", "normal", "low"]);
    expect(received.body.map((m) => m.Priority)).toEqual(["1", "8", "16"]);

    const deleted = await mns.batchDeleteMessage(
      "jobs",
      received.body.map((m) => m.ReceiptHandle ?? ""),
    );
    expect(deleted.code).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect(emulator.state.queueMessages("jobs")).toEqual([]);
  });

  it("reports the bad handles of a batch delete and deletes the good ones", async () => {
    await mns.batchSendMessage("jobs", [{ MessageBody: "a" }, { MessageBody: "b" }]);
    const [first, second] = (await mns.batchReceiveMessage("jobs", 2)).body;
    const renewed = await mns.changeMessageVisibility("jobs", second?.ReceiptHandle ?? "", 60);

    const result = await mns.batchDeleteMessage("jobs", [
      first?.ReceiptHandle ?? "",
      second?.ReceiptHandle ?? "",
      "not-a-handle",
    ]);
    expect(result.code).toBe(404);
    expect(result.body).toEqual([
      expect.objectContaining({ ErrorCode: "MessageNotExist", ReceiptHandle: second?.ReceiptHandle }),
      expect.objectContaining({ ErrorCode: "ReceiptHandleError", ReceiptHandle: "not-a-handle" }),
    ]);
    expect(emulator.state.queueMessages("jobs").map((m) => m.body)).toEqual(["b"]);
    expect(emulator.state.queueMessages("jobs")[0]?.receiptHandle).toBe(renewed.body.ReceiptHandle);
  });

  it("answers an empty queue with MessageNotExist", async () => {
    const error = await sdkError(mns.receiveMessage("jobs"));
    expect(error.name).toBe("MNSMessageNotExistError");
    expect(error.message).toContain("failed with 404");
    expect((await sdkError(mns.batchReceiveMessage("jobs", 4))).name).toBe("MNSMessageNotExistError");
    expect((await sdkError(mns.peekMessage("jobs"))).name).toBe("MNSMessageNotExistError");
  });

  it("long polling answers with a message sent while the receive waits", async () => {
    const started = Date.now();
    const receiving = mns.receiveMessage("jobs", 30);
    await vi.waitFor(() => expect(emulator.state.queueInfo("jobs").waitingReceivers).toBe(1));

    await mns.sendMessage("jobs", { MessageBody: "arrived later" });
    const received = await receiving;

    expect(received.body.MessageBody).toBe("arrived later");
    // Far below the 30 s wait: the receive was woken by the send, not by its deadline.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(emulator.state.queueInfo("jobs").waitingReceivers).toBe(0);
  });

  it("a long poll whose client went away takes no message", async () => {
    const abandon = new AbortController();
    const receiving = signedRequest(emulator, {
      method: "GET",
      resource: "/queues/jobs/messages?waitseconds=30",
      signal: abandon.signal,
    });
    await vi.waitFor(() => expect(emulator.state.queueInfo("jobs").waitingReceivers).toBe(1));
    abandon.abort();
    await expect(receiving).rejects.toThrow();
    await vi.waitFor(() => expect(emulator.state.queueInfo("jobs").waitingReceivers).toBe(0));

    await mns.sendMessage("jobs", { MessageBody: "still here" });
    expect(emulator.state.queueMessages("jobs")).toEqual([
      expect.objectContaining({ body: "still here", status: "active", dequeueCount: 0 }),
    ]);
  });

  it("closing the emulator ends a waiting long poll with MessageNotExist", async () => {
    const receiving = sdkError(mns.receiveMessage("jobs", 30));
    await vi.waitFor(() => expect(emulator.state.queueInfo("jobs").waitingReceivers).toBe(1));
    await emulator.close();
    expect((await receiving).name).toBe("MNSMessageNotExistError");
  });

  it("makes a message visible again after its visibility timeout, with DequeueCount 2", async () => {
    await mns.sendMessage("short", { MessageBody: "retry me" });
    const first = await mns.receiveMessage("short");
    expect(first.body.DequeueCount).toBe("1");
    expect((await sdkError(mns.receiveMessage("short"))).name).toBe("MNSMessageNotExistError");

    // The long poll waits out the 1 s visibility timeout.
    const second = await mns.receiveMessage("short", 10);
    expect(second.body).toMatchObject({
      MessageId: first.body.MessageId,
      DequeueCount: "2",
      FirstDequeueTime: first.body.FirstDequeueTime,
    });
    expect(second.body.ReceiptHandle).not.toBe(first.body.ReceiptHandle);

    const stale = await sdkError(mns.deleteMessage("short", first.body.ReceiptHandle ?? ""));
    expect(stale.name).toBe("MNSMessageNotExistError");
    expect((await mns.deleteMessage("short", second.body.ReceiptHandle ?? "")).code).toBe(204);
  });

  it("changes visibility with a new receipt handle and invalidates the old one", async () => {
    await mns.sendMessage("jobs", { MessageBody: "slow work" });
    const received = await mns.receiveMessage("jobs");
    const oldHandle = received.body.ReceiptHandle ?? "";

    const before = Date.now();
    const changed = await mns.changeMessageVisibility("jobs", oldHandle, 120);
    expect(changed.code).toBe(200);
    expect(changed.body.ReceiptHandle).not.toBe(oldHandle);
    expect(Number(changed.body.NextVisibleTime)).toBeGreaterThanOrEqual(before + 120_000);
    expect(emulator.state.queueMessages("jobs")[0]?.nextVisibleTime).toBe(
      Number(changed.body.NextVisibleTime),
    );

    expect((await sdkError(mns.deleteMessage("jobs", oldHandle))).name).toBe("MNSMessageNotExistError");
    expect((await sdkError(mns.changeMessageVisibility("jobs", oldHandle, 5))).name).toBe(
      "MNSMessageNotExistError",
    );
    expect((await sdkError(mns.deleteMessage("jobs", "1-made+up/handle=="))).name).toBe(
      "MNSReceiptHandleErrorError",
    );
    expect((await mns.deleteMessage("jobs", changed.body.ReceiptHandle ?? "")).code).toBe(204);
  });

  it("keeps the '+' and '=' of unencoded receipt handles intact", async () => {
    await mns.batchSendMessage(
      "jobs",
      Array.from({ length: 16 }, (_, i) => ({ MessageBody: `m${i}` })),
    );
    const handles = (await mns.batchReceiveMessage("jobs", 16)).body.map((m) => m.ReceiptHandle ?? "");
    for (const handle of handles) expect(handle).toMatch(/\+.*==$/);
    for (const handle of handles) expect((await mns.deleteMessage("jobs", handle)).code).toBe(204);
    expect(emulator.state.queueMessages("jobs")).toEqual([]);
  });

  it("peeks without receiving", async () => {
    await mns.batchSendMessage("jobs", [{ MessageBody: "one" }, { MessageBody: "two" }]);
    const peeked = await mns.peekMessage("jobs");
    expect(peeked.body.MessageBody).toBe("one");
    expect(peeked.body.ReceiptHandle).toBeUndefined();
    expect(peeked.body.DequeueCount).toBe("0");
    expect((await mns.batchPeekMessage("jobs", 16)).body.map((m) => m.MessageBody)).toEqual(["one", "two"]);
    expect(emulator.state.queueMessages("jobs").every((m) => m.status === "active")).toBe(true);
  });

  it("delays a message by DelaySeconds and returns a receipt handle for it", async () => {
    const sent = await mns.sendMessage("jobs", { MessageBody: "later", DelaySeconds: 1 });
    expect(sent.body.ReceiptHandle).toBeTruthy();
    expect(emulator.state.queueMessages("jobs")[0]?.status).toBe("delayed");
    expect((await sdkError(mns.receiveMessage("jobs"))).name).toBe("MNSMessageNotExistError");

    const received = await mns.receiveMessage("jobs", 10);
    expect(received.body).toMatchObject({ MessageBody: "later", DequeueCount: "1" });
  });

  it("round-trips a Base64 body holding '<', '&' and Chinese text", async () => {
    const text = '<user name="张三"> & 李四 </user>';
    const encoded = Buffer.from(text, "utf8").toString("base64");
    const sent = await mns.sendMessage("jobs", { MessageBody: encoded });
    expect(sent.body.MessageBodyMD5).toBe(upperMd5(encoded));

    const received = await mns.receiveMessage("jobs");
    expect(Buffer.from(received.body.MessageBody ?? "", "base64").toString("utf8")).toBe(text);
  });

  it("round-trips raw Chinese text, quotes and '>' (nothing the SDK fails to escape)", async () => {
    const text = '姓名: "王五" > 3';
    await mns.sendMessage("jobs", { MessageBody: text });
    const received = await mns.receiveMessage("jobs");
    expect(received.body.MessageBody).toBe(text);
    expect(received.body.MessageBodyMD5).toBe(upperMd5(text));
  });

  it("rejects a raw '&' or '<' body as MalformedXML, because the SDK does not escape it", async () => {
    expect((await sdkError(mns.sendMessage("jobs", { MessageBody: "Tom & Jerry" }))).name).toBe(
      "MNSMalformedXMLError",
    );
    expect((await sdkError(mns.sendMessage("jobs", { MessageBody: "a < b" }))).name).toBe(
      "MNSMalformedXMLError",
    );
    expect(emulator.state.queueMessages("jobs")).toEqual([]);
  });

  it("rejects an oversize message with InvalidArgument", async () => {
    const error = await sdkError(mns.sendMessage("small", { MessageBody: "x".repeat(1025) }));
    expect(error.name).toBe("MNSInvalidArgumentError");
    expect(error.message).toContain("MessageBody");
    expect((await mns.sendMessage("small", { MessageBody: "x".repeat(1024) })).code).toBe(201);
    // The default limit is 64 KB; multi-byte characters count as bytes.
    expect((await sdkError(mns.sendMessage("jobs", { MessageBody: "张".repeat(21846) }))).name).toBe(
      "MNSInvalidArgumentError",
    );
  });

  it("rejects batches of more than 16 messages or 64 KB", async () => {
    const tooMany = Array.from({ length: 17 }, () => ({ MessageBody: "x" }));
    expect((await sdkError(mns.batchSendMessage("jobs", tooMany))).name).toBe("MNSInvalidArgumentError");
    const tooBig = Array.from({ length: 2 }, () => ({ MessageBody: "x".repeat(40_000) }));
    expect((await sdkError(mns.batchSendMessage("jobs", tooBig))).name).toBe("MNSInvalidArgumentError");
    expect(emulator.state.queueMessages("jobs")).toEqual([]);
  });

  it("rejects out-of-range Priority and unknown elements", async () => {
    expect((await sdkError(mns.sendMessage("jobs", { MessageBody: "x", Priority: 17 }))).name).toBe(
      "MNSInvalidArgumentError",
    );
    const unknownField = { MessageBody: "x", Delay: 3 } as unknown as { MessageBody: string };
    const error = await sdkError(mns.sendMessage("jobs", unknownField));
    expect(error.name).toBe("MNSInvalidArgumentError");
    expect(error.message).toContain("<Delay>");
  });

  it("answers an unknown queue with QueueNotExist", async () => {
    expect((await sdkError(mns.sendMessage("nope", { MessageBody: "x" }))).name).toBe(
      "MNSQueueNotExistError",
    );
    expect((await sdkError(mns.receiveMessage("nope", 1))).name).toBe("MNSQueueNotExistError");
  });

  it("creates queues over the API: 201, 204 when identical, QueueAlreadyExist when different", async () => {
    const created = await mns.createQueue("fresh", { VisibilityTimeout: 45 });
    expect(created.code).toBe(201);
    expect(created.headers.location).toBe(`${emulator.url}/queues/fresh`);
    expect((await mns.createQueue("fresh", { VisibilityTimeout: 45 })).code).toBe(204);
    expect((await sdkError(mns.createQueue("fresh", { VisibilityTimeout: 60 }))).name).toBe(
      "MNSQueueAlreadyExistError",
    );

    const attributes = await mns.getQueueAttributes("fresh");
    expect(attributes.body).toMatchObject({
      QueueName: "fresh",
      VisibilityTimeout: "45",
      MaximumMessageSize: "65536",
    });
  });
});
