/**
 * The SLS queries in docs/operations.md against the log lines the function really writes: the deployed entry
 * (functions/user-sync/index.ts, initializer then handler) runs in-process against the EIAM emulator while its
 * stdout lines are captured. For each query, a small evaluator of the subset the doc uses (a full-text search
 * of quoted phrases and words joined by `and`, then `json_extract_scalar(message, '$.path')`, optionally inside
 * `cast(… AS bigint|double)` or `coalesce(…)`) checks that real lines match the search, and that every field the
 * query reads is there with the type it assumes. A field inside `coalesce` may be absent from a line; it must
 * still be written, with that type, by some line of the same kind (the query's first term, e.g. "event outcome").
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { canonicalEvent, fcContext, httpTriggerEvent, mnsQueueCloudEvents } from "../helpers/fc-events.ts";

const DOC = resolve(import.meta.dirname, "../../docs/operations.md");

interface Query {
  text: string;
  terms: string[];
  fields: Array<{ path: string; type: "string" | "number"; optional: boolean }>;
}

/** The ```sls blocks of the doc. */
function docQueries(): Query[] {
  const blocks = [...readFileSync(DOC, "utf8").matchAll(/```sls\n([^`]+)```/g)].map((m) => m[1]!.trim());
  return blocks.map((text) => {
    const [search = "", sql = ""] = text.split(/ \| /, 2);
    const terms = search
      .split(/ and /)
      .map((t) => t.trim().replace(/^"|"$/g, ""))
      .filter((t) => t !== "*");
    const fields = [...sql.matchAll(/json_extract_scalar\(message, '\$\.([\w.]+)'\)/g)].map((m) => {
      const before = sql.slice(0, m.index);
      const after = sql.slice(m.index + m[0].length);
      const numeric = /^\)? AS (bigint|double)\)/.test(after) || /^ AS (bigint|double)\)/.test(after);
      return {
        path: m[1]!,
        type: numeric ? ("number" as const) : ("string" as const),
        optional: /coalesce\($/.test(before),
      };
    });
    return { text, terms, fields };
  });
}

/** SLS full-text search over the stored `message`: every term (a phrase or a word) must occur in it. */
function matches(line: string, terms: readonly string[]): boolean {
  return terms.every((t) => line.includes(t));
}

function at(record: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (v, key) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[key] : undefined),
      record,
    );
}

let eiam: EiamEmulator;
let lines: string[] = [];
const results: Array<{ status: string; error?: { stage: string; code: string } }> = [];
const saved = { ...process.env };

beforeAll(async () => {
  eiam = await startDemoEiam();
  const dir = mkdtempSync(join(tmpdir(), "eiam-ops-queries-"));
  Object.assign(process.env, {
    EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
    EIAM_ENDPOINT: eiam.endpoint,
    EIAM_PROTOCOL: "http",
    EIAM_RETRY_BASE_MS: "5",
    EIAM_RETRY_MAX_MS: "10",
    DEAD_LETTER_FILE: join(dir, "dlq.jsonl"),
    WEBHOOK_AUTH: "none",
    LOG_LEVEL: "info",
  });
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = chunk.toString();
    if (text.startsWith('{"time"')) {
      lines.push(...text.trim().split("\n"));
      return true;
    }
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    const entry = await import("../../functions/user-sync/index.ts");
    await entry.initializer(fcContext());
    const run = async (event: Buffer) => {
      try {
        const answer = (await entry.handler(event, fcContext() as never)) as {
          results?: typeof results;
          body?: string;
        };
        // A batch answers {results}; the HTTP trigger answers one outcome as its JSON body.
        results.push(...(answer.results ?? [JSON.parse(answer.body ?? "{}") as (typeof results)[number]]));
      } catch (err) {
        const deferred = err as { result?: { results: typeof results } };
        results.push(...(deferred.result?.results ?? []));
      }
    };
    const applied = canonicalEvent({}, { displayName: "Ops Query" });
    await run(Buffer.from(JSON.stringify(applied)));
    await run(Buffer.from(JSON.stringify(applied))); // duplicate
    // The event whose story the doc's query tells: EIAM refuses it (apply), then its redelivery is known.
    const refused = canonicalEvent({ id: "evt-1001" }, { customFields: { badge_color: "blue" } });
    await run(mnsQueueCloudEvents([JSON.stringify(refused)]));
    await run(mnsQueueCloudEvents([JSON.stringify(refused)]));
    await run(
      mnsQueueCloudEvents([
        JSON.stringify(canonicalEvent({ user: { userId: "user_doesnotexist00000000000000" } }, {})), // validate
        JSON.stringify({ id: "evt-no-shape" }),
      ]),
    );
    await run(Buffer.from(JSON.stringify({ hello: "world" }))); // decode: unknown shape
    eiam.state.setFaults({ failNext: [{ kind: "5xx", count: 50 }] });
    await run(httpTriggerEvent(canonicalEvent({}, { displayName: "EIAM down" }))); // deferred
    eiam.state.clearFaults();
  } finally {
    process.stdout.write = write;
  }
  lines = lines.filter((l) => l.trim() !== "");
});

afterAll(async () => {
  process.env = saved;
  await eiam?.close();
});

describe("the function's log lines", () => {
  it("were captured: one cold start, an outcome per event and a summary per invocation", () => {
    const parsed = lines.map((l) => JSON.parse(l) as { msg: string });
    expect(parsed.filter((l) => l.msg === "cold start")).toHaveLength(1);
    expect(parsed.filter((l) => l.msg === "invocation summary")).toHaveLength(7);
    expect(parsed.filter((l) => l.msg === "event outcome")).toHaveLength(results.length);
    const statuses = new Set(results.map((r) => r.status));
    for (const s of ["applied", "duplicate", "dead_lettered", "deferred"]) expect(statuses).toContain(s);
  });

  it("the cold start line carries the heap limit the instance got, and says the initializer built it", () => {
    const line = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === "cold start")!;
    expect(line.by).toBe("initializer");
    expect(line.heapSizeLimitMb).toBeGreaterThan(16);
    expect(line.memoryMb).toBe(128);
    expect(typeof line.nodeOptions).toBe("string");
    expect(typeof line.execArgv).toBe("string");
  });
});

describe("docs/operations.md queries", () => {
  const queries = docQueries();

  it("are there (six, each reading at least one field)", () => {
    expect(queries).toHaveLength(6);
    for (const q of queries) expect(q.fields.length, q.text).toBeGreaterThan(0);
  });

  it.each(docQueries().map((q) => [q.text.slice(0, 60), q] as const))(
    "%s… reads fields that the matching lines really have",
    (_name, query) => {
      const hits = lines.filter((l) => matches(l, query.terms)).map((l) => JSON.parse(l) as unknown);
      expect(hits.length, `no captured line matches ${query.terms.join(" and ")}`).toBeGreaterThan(0);
      const sameKind = lines
        .filter((l) => matches(l, query.terms.slice(0, 1)))
        .map((l) => JSON.parse(l) as unknown);
      for (const field of query.fields) {
        const present = (field.optional ? sameKind : hits)
          .map((h) => at(h, field.path))
          .filter((v) => v !== undefined);
        if (field.optional) expect(present.length, field.path).toBeGreaterThan(0);
        else expect(present.length, `${field.path} missing from some lines`).toBe(hits.length);
        for (const v of present) expect(typeof v, field.path).toBe(field.type);
      }
    },
  );

  it("count dead letters by stage and code as the function's answers do", () => {
    const query = queries.find((q) => q.terms.includes("dead_lettered"))!;
    const counted = new Map<string, number>();
    for (const line of lines.filter((l) => matches(l, query.terms))) {
      const record = JSON.parse(line) as unknown;
      const key = `${at(record, "error.stage")}/${at(record, "error.code")}`;
      counted.set(key, (counted.get(key) ?? 0) + 1);
    }
    const expected = new Map<string, number>();
    for (const r of results.filter((r) => r.status === "dead_lettered")) {
      const key = `${r.error?.stage}/${r.error?.code}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    expect(counted).toEqual(expected);
    expect(expected.get("apply/InvalidParameter.CustomFields.FieldName")).toBe(1);
    expect(expected.size).toBeGreaterThan(1);
  });

  it("find one event's story by its id", () => {
    const query = queries.find((q) => q.terms.includes("evt-1001"))!;
    const hits = lines
      .filter((l) => matches(l, query.terms))
      .map((l) => JSON.parse(l) as { status: string; deadLetterId?: string });
    expect(hits.map((h) => h.status)).toEqual(["dead_lettered", "duplicate"]);
    expect(hits[1]!.deadLetterId).toBe(hits[0]!.deadLetterId);
  });

  it("would notice a field the function does not write", () => {
    const broken = { ...queries[0]!, fields: [{ path: "state", type: "string" as const, optional: false }] };
    const hits = lines.filter((l) => matches(l, broken.terms)).map((l) => JSON.parse(l) as unknown);
    expect(hits.some((h) => at(h, broken.fields[0]!.path) !== undefined)).toBe(false);
  });
});
