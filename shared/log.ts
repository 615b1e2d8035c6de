/**
 * One JSON object per line on stdout (FC ships stdout to its log store).
 * Personal data never leaves unmasked: known fields are masked by the caller, and every string value
 * is also passed through `redact` as a safety net for emails and phone numbers inside messages.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;
export type LogSink = (line: string) => void;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

// Also an email cut short (no top-level domain left): anything like local-part@ is masked.
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]*)/g;
// A run of 7+ digits, optionally with +, spaces, dashes, dots or parentheses between them.
const PHONE = /\+?\d[\d\s().-]{5,}\d/g;
// AccessKey secrets, STS tokens and webhook secrets are never logged; these catch accidents.
const SECRET = /(whsec_[A-Za-z0-9+/=]{8,}|CAIS[A-Za-z0-9+/=]{20,})/g;

export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0) return "***";
  return `${email[0]}***@${email.slice(at + 1)}`;
}

export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, "");
  if (digits.length <= 4) return "***";
  return `***${digits.slice(-4)}`;
}

export function redact(text: string, phones = true): string {
  // Cheap tests first: most strings hold no @, few digits, and no secret-looking prefix.
  let out = text.includes("@")
    ? text.replace(EMAIL, (_m, first: string, domain: string) => `${first}***@${domain}`)
    : text;
  if (phones && /\d{3}/.test(out)) {
    // Dates, times and IPv4 addresses are not phone numbers.
    out = out.replace(PHONE, (m) =>
      /\d{4}-\d{2}-\d{2}|\d{2}:\d{2}|^\d{1,3}(\.\d{1,3}){3}$/.test(m) ? m : maskPhone(m),
    );
  }
  return out.includes("whsec_") || out.includes("CAIS") ? out.replace(SECRET, "[secret]") : out;
}

/** Identifiers made of digits (Kafka offsets, request ids) are not phone numbers: only emails are masked in them. */
const ID_KEYS = new Set([
  "requestId",
  "fcRequestId",
  "eiamRequestId",
  "deliveryId",
  "deadLetterId",
  "eventId",
]);

function scrub(value: unknown, depth = 0, key = ""): unknown {
  if (typeof value === "string") return redact(value, !ID_KEYS.has(key));
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrub(v, depth + 1, k);
  return out;
}

export function createLogger(
  options: { level?: LogLevel; sink?: LogSink; fields?: LogFields; now?: () => Date } = {},
): Logger {
  const min = LEVELS[options.level ?? "info"];
  const sink = options.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const base = options.fields ?? {};
  const write = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVELS[level] < min) return;
    const record = {
      time: now().toISOString(),
      level,
      msg: redact(msg),
      ...base,
      ...(scrub(fields) as LogFields),
    };
    sink(JSON.stringify(record));
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}
