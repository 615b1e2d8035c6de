/**
 * The door under hostile requests, with the shipped routes file: random methods, paths, headers (including
 * near-valid signatures, tokens and Feishu envelopes) and bodies. Nothing throws; nothing unauthenticated enters;
 * every answer is one of the door's refusals, names no route, echoes nothing of the request and shows no secret.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Door } from "../../shared/door/door.ts";
import { RouteTable, routesFromFile } from "../../shared/door/route-table.ts";
import { createLogger } from "../../shared/log.ts";
import type { Delivery } from "../../shared/triggers/delivery.ts";
import { base64Garbage, hostileString } from "./support/hostile-input.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_821);
const SECRETS = {
  FEISHU_ENCRYPT_KEY: "fuzz-feishu-encrypt-key",
  FEISHU_VERIFICATION_TOKEN: "fuzz-feishu-token",
  BAMBOOHR_WEBHOOK_KEYS: "fuzz-bamboo-key",
  WEBHOOK_SECRETS: `whsec_${Buffer.alloc(32, 9).toString("base64")}`,
  SCIM_BEARER_TOKENS: "fuzz-scim-token",
};
const logLines: string[] = [];
const door = new Door(
  new RouteTable(
    routesFromFile(JSON.parse(readFileSync("examples/senders.json", "utf8")), {
      env: SECRETS,
      mappingNames: ["feishu-contact-user-updated-v3", "bamboohr-employee"],
      hasSourceQueue: true,
    }),
  ),
  createLogger({ level: "debug", sink: (line) => logLines.push(line) }),
);

const path = fc.oneof(
  fc.constantFrom(
    "/hooks/feishu",
    "/hooks/bamboohr",
    "/events",
    "/scim/v2/Users/u1",
    "/scim/v2",
    "/",
    "/hooks/",
  ),
  hostileString.map((s) => `/${s}`),
);
const method = fc.constantFrom(
  "GET",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "HEAD",
  "OPTIONS",
  "TRACE",
  "post",
  "",
);
const headerValue = fc.oneof(
  hostileString,
  base64Garbage,
  fc.constantFrom("Bearer ", "Bearer fuzz", "v1,AAAA", "sha256=00"),
);
const headers = fc.dictionary(
  fc.constantFrom(
    "authorization",
    "x-lark-signature",
    "x-lark-request-timestamp",
    "x-lark-request-nonce",
    "x-bamboohr-signature",
    "x-bamboohr-timestamp",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "content-type",
    "ce-specversion",
  ),
  headerValue,
);
const body = fc.oneof(
  hostileString,
  base64Garbage.map((garbage) => JSON.stringify({ encrypt: garbage })),
  fc.constantFrom(
    '{"type":"url_verification","challenge":"c","token":"guess"}',
    '{"schema":"2.0","header":{"token":"x"}}',
  ),
);

describe("the door under hostile requests", () => {
  it("refuses every unauthenticated request, echoing nothing and naming no route", () => {
    fc.assert(
      fc.property(method, path, headers, body, (m, p, h, b) => {
        const delivery: Delivery = {
          trigger: "http",
          deliveryId: "d",
          receivedAt: 0,
          body: Buffer.from(b),
          headers: h,
          http: { method: m, path: p, query: {} },
          original: {},
        };
        const outcome = door.open(delivery, Date.now(), "fuzz");
        expect(outcome.kind).toBe("answer");
        if (outcome.kind !== "answer") return;
        expect([401, 404, 405, 413]).toContain(outcome.response.statusCode);
        const answer = outcome.response.body;
        for (const secret of Object.values(SECRETS)) expect(answer).not.toContain(secret);
        if (b.length >= 6) expect(answer).not.toContain(b);
        if (outcome.response.statusCode === 404) expect(answer).not.toMatch(/feishu|bamboohr|events|scim/);
      }),
      { seed: SEED, numRuns: 2000 },
    );
    for (const secret of Object.values(SECRETS)) expect(logLines.join("\n")).not.toContain(secret);
  });
});
