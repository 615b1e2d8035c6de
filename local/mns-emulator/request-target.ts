import { invalidArgument, MnsError } from "./errors.ts";

/** The path segments and query of a raw request target (`req.url`). */
export interface RequestTarget {
  segments: string[];
  /** Query parameters by lower-cased name: the SDK uses both `ReceiptHandle` and `receiptHandle`. */
  query: Map<string, string>;
}

function decode(component: string, what: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    throw new MnsError("InvalidRequestURL", `The ${what} "${component}" is not validly percent-encoded.`);
  }
}

/**
 * Splits `req.url`. Query values are percent-decoded but `+` is kept as `+` (no form decoding): the SDK
 * puts Base64 receipt handles into the URL unencoded.
 */
export function parseRequestTarget(rawUrl: string): RequestTarget {
  const questionMark = rawUrl.indexOf("?");
  const path = questionMark < 0 ? rawUrl : rawUrl.slice(0, questionMark);
  const rawQuery = questionMark < 0 ? "" : rawUrl.slice(questionMark + 1);
  const segments = path
    .split("/")
    .filter((s) => s !== "")
    .map((s) => decode(s, "path segment"));
  const query = new Map<string, string>();
  for (const pair of rawQuery.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const name = decode(equals < 0 ? pair : pair.slice(0, equals), "query parameter name").toLowerCase();
    const value = equals < 0 ? "" : decode(pair.slice(equals + 1), "query parameter value");
    if (query.has(name))
      throw new MnsError("InvalidQueryString", `The query parameter "${name}" is given twice.`);
    query.set(name, value);
  }
  return { segments, query };
}

/** An optional non-negative integer query parameter. */
export function integerParam(query: Map<string, string>, name: string): number | undefined {
  const value = query.get(name.toLowerCase());
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw invalidArgument(`The value of ${name} must be a non-negative integer; got "${value}".`);
  return Number(value);
}
