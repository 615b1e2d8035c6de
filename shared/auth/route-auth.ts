/**
 * The `auth` of a route in SENDERS_FILE: its schema (exported as JSON Schema in docs/senders.schema.json) and
 * how it becomes an Authenticator. Secrets are never written in the file: each scheme names the environment
 * variables that hold them, comma-separated (several during a rotation). Problems name the key and the
 * variable, never a value.
 */
import * as z from "zod";
import type { Authenticator } from "./authenticator.ts";
import { hmacSecretSchema, MAX_TOLERANCE_SECONDS, whsecSecretSchema } from "./config.ts";
import { feishuAuthenticator } from "./feishu.ts";
import { hmacAuthenticator, parseTemplate, templateUses } from "./hmac-template.ts";
import { presetAuthenticator } from "./presets.ts";
import { verifyStandardWebhook } from "./standard-webhooks.ts";
import { basicAuthenticator, bearerAuthenticator, oktaEventHookAuthenticator } from "./static-token.ts";

type Env = Readonly<Record<string, string | undefined>>;

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "must name an environment variable (letters, digits and _)")
  .meta({
    description: "The environment variable holding the value(s), comma-separated; never the value itself.",
  });
const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, "must be an HTTP header name")
  .meta({ description: "An HTTP header name (case-insensitive)." });
const tolerance = z
  .number()
  .int()
  .min(1)
  .max(MAX_TOLERANCE_SECONDS)
  .meta({ description: "How far the signed timestamp (Unix seconds) may be from now, either way." });

export const RouteAuth = z.discriminatedUnion("scheme", [
  z.strictObject({ scheme: z.literal("none") }).meta({ description: "No check: only behind FC's own auth." }),
  z.strictObject({
    scheme: z.literal("standard-webhooks"),
    secretsEnv: envName,
    toleranceSeconds: tolerance.optional(),
  }),
  z.strictObject({
    scheme: z.literal("hmac"),
    secretsEnv: envName,
    algorithm: z.enum(["sha256", "sha512", "sha1"]).optional(),
    encoding: z.enum(["hex", "base64"]).optional(),
    header: headerName,
    prefix: z
      .string()
      .regex(/^[\x21-\x2b\x2d-\x7e]{1,32}$/, "must be visible ASCII without commas")
      .optional(),
    signedContent: z.string().min(1).max(200).optional().meta({
      description: "Template of the signed content: {body}, {timestamp}, {deliveryId}, {method}, {path}.",
    }),
    timestampHeader: headerName.optional(),
    deliveryIdHeader: headerName.optional(),
    toleranceSeconds: tolerance.optional(),
  }),
  z.strictObject({ scheme: z.literal("github"), secretsEnv: envName }),
  z.strictObject({
    scheme: z.literal("bamboohr"),
    secretsEnv: envName,
    toleranceSeconds: tolerance.optional(),
  }),
  z.strictObject({ scheme: z.literal("hibob"), secretsEnv: envName }),
  z.strictObject({
    scheme: z.literal("stripe-style"),
    secretsEnv: envName,
    header: headerName.optional(),
    toleranceSeconds: tolerance.optional(),
  }),
  z.strictObject({
    scheme: z.literal("feishu"),
    encryptKeyEnv: envName.optional(),
    verificationTokenEnv: envName,
    toleranceSeconds: tolerance.optional(),
  }),
  z.strictObject({ scheme: z.literal("bearer"), tokensEnv: envName }),
  z.strictObject({ scheme: z.literal("basic"), credentialsEnv: envName }),
  z.strictObject({ scheme: z.literal("okta-event-hook"), authorizationEnv: envName }),
]);
export type RouteAuth = z.infer<typeof RouteAuth>;

/** Reads comma-separated values from the variable a key names; problems go to `problems`. */
function values<T>(
  env: Env,
  key: string,
  name: string,
  problems: string[],
  parse: (entry: string) => { ok: true; value: T } | { ok: false; message: string },
): T[] {
  const text = env[name]?.trim();
  if (!text) {
    problems.push(`auth.${key}: the variable ${name} is not set (one value, or several separated by commas)`);
    return [];
  }
  const entries = text.split(",").map((entry) => entry.trim());
  const found: T[] = [];
  entries.forEach((entry, index) => {
    const where = `auth.${key}: ${name} entry ${index + 1} of ${entries.length}`;
    if (entry === "") {
      problems.push(`${where} is empty (check for a doubled or trailing comma)`);
      return;
    }
    const parsed = parse(entry);
    if (parsed.ok) found.push(parsed.value);
    else problems.push(`${where} ${parsed.message}`);
  });
  return found;
}

const text = (entry: string) => ({ ok: true as const, value: entry });
const withSchema = (schema: z.ZodType<Buffer, string>) => (entry: string) => {
  const result = schema.safeParse(entry);
  return result.success
    ? { ok: true as const, value: result.data }
    : { ok: false as const, message: result.error.issues[0]?.message ?? "is not valid" };
};
const basicPair = (entry: string) =>
  entry.includes(":") ? text(entry) : { ok: false as const, message: "must be user:password" };

export type BuiltAuth = { ok: true; authenticator: Authenticator } | { ok: false; problems: string[] };

export function buildRouteAuth(auth: RouteAuth, env: Env): BuiltAuth {
  const problems: string[] = [];
  const authenticator = build(auth, env, problems);
  return problems.length > 0 || authenticator === undefined
    ? { ok: false, problems }
    : { ok: true, authenticator };
}

function build(auth: RouteAuth, env: Env, problems: string[]): Authenticator | undefined {
  switch (auth.scheme) {
    case "none":
      return { scheme: "none", check: () => ({ kind: "pass" }) };
    case "standard-webhooks": {
      const secrets = values(env, "secretsEnv", auth.secretsEnv, problems, withSchema(whsecSecretSchema));
      const settings = {
        mode: "standard-webhooks" as const,
        secrets,
        toleranceSeconds: auth.toleranceSeconds ?? 300,
        maxBodyBytes: Number.MAX_SAFE_INTEGER,
      };
      return {
        scheme: auth.scheme,
        check(request, nowMs) {
          const result = verifyStandardWebhook(request.body, request.headers, settings, nowMs);
          return result.ok
            ? { kind: "pass", deliveryId: result.webhookId }
            : { kind: "reject", reason: result.reason };
        },
      };
    }
    case "hmac": {
      const secrets = values(env, "secretsEnv", auth.secretsEnv, problems, withSchema(hmacSecretSchema));
      const parsed = parseTemplate(auth.signedContent ?? "{body}");
      if ("problems" in parsed) {
        for (const problem of parsed.problems) problems.push(`auth.signedContent: ${problem}`);
        return undefined;
      }
      if (templateUses(parsed.parts, "timestamp") && auth.timestampHeader === undefined)
        problems.push("auth.signedContent: uses {timestamp}, so auth.timestampHeader must be set");
      if (templateUses(parsed.parts, "deliveryId") && auth.deliveryIdHeader === undefined)
        problems.push("auth.signedContent: uses {deliveryId}, so auth.deliveryIdHeader must be set");
      if (auth.toleranceSeconds !== undefined && auth.timestampHeader === undefined)
        problems.push("auth.toleranceSeconds: has no effect without auth.timestampHeader");
      return hmacAuthenticator("hmac", {
        secrets,
        algorithm: auth.algorithm ?? "sha256",
        encoding: auth.encoding ?? "hex",
        header: auth.header.toLowerCase(),
        headerFormat: "plain",
        ...(auth.prefix === undefined ? {} : { prefix: auth.prefix }),
        template: parsed.parts,
        ...(auth.timestampHeader === undefined
          ? {}
          : { timestampHeader: auth.timestampHeader.toLowerCase() }),
        ...(auth.deliveryIdHeader === undefined
          ? {}
          : { deliveryIdHeader: auth.deliveryIdHeader.toLowerCase() }),
        ...(auth.toleranceSeconds === undefined ? {} : { toleranceSeconds: auth.toleranceSeconds }),
      });
    }
    case "github":
    case "bamboohr":
    case "hibob":
    case "stripe-style": {
      const secrets = values(env, "secretsEnv", auth.secretsEnv, problems, withSchema(hmacSecretSchema));
      return presetAuthenticator(auth.scheme, {
        secrets,
        ...("header" in auth && auth.header ? { header: auth.header.toLowerCase() } : {}),
        ...("toleranceSeconds" in auth && auth.toleranceSeconds
          ? { toleranceSeconds: auth.toleranceSeconds }
          : {}),
      });
    }
    case "feishu":
      return feishuAuthenticator({
        encryptKeys:
          auth.encryptKeyEnv === undefined
            ? []
            : values(env, "encryptKeyEnv", auth.encryptKeyEnv, problems, text),
        verificationTokens: values(env, "verificationTokenEnv", auth.verificationTokenEnv, problems, text),
        ...(auth.toleranceSeconds === undefined ? {} : { toleranceSeconds: auth.toleranceSeconds }),
      });
    case "bearer":
      return bearerAuthenticator(values(env, "tokensEnv", auth.tokensEnv, problems, text));
    case "basic":
      return basicAuthenticator(values(env, "credentialsEnv", auth.credentialsEnv, problems, basicPair));
    case "okta-event-hook":
      return oktaEventHookAuthenticator(
        values(env, "authorizationEnv", auth.authorizationEnv, problems, text),
      );
  }
}
