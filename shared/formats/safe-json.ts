/**
 * A strict JSON (RFC 8259) reader for untrusted bodies. Unlike `JSON.parse` it
 * - reports errors by position only (V8's messages quote the input, which may hold personal data),
 * - rejects the keys `__proto__`, `constructor` and `prototype`, so nothing downstream can pollute prototypes,
 * - caps nesting depth, so hostile input cannot exhaust the stack.
 */
import type { Problem } from "../change.ts";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);
export const DEFAULT_MAX_DEPTH = 32;

export type SafeJsonResult = { ok: true; value: JsonValue } | { ok: false; problem: Problem };

class JsonFault extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly offset: number,
    readonly path: string,
  ) {
    super(detail);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

function formatPath(segments: readonly (string | number)[]): string {
  let path = "";
  for (const segment of segments) {
    if (typeof segment === "number") path += `[${segment}]`;
    else path += path === "" ? segment : `.${segment}`;
  }
  return path;
}

class Reader {
  private at = 0;
  private depth = 0;
  private readonly path: (string | number)[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  document(): JsonValue {
    this.skipSpace();
    const value = this.value();
    this.skipSpace();
    if (this.at < this.text.length)
      this.fail("unexpected_content", "unexpected content after the JSON value");
    return value;
  }

  private fail(code: string, detail: string, offset = this.at): never {
    throw new JsonFault(code, detail, offset, formatPath(this.path));
  }

  private skipSpace(): void {
    const text = this.text;
    while (this.at < text.length) {
      const char = text.charCodeAt(this.at);
      if (char !== 0x20 && char !== 0x09 && char !== 0x0a && char !== 0x0d) return;
      this.at++;
    }
  }

  private value(): JsonValue {
    const char = this.text[this.at];
    if (char === "{") return this.object();
    if (char === "[") return this.array();
    if (char === '"') return this.string();
    if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) return this.number();
    if (this.text.startsWith("true", this.at)) return this.literal(4, true);
    if (this.text.startsWith("false", this.at)) return this.literal(5, false);
    if (this.text.startsWith("null", this.at)) return this.literal(4, null);
    if (char === undefined) this.fail("invalid_json", "unexpected end of input, expected a value");
    return this.fail("invalid_json", "unexpected character, expected a value");
  }

  private literal<T>(length: number, value: T): T {
    this.at += length;
    return value;
  }

  private enter(): void {
    this.depth++;
    if (this.depth > this.maxDepth) this.fail("too_deep", `nesting is deeper than ${this.maxDepth} levels`);
  }

  private object(): { [key: string]: JsonValue } {
    this.enter();
    const result: { [key: string]: JsonValue } = {};
    this.at++;
    this.skipSpace();
    if (this.text[this.at] === "}") {
      this.at++;
      this.depth--;
      return result;
    }
    for (;;) {
      if (this.text[this.at] !== '"') this.fail("invalid_json", "expected a property name in double quotes");
      const keyOffset = this.at;
      const key = this.string();
      if (FORBIDDEN_KEYS.has(key)) {
        this.path.push(key);
        this.fail("forbidden_key", `the property name "${key}" is not allowed`, keyOffset);
      }
      this.skipSpace();
      if (this.text[this.at] !== ":") this.fail("invalid_json", "expected ':' after a property name");
      this.at++;
      this.skipSpace();
      this.path.push(key);
      result[key] = this.value();
      this.path.pop();
      this.skipSpace();
      const next = this.text[this.at];
      this.at++;
      if (next === "}") break;
      if (next !== ",") this.fail("invalid_json", "expected ',' or '}' in an object", this.at - 1);
      this.skipSpace();
    }
    this.depth--;
    return result;
  }

  private array(): JsonValue[] {
    this.enter();
    const result: JsonValue[] = [];
    this.at++;
    this.skipSpace();
    if (this.text[this.at] === "]") {
      this.at++;
      this.depth--;
      return result;
    }
    for (;;) {
      this.path.push(result.length);
      result.push(this.value());
      this.path.pop();
      this.skipSpace();
      const next = this.text[this.at];
      this.at++;
      if (next === "]") break;
      if (next !== ",") this.fail("invalid_json", "expected ',' or ']' in an array", this.at - 1);
      this.skipSpace();
    }
    this.depth--;
    return result;
  }

  private string(): string {
    const text = this.text;
    const start = ++this.at;
    let out = "";
    let chunkStart = start;
    while (this.at < text.length) {
      const code = text.charCodeAt(this.at);
      if (code === 0x22) {
        out += text.slice(chunkStart, this.at);
        this.at++;
        return out;
      }
      if (code < 0x20) this.fail("invalid_json", "unescaped control character in a string");
      if (code === 0x5c) {
        out += text.slice(chunkStart, this.at);
        out += this.escape();
        chunkStart = this.at;
        continue;
      }
      this.at++;
    }
    return this.fail("invalid_json", "unterminated string", start - 1);
  }

  private escape(): string {
    const kind = this.text[this.at + 1];
    if (kind === "u") {
      const hex = this.text.slice(this.at + 2, this.at + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("invalid_json", "invalid \\u escape in a string");
      this.at += 6;
      return String.fromCharCode(Number.parseInt(hex, 16));
    }
    const replacement = kind === undefined ? undefined : ESCAPES[kind];
    if (replacement === undefined) this.fail("invalid_json", "invalid escape in a string");
    this.at += 2;
    return replacement;
  }

  private number(): number {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (match === null) return this.fail("invalid_json", "invalid number");
    this.at += match[0].length;
    return Number(match[0]);
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (
    let index = text.indexOf("\n");
    index !== -1 && index < offset;
    index = text.indexOf("\n", index + 1)
  ) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Parse `text`; errors come back as a `Problem` that gives a position and never quotes the input. */
export function parseJsonSafely(text: string, maxDepth = DEFAULT_MAX_DEPTH): SafeJsonResult {
  try {
    return { ok: true, value: new Reader(text, maxDepth).document() };
  } catch (error) {
    if (!(error instanceof JsonFault)) throw error;
    const { line, column } = lineAndColumn(text, error.offset);
    const where = `line ${line}, column ${column} (character ${error.offset})`;
    const message =
      error.code === "invalid_json" || error.code === "unexpected_content"
        ? `body is not valid JSON: ${error.detail} at ${where}`
        : `body rejected: ${error.detail} at ${where}`;
    return {
      ok: false,
      problem: {
        path: error.path,
        code: error.code === "unexpected_content" ? "invalid_json" : error.code,
        message,
      },
    };
  }
}
