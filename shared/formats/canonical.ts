/**
 * The canonical event v1, bare or wrapped in a CloudEvents 1.0 structured-mode envelope
 * (`application/cloudevents+json`), singly or as a JSON array. Validation happens later (shared/events/parse.ts).
 */
import type { Problem } from "../change.ts";
import { parseJsonSafely } from "./safe-json.ts";
import { type CanonicalCandidate, isObject, problem } from "./types.ts";

export type CanonicalResult = { ok: true; events: CanonicalCandidate[] } | { ok: false; problems: Problem[] };
type One<T> = { ok: true; value: T } | { ok: false; problem: Problem };

const utf8 = new TextDecoder("utf-8", { fatal: true });

function at(prefix: string, field: string): string {
  if (prefix === "") return field;
  return field === "" ? prefix : `${prefix}.${field}`;
}

/** `data`, or `data_base64` holding UTF-8 JSON (the CloudEvents way to carry binary data). */
function cloudEventData(
  envelope: Record<string, unknown>,
  path: string,
  maxDepth: number,
): One<Record<string, unknown>> {
  let data = envelope.data;
  if (data === undefined && typeof envelope.data_base64 === "string") {
    let text: string;
    try {
      text = utf8.decode(Buffer.from(envelope.data_base64, "base64"));
    } catch {
      return {
        ok: false,
        problem: problem(
          at(path, "data_base64"),
          "invalid_utf8",
          "CloudEvent data_base64 does not decode to UTF-8 text",
        ),
      };
    }
    const parsed = parseJsonSafely(text, maxDepth);
    if (!parsed.ok) {
      return {
        ok: false,
        problem: { ...parsed.problem, path: at(at(path, "data_base64"), parsed.problem.path) },
      };
    }
    data = parsed.value;
  }
  if (!isObject(data)) {
    return {
      ok: false,
      problem: problem(
        at(path, "data"),
        "invalid_type",
        "CloudEvent data must be a JSON object holding the canonical event",
      ),
    };
  }
  return { ok: true, value: data };
}

/**
 * The envelope supplies what `data` lacks: `id` → `id`, `source` → `source`, `time` → `occurredAt`.
 * Fields that `data` already has win over the envelope's.
 */
export function fromCloudEvent(
  envelope: Record<string, unknown>,
  path: string,
  maxDepth: number,
): One<CanonicalCandidate> {
  if (envelope.specversion !== "1.0") {
    const message = 'CloudEvent specversion must be "1.0"';
    return { ok: false, problem: problem(at(path, "specversion"), "unsupported_specversion", message) };
  }
  const data = cloudEventData(envelope, path, maxDepth);
  if (!data.ok) return data;
  const candidate: CanonicalCandidate = { ...data.value };
  if (candidate.id === undefined && envelope.id !== undefined) candidate.id = envelope.id;
  if (candidate.source === undefined && envelope.source !== undefined) candidate.source = envelope.source;
  if (candidate.occurredAt === undefined && envelope.time !== undefined) candidate.occurredAt = envelope.time;
  return { ok: true, value: candidate };
}

function fromOne(value: unknown, path: string, maxDepth: number): One<CanonicalCandidate> {
  if (!isObject(value)) {
    const message = "expected a JSON object: a canonical event or a CloudEvent wrapping one";
    return { ok: false, problem: problem(path, "invalid_type", message) };
  }
  if ("specversion" in value) return fromCloudEvent(value, path, maxDepth);
  return { ok: true, value: { ...value } };
}

/** One canonical event (bare or CloudEvent), or a non-empty JSON array of them. */
export function parseCanonical(body: unknown, maxDepth: number): CanonicalResult {
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0) {
    return { ok: false, problems: [problem("", "empty_batch", "the JSON array holds no events")] };
  }
  const events: CanonicalCandidate[] = [];
  const problems: Problem[] = [];
  items.forEach((item, index) => {
    const one = fromOne(item, Array.isArray(body) ? `[${index}]` : "", maxDepth);
    if (one.ok) events.push(one.value);
    else problems.push(one.problem);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, events };
}
