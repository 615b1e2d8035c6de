import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MnsEmulator, startMnsEmulator } from "../../local/mns-emulator/server.ts";
import { computeSignature } from "../../local/mns-emulator/signature.ts";
import { DEMO_KEY, sdkClient, sdkError, sendRaw, signedRequest, xmlField } from "./mns-emulator-sdk.ts";

const STS = { accessKeyId: "STS.local-demo", accessKeySecret: "sts-secret", securityToken: "token-123" };

let emulator: MnsEmulator;

beforeEach(async () => {
  emulator = await startMnsEmulator({ credentials: [DEMO_KEY, STS], queues: [{ name: "jobs" }] });
});

afterEach(async () => {
  await emulator.close();
});

describe("MNS emulator signature algorithm", () => {
  it("reproduces the doc's worked example", () => {
    const toSign = "GET\n\n\nThu, 09 Jul 2015 03:01:34 GMT\nx-mns-version:2015-06-06\n/MyQueue";
    expect(computeSignature("TestAccessSecret", toSign)).toBe("uwx3yeWoILzgmvesW0BQSgfM7b8=");
  });

  it("reproduces the Node SDK example with its base64(hex md5) Content-MD5", () => {
    const toSign =
      "POST\nNWFmMjMzODM2N2M4NGZjNjBjYTg5YWY5MmM2NGFjY2U=\ntext/xml\nThu, 01 Jan 2026 00:00:00 GMT\n" +
      "x-mns-date:Thu, 01 Jan 2026 00:00:00 GMT\nx-mns-version:2015-06-06\n/topics/my-topic/messages";
    expect(computeSignature("testSecret", toSign)).toBe("LmkayyTrl31Q+KEo1dHRK0HQsf8=");
  });
});

describe("MNS emulator request authentication", () => {
  it("accepts a request signed by hand the documented way", async () => {
    const res = await signedRequest(emulator, {
      method: "POST",
      resource: "/queues/jobs/messages",
      body: '<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageBody>hi</MessageBody></Message>',
    });
    expect(res.status).toBe(201);
    expect(res.headers["content-type"]).toBe("text/xml;charset=utf-8");
    expect(res.headers["x-mns-version"]).toBe("2015-06-06");
    expect(res.headers["x-mns-request-id"]).toMatch(/^[0-9A-F]{24}$/);
    expect(xmlField(res.text, "MessageBodyMD5")).toBe("49F68A5C8493EC2C0BF489821C21FC3B");
  });

  it("answers a wrong secret with SignatureDoesNotMatch", async () => {
    const mns = sdkClient(emulator, { accessKeySecret: "wrong-secret" });
    const error = await sdkError(mns.sendMessage("jobs", { MessageBody: "x" }));
    expect(error.name).toBe("MNSSignatureDoesNotMatchError");
    expect(error.message).toContain("failed with 403");
    expect(emulator.state.queueMessages("jobs")).toEqual([]);
  });

  it("answers an unknown AccessKeyId with InvalidAccessKeyId", async () => {
    const mns = sdkClient(emulator, { accessKeyId: "LTAI_nobody" });
    const error = await sdkError(mns.receiveMessage("jobs"));
    expect(error.name).toBe("MNSInvalidAccessKeyIdError");
    expect(error.message).toContain("failed with 403");
  });

  it("answers a date more than 15 minutes off with TimeExpired, in the documented <Error> shape", async () => {
    const res = await signedRequest(emulator, {
      method: "GET",
      resource: "/queues/jobs",
      date: new Date(Date.now() - 16 * 60 * 1000),
    });
    expect(res.status).toBe(408);
    expect(res.headers["content-type"]).toBe("text/xml;charset=utf-8");
    expect(res.text).toContain('<Error xmlns="http://mns.aliyuncs.com/doc/v1/">');
    expect(xmlField(res.text, "Code")).toBe("TimeExpired");
    expect(xmlField(res.text, "RequestId")).toBe(res.headers["x-mns-request-id"]);
    expect(xmlField(res.text, "HostId")).toBe(emulator.url);

    const fresh = await signedRequest(emulator, {
      method: "GET",
      resource: "/queues/jobs",
      date: new Date(Date.now() - 10 * 60 * 1000),
    });
    expect(fresh.status).toBe(200);
  });

  it("requires the STS token for an STS key and checks its value", async () => {
    const withToken = sdkClient(emulator, STS);
    expect((await withToken.sendMessage("jobs", { MessageBody: "sts" })).code).toBe(201);

    const { securityToken: _unused, ...withoutTokenOptions } = STS;
    const missing = await sdkError(
      sdkClient(emulator, withoutTokenOptions).sendMessage("jobs", { MessageBody: "x" }),
    );
    expect(missing.name).toBe("MNSAccessDeniedError");
    expect(missing.message).toContain("security-token");

    const wrong = await sdkError(
      sdkClient(emulator, { ...STS, securityToken: "stolen" }).receiveMessage("jobs"),
    );
    expect(wrong.name).toBe("MNSAccessDeniedError");
    expect(emulator.state.queueMessages("jobs").map((m) => m.body)).toEqual(["sts"]);
  });

  it("checks Content-MD5: accepts the raw-digest form, rejects a mismatch with InvalidDegist", async () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageBody>m</MessageBody></Message>';
    const rawDigest = createHash("md5").update(body).digest("base64");
    const accepted = await signedRequest(emulator, {
      method: "POST",
      resource: "/queues/jobs/messages",
      body,
      contentMd5: rawDigest,
    });
    expect(accepted.status).toBe(201);

    const mismatch = await signedRequest(emulator, {
      method: "POST",
      resource: "/queues/jobs/messages",
      body,
      contentMd5: Buffer.from("0".repeat(32)).toString("base64"),
    });
    expect(mismatch.status).toBe(400);
    expect(xmlField(mismatch.text, "Code")).toBe("InvalidDegist");
    expect(emulator.state.queueMessages("jobs")).toHaveLength(1);
  });

  it("answers a missing Authorization header with MissingAuthorizationHeader", async () => {
    const res = await sendRaw(emulator, "GET", "/queues/jobs", {
      date: new Date().toUTCString(),
      "x-mns-version": "2015-06-06",
    });
    expect(res.status).toBe(400);
    expect(xmlField(res.text, "Code")).toBe("MissingAuthorizationHeader");
  });

  it("answers malformed XML from a hand-signed request with MalformedXML", async () => {
    const res = await signedRequest(emulator, {
      method: "POST",
      resource: "/queues/jobs/messages",
      body: "<Message><MessageBody>unclosed</Message>",
    });
    expect(res.status).toBe(400);
    expect(xmlField(res.text, "Code")).toBe("MalformedXML");
  });
});
