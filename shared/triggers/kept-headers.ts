/**
 * The HTTP headers that may be kept beyond the door: in dead-letter records and in deliveries put on the source
 * queue. An allow-list, so that a sender's new credential header is never kept by accident: never
 * Authorization, Cookie, signatures or tokens. CloudEvents binary-mode attributes (`ce-*`) are kept, since the
 * format stage reads them.
 */
const KEPT = new Set([
  "content-type",
  "content-length",
  "content-encoding",
  "user-agent",
  "webhook-id",
  "webhook-timestamp",
  "x-github-delivery",
  "x-github-event",
  "x-bamboohr-timestamp",
  "x-lark-request-timestamp",
  "x-request-id",
  "x-fc-request-id",
]);
/** Names that look like credentials are dropped even under an allowed prefix. */
const SECRET_LOOKING = /signature|token|secret|auth|cookie|key|password/i;
const MAX_VALUE_LENGTH = 1024;
const MAX_KEPT = 64;

export function isKeptHeader(name: string): boolean {
  const lower = name.toLowerCase();
  if (SECRET_LOOKING.test(lower)) return false;
  return KEPT.has(lower) || /^ce-[a-z0-9]{1,20}$/.test(lower);
}

/** The allowed headers, values capped. */
export function keptHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const kept: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!isKeptHeader(name) || typeof value !== "string" || ++count > MAX_KEPT) continue;
    kept[name.toLowerCase()] = value.slice(0, MAX_VALUE_LENGTH);
  }
  return kept;
}
