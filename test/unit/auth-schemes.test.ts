/**
 * The route authentication schemes against their senders' documented algorithms and published test vectors.
 * Sources: GitHub "Validating webhook deliveries" (its test values), BambooHR "Webhooks" (body followed by
 * X-BambooHR-Timestamp, hex HMAC-SHA256), HiBob "Working with webhooks" (Bob-Signature, base64 HMAC-SHA512,
 * "Ping test"), Stripe's `t=…,v1=…` header, Okta "Event hooks" (verification GET, static Authorization).
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { DoorRequest, Verdict } from "../../shared/auth/authenticator.ts";
import { hmacAuthenticator, parseTemplate } from "../../shared/auth/hmac-template.ts";
import { presetAuthenticator } from "../../shared/auth/presets.ts";
import { buildRouteAuth, type RouteAuth } from "../../shared/auth/route-auth.ts";
import {
  basicAuthenticator,
  bearerAuthenticator,
  oktaEventHookAuthenticator,
} from "../../shared/auth/static-token.ts";

const NOW_MS = 1_767_225_600_000;
const NOW_S = String(NOW_MS / 1000);

function request(
  body: string | Buffer,
  headers: Record<string, string>,
  more: Partial<DoorRequest> = {},
): DoorRequest {
  return {
    method: "POST",
    path: "/hooks/x",
    headers,
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    ...more,
  };
}

const reason = (verdict: Verdict) => (verdict.kind === "reject" ? verdict.reason : verdict.kind);

describe("github preset", () => {
  // GitHub docs, "Testing the webhook payload validation": this secret and payload give this signature.
  const secret = Buffer.from("It's a Secret to Everybody");
  const github = presetAuthenticator("github", { secrets: [secret] });
  const signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

  it("accepts GitHub's published test vector and names the delivery by X-GitHub-Delivery", () => {
    const verdict = github.check(
      request("Hello, World!", { "x-hub-signature-256": signature, "x-github-delivery": "72d3162e-cc78" }),
      NOW_MS,
    );
    expect(verdict).toEqual({ kind: "pass", deliveryId: "72d3162e-cc78" });
  });

  it("refuses the vector with one byte changed, a wrong prefix, or no header", () => {
    expect(reason(github.check(request("Hello, World?", { "x-hub-signature-256": signature }), NOW_MS))).toBe(
      "signature_mismatch",
    );
    expect(
      reason(github.check(request("Hello, World!", { "x-hub-signature-256": signature.slice(7) }), NOW_MS)),
    ).toBe("malformed_signature");
    expect(reason(github.check(request("Hello, World!", {}), NOW_MS))).toBe("missing_signature");
  });

  it("accepts during a rotation with either secret", () => {
    const rotating = presetAuthenticator("github", { secrets: [Buffer.from("new secret"), secret] });
    expect(rotating.check(request("Hello, World!", { "x-hub-signature-256": signature }), NOW_MS).kind).toBe(
      "pass",
    );
  });
});

describe("bamboohr preset", () => {
  const key = Buffer.from("bamboo-private-key");
  const body = '{"employees":[{"id":"123","changedFields":["firstName"],"fields":{"firstName":"Ann"}}]}';
  const timestamp = "1767225600";
  // BambooHR: HMAC-SHA256 with the private key over the raw body followed by X-BambooHR-Timestamp, hex.
  const signature = createHmac("sha256", key)
    .update(body + timestamp)
    .digest("hex");
  const bamboo = presetAuthenticator("bamboohr", { secrets: [key] });

  it("accepts the body followed by the timestamp (no separator)", () => {
    const headers = { "x-bamboohr-signature": signature, "x-bamboohr-timestamp": timestamp };
    expect(bamboo.check(request(body, headers), NOW_MS).kind).toBe("pass");
  });

  it("refuses another timestamp, a missing timestamp, and the Stripe-style order", () => {
    const other = { "x-bamboohr-signature": signature, "x-bamboohr-timestamp": "1767225601" };
    expect(reason(bamboo.check(request(body, other), NOW_MS))).toBe("signature_mismatch");
    expect(reason(bamboo.check(request(body, { "x-bamboohr-signature": signature }), NOW_MS))).toBe(
      "missing_timestamp",
    );
    const dotted = createHmac("sha256", key).update(`${timestamp}.${body}`).digest("hex");
    const headers = { "x-bamboohr-signature": dotted, "x-bamboohr-timestamp": timestamp };
    expect(reason(bamboo.check(request(body, headers), NOW_MS))).toBe("signature_mismatch");
  });

  it("takes an ISO-8601 timestamp as signed text (its format is not documented), unless a window is set", () => {
    const iso = "2026-01-01T00:00:00+0000";
    const headers = {
      "x-bamboohr-signature": createHmac("sha256", key)
        .update(body + iso)
        .digest("hex"),
      "x-bamboohr-timestamp": iso,
    };
    expect(bamboo.check(request(body, headers), NOW_MS).kind).toBe("pass");
    const windowed = presetAuthenticator("bamboohr", { secrets: [key], toleranceSeconds: 300 });
    expect(reason(windowed.check(request(body, headers), NOW_MS))).toBe("malformed_timestamp");
  });
});

describe("hibob preset", () => {
  const secret = Buffer.from("hibob-webhook-secret");
  const hibob = presetAuthenticator("hibob", { secrets: [secret] });
  const sign = (body: string) => createHmac("sha512", secret).update(body).digest("base64");

  it("accepts Bob-Signature, base64 HMAC-SHA512 of the body", () => {
    const body = '{"companyId":1,"type":"employee.updated","data":{"employeeId":"3332883884017713238"}}';
    expect(hibob.check(request(body, { "bob-signature": sign(body) }), NOW_MS)).toEqual({ kind: "pass" });
    const sha256 = createHmac("sha256", secret).update(body).digest("base64");
    expect(reason(hibob.check(request(body, { "bob-signature": sha256 }), NOW_MS))).toBe(
      "malformed_signature",
    );
  });

  it.each(["Ping test", '{"text":"Ping test"}'])(
    "answers its signed ping %s with 200 and applies nothing",
    (body) => {
      expect(hibob.check(request(body, { "bob-signature": sign(body) }), NOW_MS)).toEqual({
        kind: "answer",
        status: 200,
        body: { status: "ignored", reason: "ping" },
      });
      expect(reason(hibob.check(request(body, {}), NOW_MS))).toBe("missing_signature");
    },
  );
});

describe("stripe-style preset", () => {
  const secret = Buffer.from("whsec_stripe_style_secret");
  const stripe = presetAuthenticator("stripe-style", { secrets: [secret] });
  const body = '{"id":"evt_1"}';
  const v1 = (t: string) => createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");

  it("accepts t=…,v1=… with the secret used as its text, and any v1 during a rotation", () => {
    const header = `t=${NOW_S},v1=${"0".repeat(64)},v1=${v1(NOW_S)}`;
    expect(stripe.check(request(body, { "stripe-signature": header }), NOW_MS).kind).toBe("pass");
  });

  it("refuses an old timestamp (300 s by default) and a missing t", () => {
    const old = String(Number(NOW_S) - 301);
    expect(
      reason(stripe.check(request(body, { "stripe-signature": `t=${old},v1=${v1(old)}` }), NOW_MS)),
    ).toBe("timestamp_too_old");
    expect(reason(stripe.check(request(body, { "stripe-signature": `v1=${v1(NOW_S)}` }), NOW_MS))).toBe(
      "missing_timestamp",
    );
  });
});

describe("hmac with a signed-content template", () => {
  const secret = Buffer.from("template-secret");
  const parts = parseTemplate("{method} {path}\n{timestamp}.{deliveryId}.{body}");
  if ("problems" in parts) throw new Error("template");
  const auth = hmacAuthenticator("hmac", {
    secrets: [secret],
    algorithm: "sha512",
    encoding: "base64",
    header: "x-sig",
    headerFormat: "plain",
    prefix: "v1=",
    template: parts.parts,
    timestampHeader: "x-ts",
    deliveryIdHeader: "x-id",
    toleranceSeconds: 60,
  });
  const body = '{"a":1}';
  const sign = (path: string) =>
    `v1=${createHmac("sha512", secret).update(`POST ${path}\n${NOW_S}.d-1.${body}`).digest("base64")}`;

  it("accepts the content built from method, path, timestamp, delivery id and body", () => {
    const headers = { "x-sig": sign("/hooks/x"), "x-ts": NOW_S, "x-id": "d-1" };
    expect(auth.check(request(body, headers), NOW_MS)).toEqual({ kind: "pass", deliveryId: "d-1" });
  });

  it("refuses the same request replayed to another path", () => {
    const headers = { "x-sig": sign("/hooks/x"), "x-ts": NOW_S, "x-id": "d-1" };
    expect(reason(auth.check(request(body, headers, { path: "/scim/v2/Users/other" }), NOW_MS))).toBe(
      "signature_mismatch",
    );
  });

  it("refuses without the delivery id the template signs", () => {
    expect(reason(auth.check(request(body, { "x-sig": sign("/hooks/x"), "x-ts": NOW_S }), NOW_MS))).toBe(
      "missing_id",
    );
  });

  it.each([
    ["{body}{body}", "exactly once"],
    ["{timestamp}", "exactly once"],
    ["{nonce}.{body}", "unknown placeholder {nonce}"],
  ])("refuses the template %s", (template, message) => {
    const parsed = parseTemplate(template);
    expect("problems" in parsed && parsed.problems.join("; ")).toContain(message);
  });
});

describe("bearer, basic and okta-event-hook", () => {
  it("bearer takes any configured token, case-insensitive scheme word", () => {
    const bearer = bearerAuthenticator(["old-token", "new-token"]);
    expect(bearer.check(request("", { authorization: "Bearer new-token" }), NOW_MS).kind).toBe("pass");
    expect(bearer.check(request("", { authorization: "bearer old-token" }), NOW_MS).kind).toBe("pass");
    expect(reason(bearer.check(request("", { authorization: "Bearer new-token2" }), NOW_MS))).toBe(
      "credentials_mismatch",
    );
    expect(reason(bearer.check(request("", { authorization: "Basic bmV3LXRva2Vu" }), NOW_MS))).toBe(
      "missing_credentials",
    );
  });

  it("basic compares user:password", () => {
    const basic = basicAuthenticator(["workday:s3cret", "workday:n3w"]);
    const header = (pair: string) => ({ authorization: `Basic ${Buffer.from(pair).toString("base64")}` });
    expect(basic.check(request("", header("workday:n3w")), NOW_MS).kind).toBe("pass");
    expect(reason(basic.check(request("", header("workday:wrong")), NOW_MS))).toBe("credentials_mismatch");
  });

  it("okta-event-hook answers the one-time verification GET and checks the static Authorization on POST", () => {
    const okta = oktaEventHookAuthenticator(["okta-hook-key-1", "okta-hook-key-2"]);
    const get = request("", { "x-okta-verification-challenge": "FtLKMmB1ssJzwA3fT2n9" }, { method: "GET" });
    expect(okta.check(get, NOW_MS)).toEqual({
      kind: "answer",
      status: 200,
      body: { verification: "FtLKMmB1ssJzwA3fT2n9" },
    });
    const echo = request("", { "x-okta-verification-challenge": "<script>" }, { method: "GET" });
    expect(reason(okta.check(echo, NOW_MS))).toBe("missing_challenge");
    expect(okta.check(request("{}", { authorization: "okta-hook-key-2" }), NOW_MS).kind).toBe("pass");
    expect(reason(okta.check(request("{}", { authorization: "Bearer okta-hook-key-2" }), NOW_MS))).toBe(
      "credentials_mismatch",
    );
  });
});

describe("route auth from the environment", () => {
  it("reads several secrets from the named variable and never shows them in problems", () => {
    const built = buildRouteAuth({ scheme: "standard-webhooks", secretsEnv: "SW" } as RouteAuth, {
      SW: "whsec_tooshort,,",
    });
    expect(built.ok).toBe(false);
    const problems = !built.ok ? built.problems.join("\n") : "";
    expect(problems).toContain("auth.secretsEnv: SW entry 1 of 3");
    expect(problems).toContain("SW entry 2 of 3 is empty");
    expect(problems).not.toContain("tooshort");
  });

  it("names an unset variable and a template that needs a header", () => {
    const built = buildRouteAuth(
      { scheme: "hmac", secretsEnv: "HMAC_KEYS", header: "x-sig", signedContent: "{timestamp}.{body}" },
      {},
    );
    expect(!built.ok && built.problems).toEqual([
      "auth.secretsEnv: the variable HMAC_KEYS is not set (one value, or several separated by commas)",
      "auth.signedContent: uses {timestamp}, so auth.timestampHeader must be set",
    ]);
  });
});
