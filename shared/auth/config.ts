/**
 * Reads the webhook authentication settings of the HTTP trigger from environment variables.
 * Every problem is reported at once, each naming its variable and rule; no value is ever echoed, since a
 * misplaced secret could sit in any variable.
 */
import * as z from "zod";
import type { WebhookAuthSettings } from "./types.ts";

export const DEFAULT_SIGNATURE_HEADER = "x-signature";
export const DEFAULT_TOLERANCE_SECONDS = 300;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** FC rejects synchronous invocations above 32 MB before they reach the function, so more is meaningless. */
export const MAX_MAX_BODY_BYTES = 32 * 1024 * 1024;
export const MAX_TOLERANCE_SECONDS = 24 * 60 * 60;

type Env = Readonly<Record<string, string | undefined>>;
type Mode = WebhookAuthSettings["mode"];

const MODE_HELP =
  'Choose one: "standard-webhooks" (webhook-id, webhook-timestamp and webhook-signature headers; whsec_ secrets), ' +
  '"hmac-sha256" (one HMAC-SHA256 signature header, as GitHub-style HR systems send; see WEBHOOK_SIGNATURE_HEADER), ' +
  'or "none" (no check in the function; only for a trigger that FC authenticates itself with authType function ' +
  "or jwt, or for local use)";

const modeSchema = z
  .string()
  .transform((mode) => mode.toLowerCase())
  .pipe(z.enum(["standard-webhooks", "hmac-sha256", "none"], { error: `is not valid. ${MODE_HELP}` }));

/** RFC 9110 token characters; stored lower-case because the caller lower-cases header names. */
export const headerNameSchema = z
  .string()
  .max(100, "must be at most 100 characters")
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)")
  .transform((name) => name.toLowerCase());

const encodingSchema = z
  .string()
  .transform((encoding) => encoding.toLowerCase())
  .pipe(z.enum(["hex", "base64"], { error: 'must be "hex" or "base64"' }));

export const prefixSchema = z
  .string()
  .max(32, "must be at most 32 characters")
  .regex(/^[\x21-\x2b\x2d-\x7e]+$/, "must be visible ASCII without spaces or commas (e.g. sha256=)");

function wholeNumberSchema(min: number, max: number) {
  return z
    .string()
    .regex(/^[0-9]+$/, "must be a whole number written in digits")
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

const STRICT_BASE64 = z.base64({ error: "base64" });
/** Canonical standard base64 only, so every reader of the secret derives the same key bytes. */
function decodeBase64(text: string): Buffer | undefined {
  if (!STRICT_BASE64.safeParse(text).success) return undefined;
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64") === text ? bytes : undefined;
}

/** The spec's symmetric secrets: `whsec_` then base64 of 24 to 64 random bytes. */
export const whsecSecretSchema = z.string().transform((entry, ctx) => {
  const bytes = entry.startsWith("whsec_") ? decodeBase64(entry.slice("whsec_".length)) : undefined;
  if (bytes === undefined) {
    ctx.addIssue({ code: "custom", message: "must be whsec_ followed by standard padded base64" });
    return z.NEVER;
  }
  if (bytes.length < 24 || bytes.length > 64) {
    ctx.addIssue({
      code: "custom",
      message: "must decode to 24 to 64 bytes, as the Standard Webhooks spec requires",
    });
    return z.NEVER;
  }
  return bytes;
});

/** A raw secret is used as its UTF-8 bytes; `base64:` marks binary secrets (or ones holding commas or spaces). */
export const hmacSecretSchema = z.string().transform((entry, ctx) => {
  if (!entry.startsWith("base64:")) return Buffer.from(entry, "utf8");
  const bytes = decodeBase64(entry.slice("base64:".length));
  if (bytes === undefined || bytes.length === 0) {
    ctx.addIssue({ code: "custom", message: "must be base64: followed by non-empty standard padded base64" });
    return z.NEVER;
  }
  return bytes;
});

/** Which variables each mode reads; a set variable the mode ignores is an error, as it signals a mistake. */
const APPLIES_TO: Readonly<Record<string, readonly Mode[]>> = {
  WEBHOOK_SECRETS: ["standard-webhooks", "hmac-sha256"],
  WEBHOOK_SIGNATURE_HEADER: ["hmac-sha256"],
  WEBHOOK_SIGNATURE_ENCODING: ["hmac-sha256"],
  WEBHOOK_SIGNATURE_PREFIX: ["hmac-sha256"],
  WEBHOOK_TIMESTAMP_HEADER: ["hmac-sha256"],
  WEBHOOK_TOLERANCE_SECONDS: ["standard-webhooks", "hmac-sha256"],
  WEBHOOK_MAX_BODY_BYTES: ["standard-webhooks", "hmac-sha256"],
};

/** Collects problems while reading variables, so the thrown error lists all of them. */
class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  /** A value that is unset, empty or only whitespace counts as unset. */
  text(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  parse<T>(name: string, schema: z.ZodType<T, string>, fallback: T): T;
  parse<T>(name: string, schema: z.ZodType<T, string>): T | undefined;
  parse<T>(name: string, schema: z.ZodType<T, string>, fallback?: T): T | undefined {
    const value = this.text(name);
    if (value === undefined) return fallback;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    this.problems.push(`${name} ${result.error.issues[0]?.message ?? "is not valid"}`);
    return fallback;
  }

  secrets(schema: z.ZodType<Buffer, string>): Buffer[] {
    const value = this.text("WEBHOOK_SECRETS");
    if (value === undefined) {
      this.problems.push(
        "WEBHOOK_SECRETS must be set: one or more secrets separated by commas (several while rotating)",
      );
      return [];
    }
    const entries = value.split(",").map((entry) => entry.trim());
    const secrets: Buffer[] = [];
    entries.forEach((entry, index) => {
      const where = `WEBHOOK_SECRETS entry ${index + 1} of ${entries.length}`;
      if (entry === "") {
        this.problems.push(`${where} is empty (check for a doubled or trailing comma)`);
        return;
      }
      const result = schema.safeParse(entry);
      if (result.success) secrets.push(result.data);
      else this.problems.push(`${where} ${result.error.issues[0]?.message ?? "is not valid"}`);
    });
    return secrets;
  }

  rejectIgnored(mode: Mode): void {
    for (const [name, modes] of Object.entries(APPLIES_TO)) {
      if (this.text(name) !== undefined && !modes.includes(mode)) {
        this.problems.push(
          `${name} is set but WEBHOOK_AUTH=${mode} ignores it; remove it or change WEBHOOK_AUTH`,
        );
      }
    }
  }
}

export function parseWebhookAuthSettings(env: Env): WebhookAuthSettings {
  const reader = new EnvReader(env);
  const settings = readSettings(reader);
  if (reader.problems.length > 0 || settings === undefined) {
    throw new Error(`Invalid webhook auth settings:\n${reader.problems.map((p) => `- ${p}`).join("\n")}`);
  }
  return settings;
}

function readSettings(reader: EnvReader): WebhookAuthSettings | undefined {
  if (reader.text("WEBHOOK_AUTH") === undefined) {
    reader.problems.push(
      `WEBHOOK_AUTH is not set, and there is no default for the HTTP trigger. ${MODE_HELP}`,
    );
    return undefined;
  }
  const mode = reader.parse("WEBHOOK_AUTH", modeSchema);
  if (mode === undefined) return undefined;
  reader.rejectIgnored(mode);
  if (mode === "none") return { mode };

  const toleranceSeconds = reader.parse(
    "WEBHOOK_TOLERANCE_SECONDS",
    wholeNumberSchema(1, MAX_TOLERANCE_SECONDS),
    DEFAULT_TOLERANCE_SECONDS,
  );
  const maxBodyBytes = reader.parse(
    "WEBHOOK_MAX_BODY_BYTES",
    wholeNumberSchema(1, MAX_MAX_BODY_BYTES),
    DEFAULT_MAX_BODY_BYTES,
  );
  if (mode === "standard-webhooks") {
    return { mode, secrets: reader.secrets(whsecSecretSchema), toleranceSeconds, maxBodyBytes };
  }

  const signatureHeader = reader.parse(
    "WEBHOOK_SIGNATURE_HEADER",
    headerNameSchema,
    DEFAULT_SIGNATURE_HEADER,
  );
  const encoding = reader.parse("WEBHOOK_SIGNATURE_ENCODING", encodingSchema, "hex");
  const prefix = reader.parse("WEBHOOK_SIGNATURE_PREFIX", prefixSchema);
  const timestampHeader = reader.parse("WEBHOOK_TIMESTAMP_HEADER", headerNameSchema);
  if (timestampHeader === undefined && reader.text("WEBHOOK_TOLERANCE_SECONDS") !== undefined) {
    reader.problems.push(
      "WEBHOOK_TOLERANCE_SECONDS has no effect without WEBHOOK_TIMESTAMP_HEADER (nothing signed carries a time)",
    );
  }
  if (timestampHeader !== undefined && timestampHeader === signatureHeader) {
    reader.problems.push("WEBHOOK_TIMESTAMP_HEADER must differ from WEBHOOK_SIGNATURE_HEADER");
  }
  return {
    mode,
    secrets: reader.secrets(hmacSecretSchema),
    signatureHeader,
    encoding,
    ...(prefix === undefined ? {} : { prefix }),
    ...(timestampHeader === undefined ? {} : { timestampHeader }),
    toleranceSeconds,
    maxBodyBytes,
  };
}
