import { describe, expect, it } from "vitest";
import { classifyEiamError, EiamError } from "../../shared/eiam/errors.ts";

/** Errors shaped the way @alicloud/openapi-client 0.4.x throws them (eiam-openapi.md §2.1). */
function teaError(statusCode: number, code: string, requestId = "REQ-1") {
  const e = new Error(`${code}: code: ${statusCode}, msg request id: ${requestId}`) as Error &
    Record<string, unknown>;
  e.code = code;
  e.statusCode = statusCode;
  e.data = { RequestId: requestId, Code: code, Message: `message for ${code}`, statusCode };
  return e;
}

function netError(code: string, message: string, name = "Error") {
  const e = new Error(message) as Error & { code: string };
  e.code = code;
  e.name = name;
  return e;
}

describe("classifyEiamError", () => {
  it.each([
    [teaError(404, "EntityNotExists.User"), "EntityNotExists.User", false, 404],
    [teaError(403, "ResourceDuplicated.Username"), "ResourceDuplicated.Username", false, 403],
    [teaError(400, "InvalidParameter.Email"), "InvalidParameter.Email", false, 400],
    [teaError(400, "MissingParameter.UserId"), "MissingParameter.UserId", false, 400],
    [teaError(400, "SignatureDoesNotMatch"), "SignatureDoesNotMatch", false, 400],
    [teaError(400, "Throttling.User"), "Throttling.User", true, 400],
    [teaError(403, "Throttling.Api"), "Throttling.Api", true, 403],
    [teaError(429, "TooManyRequests"), "TooManyRequests", true, 429],
    [teaError(500, "InternalError"), "InternalError", true, 500],
    [teaError(503, "ServiceUnavailable"), "ServiceUnavailable", true, 503],
  ])("%#: HTTP errors keep code, status and request id", (err, code, retryable, status) => {
    const e = classifyEiamError(err);
    expect(e).toBeInstanceOf(EiamError);
    expect([e.code, e.retryable, e.httpStatus, e.requestId]).toEqual([code, retryable, status, "REQ-1"]);
    expect(e.message).toBe(`message for ${code}`);
  });

  it.each([
    [netError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1"), "ECONNREFUSED"],
    [netError("ECONNRESET", "socket hang up"), "ECONNRESET"],
    [netError("", "ReadTimeout(3000). GET /", "RequestTimeoutError"), "NetworkTimeout"],
    [new SyntaxError("Unexpected token < in JSON"), "InvalidResponse"],
  ])("%#: network failures and unreadable answers are retryable", (err, code) => {
    const e = classifyEiamError(err);
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(true);
    expect(e.httpStatus).toBeUndefined();
  });

  it("treats an unknown thrown value as permanent", () => {
    const e = classifyEiamError("boom");
    expect(e.retryable).toBe(false);
    expect(e.code).toBe("UnknownError");
  });

  it("marks throttling", () => {
    expect(classifyEiamError(teaError(400, "Throttling.User")).throttled).toBe(true);
    expect(classifyEiamError(teaError(500, "InternalError")).throttled).toBe(false);
  });
});

describe("what an EIAM error keeps of the SDK's words", () => {
  const url =
    "http://eiam.cn-hangzhou.aliyuncs.com/?Action=UpdateUser&DisplayName=Mei%20Kowalski&Email=mei%40example.com&PhoneNumber=13912345678";

  it.each([
    [
      "a timeout",
      Object.assign(new Error(`ReadTimeout(5000). POST ${url} failed.`), { name: "RequestTimeoutError" }),
    ],
    ["a dropped connection", Object.assign(new Error(`socket hang up ${url}`), { code: "ECONNRESET" })],
    [
      "a decoded URL",
      new Error("request to http://eiam/?DisplayName=Mei Kowalski&Email=mei@example.com failed"),
    ],
    ["an unknown error", new TypeError(`cannot read ${url}`)],
  ])("drops the request's parameters from %s", (_what, err) => {
    const e = classifyEiamError(err);
    for (const secret of ["Kowalski", "mei", "13912345678", "%40", "Email="])
      expect(e.message).not.toContain(secret);
  });
});
