import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { DeadLetterRecord } from "../../shared/dead-letter/record.ts";
import { buildDeadLetterRecord } from "../../shared/pipeline/dead-letters.ts";

describe("the dead-letter record", () => {
  it("is built from a delivery, keeping the original exactly (Base64 for bytes that are not JSON)", () => {
    const record = buildDeadLetterRecord(
      {
        delivery: {
          trigger: "direct",
          deliveryId: "d-1",
          receivedAt: Date.parse("2026-11-28T08:00:00Z"),
          body: Buffer.from([0xff, 0x00]),
          headers: {},
          original: Buffer.from([0xff, 0x00]),
        },
        error: { stage: "decode", code: "UnknownEventShape", message: "not JSON", retryable: false },
        attempts: 0,
      },
      { fcRequestId: "req-1", functionName: "fn", startedAt: 0, deadlineMs: 0, timeoutAtMs: 0 },
      Date.parse("2026-11-28T08:00:01Z"),
    );
    expect(DeadLetterRecord.parse(record)).toEqual(record);
    expect(record.delivery).toEqual({
      trigger: "direct",
      deliveryId: "d-1",
      receivedAt: "2026-11-28T08:00:00.000Z",
      encoding: "base64",
      original: "/wA=",
    });
    expect(record).toMatchObject({
      failedAt: "2026-11-28T08:00:01.000Z",
      fcRequestId: "req-1",
      functionName: "fn",
    });
  });

  it("matches the JSON Schema committed in docs/", () => {
    const committed = JSON.parse(readFileSync("docs/dead-letter-record.schema.json", "utf8")) as unknown;
    expect(committed).toEqual(
      JSON.parse(JSON.stringify(z.toJSONSchema(DeadLetterRecord, { target: "draft-2020-12" }))),
    );
  });
});
