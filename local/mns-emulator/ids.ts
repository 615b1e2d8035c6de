import { randomBytes } from "node:crypto";

/** 32 upper-case hex characters, like the MessageIds in the official SDK tests (the format is opaque). */
export function newMessageId(): string {
  return randomBytes(16).toString("hex").toUpperCase();
}

export function newRequestId(): string {
  return randomBytes(12).toString("hex").toUpperCase();
}

let handleSequence = 0;

/**
 * Receipt handles deliberately always contain `+` and end in `==` (standard Base64), characters real
 * handles can hold, so a client that form-decodes `+` into a space or mangles the unencoded handle fails
 * here as it would in the cloud.
 */
export function newReceiptHandle(): string {
  handleSequence += 1;
  return `${handleSequence}+${randomBytes(16).toString("base64")}`;
}
