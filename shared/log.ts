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

import { cap, MAX_TEXT_LENGTH } from "./cap.ts";

// 7+ digits, optionally after a +, with up to three spaces, dashes, dots or parentheses between two digits.
// Separators and digits never overlap, so the match never backtracks.
const PHONE = /\+?\d(?:[\s().-]{0,3}\d){6,}/g;
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

/** Characters that end an email's local part or domain in running text (whitespace, quotes, brackets, …). */
const DELIMITERS = new Set([..." \t\n\r\f\v\"'`<>()[]{},;:@\\/=|"]);
function inAddress(char: string | undefined): boolean {
  return char !== undefined && !DELIMITERS.has(char) && char.trim() !== "";
}

/**
 * Masks every `local-part@domain` (also one cut short, with no domain left) to `l***@domain`, in one pass: each
 * character is looked at a bounded number of times, whatever the input (no regular expression backtracks here).
 */
export function maskEmails(text: string): string {
  let out = "";
  let from = 0;
  let at = text.indexOf("@");
  while (at !== -1) {
    let start = at;
    while (start > from && inAddress(text[start - 1])) start -= 1;
    if (start < at) {
      let end = at + 1;
      while (end < text.length && inAddress(text[end])) end += 1;
      const first = text.codePointAt(start)!;
      out += `${text.slice(from, start)}${String.fromCodePoint(first)}***@${text.slice(at + 1, end)}`;
      from = end;
    }
    at = text.indexOf("@", Math.max(at + 1, from));
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * Masks emails, phone numbers (unless `phones` is false) and secret-looking tokens, then caps the length (masking
 * first, so that the cut never leaves the start of something it would have masked). Linear in the input.
 */
export function redact(text: string, phones = true): string {
  // Cheap tests first: most strings hold no @, few digits, and no secret-looking prefix.
  let out = text.includes("@") ? maskEmails(text) : text;
  if (phones && /\d{3}/.test(out)) {
    // Dates, times and IPv4 addresses are not phone numbers.
    out = out.replace(PHONE, (m) =>
      /\d{4}-\d{2}-\d{2}|\d{2}:\d{2}|^\d{1,3}(\.\d{1,3}){3}$/.test(m) ? m : maskPhone(m),
    );
  }
  if (out.includes("whsec_") || out.includes("CAIS")) out = out.replace(SECRET, "[secret]");
  return cap(out, MAX_TEXT_LENGTH);
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

/** Entries of an array beyond this many are left out of a log line (and counted). */
const MAX_ARRAY_ENTRIES = 50;

function scrub(value: unknown, depth = 0, key = ""): unknown {
  if (typeof value === "string") return redact(value, !ID_KEYS.has(key));
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const shown = value.slice(0, MAX_ARRAY_ENTRIES).map((v) => scrub(v, depth + 1));
    if (value.length > MAX_ARRAY_ENTRIES) shown.push(`…[${value.length - MAX_ARRAY_ENTRIES} more]`);
    return shown;
  }
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
