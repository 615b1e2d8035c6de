#!/usr/bin/env node
/**
 * Sends what Feishu/Lark sends, for trying a `feishu` route (docs/sources.md, "Feishu step by step"):
 *   node examples/send-feishu.mjs <url> challenge          the url_verification challenge, encrypted, unsigned
 *   node examples/send-feishu.mjs <url> <event.json>       an event: token, event_id and create_time filled in,
 *                                                          encrypted and signed (X-Lark-Signature)
 * Reads FEISHU_ENCRYPT_KEY and FEISHU_VERIFICATION_TOKEN from the environment. Plain Node, no dependencies.
 * Algorithms: Feishu's "Encrypt Key" page and larksuite/oapi-sdk-go (event/dispatcher).
 */
import { createCipheriv, createHash, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";

const [url, what] = process.argv.slice(2);
const key = process.env.FEISHU_ENCRYPT_KEY;
const token = process.env.FEISHU_VERIFICATION_TOKEN;
if (!url || !what || !key || !token) {
  console.error(
    "usage: FEISHU_ENCRYPT_KEY=… FEISHU_VERIFICATION_TOKEN=… node examples/send-feishu.mjs <url> challenge|<event.json>",
  );
  process.exit(2);
}

function encrypt(plain) {
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", createHash("sha256").update(key).digest(), iv);
  return Buffer.concat([iv, cipher.update(plain, "utf8"), cipher.final()]).toString("base64");
}

let plain;
const headers = { "content-type": "application/json" };
if (what === "challenge") {
  plain = JSON.stringify({ challenge: randomUUID(), token, type: "url_verification" });
} else {
  const event = JSON.parse(readFileSync(what, "utf8"));
  event.header = {
    ...event.header,
    token,
    event_id: randomUUID().replace(/-/g, ""),
    create_time: String(Date.now()),
  };
  plain = JSON.stringify(event);
}
const body = JSON.stringify({ encrypt: encrypt(plain) });
if (what !== "challenge") {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(8).toString("hex");
  headers["x-lark-request-timestamp"] = timestamp;
  headers["x-lark-request-nonce"] = nonce;
  headers["x-lark-signature"] = createHash("sha256")
    .update(timestamp + nonce + key + body)
    .digest("hex");
}
const res = await fetch(url, { method: "POST", headers, body });
console.log(res.status, await res.text());
