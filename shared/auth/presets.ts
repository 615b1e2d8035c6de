/**
 * Named presets of the `hmac` scheme, each as its sender documents it (sources in docs/sources.md):
 * - `github`: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(body)>`, delivery id `X-GitHub-Delivery`;
 * - `bamboohr`: `X-BambooHR-Signature` = hex HMAC-SHA256 of the raw body followed by `X-BambooHR-Timestamp`;
 * - `hibob`: `Bob-Signature` = base64 HMAC-SHA512 of the body; its "Ping test" delivery is answered 200;
 * - `stripe-style`: `t=<unix>,v1=<hex HMAC-SHA256("<t>.<body>")>` in one header.
 */
import type { Authenticator, Verdict } from "./authenticator.ts";
import { type HmacSettings, parseTemplate, type TemplatePart, verifyHmac } from "./hmac-template.ts";

export type PresetName = "github" | "bamboohr" | "hibob" | "stripe-style";

const template = (text: string): TemplatePart[] => {
  const parsed = parseTemplate(text);
  if ("problems" in parsed) throw new Error(`preset template ${text}: ${parsed.problems.join("; ")}`);
  return parsed.parts;
};

export interface PresetOptions {
  secrets: readonly Buffer[];
  /** stripe-style: the header's name (default `stripe-signature`). */
  header?: string;
  toleranceSeconds?: number;
}

export function presetSettings(name: PresetName, options: PresetOptions): HmacSettings {
  const { secrets, toleranceSeconds } = options;
  const tolerance = toleranceSeconds === undefined ? {} : { toleranceSeconds };
  switch (name) {
    case "github":
      return {
        secrets,
        algorithm: "sha256",
        encoding: "hex",
        header: "x-hub-signature-256",
        headerFormat: "plain",
        prefix: "sha256=",
        template: template("{body}"),
        deliveryIdHeader: "x-github-delivery",
      };
    case "bamboohr":
      // The timestamp's format is UNCONFIRMED (Unix seconds in tests, ISO-8601 in one sample): signed as text,
      // checked against a window only when toleranceSeconds is set.
      return {
        secrets,
        algorithm: "sha256",
        encoding: "hex",
        header: "x-bamboohr-signature",
        headerFormat: "plain",
        template: template("{body}{timestamp}"),
        timestampHeader: "x-bamboohr-timestamp",
        ...tolerance,
      };
    case "hibob":
      return {
        secrets,
        algorithm: "sha512",
        encoding: "base64",
        header: "bob-signature",
        headerFormat: "plain",
        template: template("{body}"),
      };
    case "stripe-style":
      return {
        secrets,
        algorithm: "sha256",
        encoding: "hex",
        header: options.header ?? "stripe-signature",
        headerFormat: "stripe",
        template: template("{timestamp}.{body}"),
        toleranceSeconds: toleranceSeconds ?? 300,
      };
  }
}

/** HiBob's connection test: the string "Ping test", or `{"text":"Ping test"}` when that failed. */
export function isHibobPing(body: Buffer): boolean {
  const text = body.toString("utf8").trim();
  if (text === "Ping test" || text === '"Ping test"') return true;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && (value as { text?: unknown }).text === "Ping test";
  } catch {
    return false;
  }
}

export function presetAuthenticator(name: PresetName, options: PresetOptions): Authenticator {
  const settings = presetSettings(name, options);
  return {
    scheme: name,
    check(request, nowMs): Verdict {
      const verdict = verifyHmac(request, settings, nowMs);
      // Whether HiBob signs its ping is UNCONFIRMED; it is answered only once authenticated.
      if (name === "hibob" && verdict.kind === "pass" && isHibobPing(request.body)) {
        return { kind: "answer", status: 200, body: { status: "ignored", reason: "ping" } };
      }
      return verdict;
    },
  };
}
