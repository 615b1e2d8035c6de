import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EiamEmulator, startEiamEmulator } from "../../local/eiam-emulator/server.ts";
import {
  acsDate,
  callEiam,
  callEiamError,
  INSTANCE_ID,
  makeClient,
  sendRaw,
  signV1,
  signV3,
} from "./eiam-emulator.support.ts";

const STS_KEY = {
  accessKeyId: "STS.local_key",
  accessKeySecret: "sts-secret",
  securityToken: "sts-token-value",
};
const USER_ID = "user_sig00000000000000000000000";

let emulator: EiamEmulator;

beforeAll(async () => {
  emulator = await startEiamEmulator({
    credentials: [{ accessKeyId: "LTAI_local_demo", accessKeySecret: "local-demo-secret" }, STS_KEY],
    customFields: [{ fieldName: "nick_name" }],
    users: [{ userId: USER_ID, username: "sig.user", displayName: "Sig User" }],
  });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.state.reset();
});

const getUser = { InstanceId: INSTANCE_ID, UserId: USER_ID };

describe("signatures through the real @alicloud/openapi-client 0.4.15", () => {
  it("accepts the default V3 (ACS3-HMAC-SHA256) signature", async () => {
    const result = await callEiam(makeClient(emulator), "GetUser", getUser);
    expect(result.statusCode).toBe(200);
    expect((result.body.User as { Username: string }).Username).toBe("sig.user");
    expect(emulator.state.requestLog.at(-1)?.signatureMethod).toBe("ACS3-HMAC-SHA256");
  });

  it("accepts the V1 HMAC-SHA1 query signature (signatureAlgorithm v2)", async () => {
    const result = await callEiam(makeClient(emulator, { signatureAlgorithm: "v2" }), "GetUser", getUser);
    expect(result.statusCode).toBe(200);
    const entry = emulator.state.requestLog.at(-1);
    expect(entry?.signatureMethod).toBe("HMAC-SHA1");
    // The V1 common parameters (Signature, Timestamp, …) are not business parameters.
    expect(entry?.params).toEqual(getUser);
  });

  it.each([
    ["V3", undefined],
    ["V1", "v2" as const],
  ])(
    "round-trips spaces, +, ', (, *, ~ and Chinese characters through the %s signature",
    async (_name, algorithm) => {
      const displayName = "Zoë O'Neil (ops)* 张三 a+b ~x!";
      const fieldValue = "a b+c '(*)' 中文=&?";
      const client = makeClient(emulator, algorithm ? { signatureAlgorithm: algorithm } : {});
      await callEiam(client, "UpdateUser", {
        ...getUser,
        DisplayName: displayName,
        CustomFields: [{ FieldName: "nick_name", FieldValue: fieldValue, Operation: "replace" }],
      });
      const user = emulator.state.getUser(USER_ID);
      expect(user?.displayName).toBe(displayName);
      expect(user?.customFields.nick_name).toBe(fieldValue);
      const listed = await callEiam(client, "ListUsers", {
        InstanceId: INSTANCE_ID,
        DisplayNameStartsWith: "Zoë O'Neil (ops)* 张",
      });
      expect(listed.body.TotalCount).toBe(1);
    },
  );

  it("accepts an STS key with its security token", async () => {
    const result = await callEiam(makeClient(emulator, STS_KEY), "GetUser", getUser);
    expect(result.statusCode).toBe(200);
    expect(emulator.state.requestLog.at(-1)?.accessKeyId).toBe(STS_KEY.accessKeyId);
  });

  it("accepts an STS key with its token over V1 (SecurityToken parameter)", async () => {
    const result = await callEiam(
      makeClient(emulator, { ...STS_KEY, signatureAlgorithm: "v2" }),
      "GetUser",
      getUser,
    );
    expect(result.statusCode).toBe(200);
  });

  it.each([
    [
      "a wrong token",
      { ...STS_KEY, securityToken: "not-the-token" },
      "InvalidSecurityToken.MismatchWithAccessKey",
    ],
    [
      "no token",
      { accessKeyId: STS_KEY.accessKeyId, accessKeySecret: STS_KEY.accessKeySecret },
      "MissingSecurityToken",
    ],
    [
      "a token on a permanent key",
      { securityToken: "some-token" },
      "InvalidSecurityToken.MismatchWithAccessKey",
    ],
  ])("refuses %s with 400", async (_name, key, code) => {
    const error = await callEiamError(makeClient(emulator, key), "GetUser", getUser);
    expect(error.code).toBe(code);
    expect(error.statusCode).toBe(400);
  });

  it.each([
    ["V3", undefined],
    ["V1", "v2" as const],
  ])("answers SignatureDoesNotMatch 400 for a wrong secret (%s)", async (_name, algorithm) => {
    const client = makeClient(emulator, {
      accessKeySecret: "wrong-secret",
      ...(algorithm ? { signatureAlgorithm: algorithm } : {}),
    });
    const error = await callEiamError(client, "GetUser", getUser);
    expect(error.code).toBe("SignatureDoesNotMatch");
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain("Specified signature is not matched with our calculation");
  });

  it("answers InvalidAccessKeyId.NotFound 404 for an unknown key", async () => {
    const error = await callEiamError(
      makeClient(emulator, { accessKeyId: "LTAI_nobody" }),
      "GetUser",
      getUser,
    );
    expect(error.code).toBe("InvalidAccessKeyId.NotFound");
    expect(error.statusCode).toBe(404);
  });

  it("reuses one keep-alive socket for consecutive calls", async () => {
    const client = makeClient(emulator);
    await callEiam(client, "GetUser", getUser);
    await callEiam(client, "GetUser", getUser);
    const [first, second] = emulator.state.requestLog;
    expect(first?.status).toBe(200);
    expect(second?.status).toBe(200);
    expect(second?.connection).toBe(first?.connection);
  });
});

describe("raw signed requests", () => {
  const base = () => ({ endpoint: emulator.endpoint, action: "GetUser", query: getUser });

  it("accepts a correctly signed raw request and answers the POP success shape", async () => {
    const response = await sendRaw(signV3(base()));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json;charset=utf-8");
    expect(response.json.RequestId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  });

  it("answers errors as {RequestId, HostId, Code, Message, Recommend} JSON", async () => {
    const response = await sendRaw(
      signV3({ ...base(), query: { InstanceId: INSTANCE_ID, UserId: "user_missing" } }),
    );
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/json;charset=utf-8");
    expect(Object.keys(response.json).sort()).toEqual([
      "Code",
      "HostId",
      "Message",
      "Recommend",
      "RequestId",
    ]);
    expect(response.json.Code).toBe("EntityNotExists.User");
    expect(response.json.RequestId).toMatch(/^[0-9A-F-]{36}$/);
  });

  it("verifies against the decoded query, whatever percent-encoding the sender chose", async () => {
    const query = { ...getUser, Extra: "a (b)*'c ~d" };
    const signed = signV3({ ...base(), query });
    const rawQuery = `InstanceId=idaas_local_demo&UserId=${USER_ID}&Extra=a%20(b)*'c%20~d`;
    const response = await sendRaw(signed, `http://${emulator.endpoint}/?${rawQuery}`);
    expect(response.status).toBe(200);
  });

  it("refuses a query changed after signing", async () => {
    const signed = signV3({ ...base(), query: { ...getUser, DisplayName: "a" } });
    const response = await sendRaw(signed, signed.url.replace("DisplayName=a", "DisplayName=b"));
    expect(response.status).toBe(400);
    expect(response.json.Code).toBe("SignatureDoesNotMatch");
  });

  it.each([
    ["20 minutes old", -20 * 60_000],
    ["20 minutes ahead", 20 * 60_000],
  ])("refuses an x-acs-date %s with IllegalTimestamp 400", async (_name, offset) => {
    const response = await sendRaw(signV3({ ...base(), date: acsDate(Date.now() + offset) }));
    expect(response.status).toBe(400);
    expect(response.json.Code).toBe("IllegalTimestamp");
    expect(String(response.json.Message)).toContain("x-acs-date");
  });

  it("accepts an x-acs-date 10 minutes old (inside the 900 s window)", async () => {
    const response = await sendRaw(signV3({ ...base(), date: acsDate(Date.now() - 10 * 60_000) }));
    expect(response.status).toBe(200);
  });

  it("refuses a malformed x-acs-date", async () => {
    const response = await sendRaw(signV3({ ...base(), date: new Date().toUTCString() }));
    expect(response.status).toBe(400);
    expect(response.json.Code).toBe("InvalidTimeStamp.Format");
  });

  it("refuses a replayed signature nonce with SignatureNonceUsed 400", async () => {
    const signed = signV3(base());
    expect((await sendRaw(signed)).status).toBe(200);
    const replay = await sendRaw(signed);
    expect(replay.status).toBe(400);
    expect(replay.json.Code).toBe("SignatureNonceUsed");
  });

  it("refuses an x-acs-content-sha256 that is not the body's hash", async () => {
    const signed = signV3(base());
    const response = await sendRaw({ ...signed, body: "tampered=1" });
    expect(response.status).toBe(400);
    expect(response.json.Code).toBe("InvalidContentSha256");
  });

  it("insists that the nonce header is signed", async () => {
    const response = await sendRaw(signV3({ ...base(), unsigned: ["x-acs-signature-nonce"] }));
    expect(response.status).toBe(400);
    expect(response.json.Code).toBe("IncompleteSignature");
    expect(String(response.json.Message)).toContain("x-acs-signature-nonce");
  });

  it("insists that a security token header is signed", async () => {
    const response = await sendRaw(signV3({ ...base(), ...STS_KEY, unsigned: ["x-acs-security-token"] }));
    expect(response.status).toBe(400);
    expect(response.json.Code).toBe("IncompleteSignature");
  });

  it("refuses an unsigned request", async () => {
    const response = await fetch(`${emulator.url}/?InstanceId=${INSTANCE_ID}&UserId=${USER_ID}`, {
      method: "POST",
      headers: { "x-acs-action": "GetUser", "x-acs-version": "2021-12-01" },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { Code: string }).Code).toBe("IncompleteSignature");
  });

  it("takes business parameters from a signed form body too", async () => {
    const response = await sendRaw(
      signV3({ ...base(), action: "UpdateUser", query: getUser, formBody: { DisplayName: "From Body" } }),
    );
    expect(response.status).toBe(200);
    expect(emulator.state.getUser(USER_ID)?.displayName).toBe("From Body");
  });

  it("refuses a wrong x-acs-version with InvalidVersion and an unknown action with InvalidAction.NotFound", async () => {
    const badVersion = await sendRaw(signV3({ ...base(), version: "2022-02-25" }));
    expect(badVersion.status).toBe(400);
    expect(badVersion.json.Code).toBe("InvalidVersion");
    const badAction = await sendRaw(signV3({ ...base(), action: "DeleteEverything" }));
    expect(badAction.status).toBe(404);
    expect(badAction.json.Code).toBe("InvalidAction.NotFound");
  });

  it("V1: refuses a stale Timestamp and a replayed SignatureNonce", async () => {
    const stale = await sendRaw(signV1({ ...base(), timestamp: acsDate(Date.now() - 60 * 60_000) }));
    expect(stale.status).toBe(400);
    expect(stale.json.Code).toBe("IllegalTimestamp");
    const signed = signV1(base());
    expect((await sendRaw(signed)).status).toBe(200);
    const replay = await sendRaw(signed);
    expect(replay.json.Code).toBe("SignatureNonceUsed");
  });

  it("V1: a parameter missing from the signed set is reported by name", async () => {
    const signed = signV1(base());
    const response = await sendRaw(signed, signed.url.replace(/&SignatureNonce=[^&]*/, ""));
    expect(response.status).toBe(400);
    expect(response.json.Code).toBe("MissingParameter.SignatureNonce");
  });
});
