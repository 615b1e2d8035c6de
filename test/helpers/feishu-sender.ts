/**
 * What Feishu sends, built as its documentation describes (Encrypt Key page; larksuite/oapi-sdk-go): the body
 * encrypted as base64(IV ‖ AES-256-CBC(SHA-256(key), PKCS#7)), and X-Lark-Signature = hex SHA-256 of
 * timestamp + nonce + Encrypt Key + raw body.
 */
import { createCipheriv, createHash, randomBytes } from "node:crypto";

export function feishuEncrypt(plain: string, encryptKey: string): string {
  const iv = randomBytes(16);
  const key = createHash("sha256").update(encryptKey).digest();
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  return Buffer.concat([iv, cipher.update(plain, "utf8"), cipher.final()]).toString("base64");
}

export function feishuHeaders(
  body: string,
  encryptKey: string,
  timestamp = String(Math.floor(Date.now() / 1000)),
) {
  const nonce = randomBytes(8).toString("hex");
  const signature = createHash("sha256")
    .update(timestamp + nonce + encryptKey + body)
    .digest("hex");
  return {
    "x-lark-request-timestamp": timestamp,
    "x-lark-request-nonce": nonce,
    "x-lark-signature": signature,
  };
}

/** A v2 contact.user.updated_v3 event, after the sample on Feishu's event page (trimmed). */
export function feishuUserUpdated(token: string, userId: string, name: string, eventId: string) {
  return {
    schema: "2.0",
    header: {
      event_id: eventId,
      event_type: "contact.user.updated_v3",
      create_time: String(Date.now()),
      token,
      app_id: "cli_9f5343c580712544",
      tenant_key: "2ca1d211f64f6438",
    },
    event: {
      object: { user_id: userId, name, email: "zhangsan@example.com" },
      old_object: { name: "Someone Else" },
    },
  };
}
