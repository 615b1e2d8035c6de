import { domainToASCII } from "node:url";
import { accept, type RuleResult, reject } from "./problem.ts";
import { invisibleCharProblem } from "./text.ts";

export const EMAIL_MAX_LENGTH = 254;
export const EMAIL_LOCAL_MAX_LENGTH = 64;
/** Longer raw input is refused before any work. IDNA mapping can shrink a domain, so this is above 254. */
export const EMAIL_INPUT_CAP = 1024;

const LOCAL_CHARS = /^[A-Za-z0-9._-]+$/;
const LOCAL_RULE =
  "letters, digits, periods (.), underscores (_) and hyphens (-) (UpdateUser Email rule for the local part)";
/** Characters that URL host parsing would decode or treat specially instead of rejecting. */
const DOMAIN_FORBIDDEN = /[\s%/\\?#@:[\]<>"'`|^{}*,;=!$&()+~]/;
const ASCII_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const NUMERIC = /^[0-9]+$/;

/**
 * Trims, splits at the last `@`, keeps the local part's case, converts the domain to lower-case ASCII
 * (IDNA / punycode via `node:url` `domainToASCII`), and checks the local-part charset and all lengths.
 */
export function normalizeEmail(raw: string, path = "email"): RuleResult<string> {
  if (raw.length > EMAIL_INPUT_CAP) {
    return reject(
      path,
      "too_long",
      `${path} must be at most ${EMAIL_MAX_LENGTH} characters; got ${raw.length}`,
    );
  }
  const value = raw.trim();
  if (value.length === 0) {
    return reject(path, "empty", `${path} must not be empty; UpdateUser cannot remove an email address`);
  }
  // IDNA mapping would silently drop some of these from the domain: refuse them instead.
  const invisible = invisibleCharProblem(value, path);
  if (invisible) return { ok: false, problem: invisible };
  const at = value.lastIndexOf("@");
  if (at < 0) return reject(path, "invalid_email", `${path} must be an email address (local-part@domain)`);
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length === 0) return reject(path, "invalid_email", `${path} has an empty local part (before @)`);
  if (domain.length === 0) return reject(path, "invalid_email", `${path} has an empty domain (after @)`);

  if (local.length > EMAIL_LOCAL_MAX_LENGTH) {
    return reject(
      path,
      "too_long",
      `${path}: the local part must be at most ${EMAIL_LOCAL_MAX_LENGTH} characters; got ${local.length}`,
    );
  }
  if (!LOCAL_CHARS.test(local)) {
    return reject(path, "invalid_chars", `${path}: the local part may contain only ${LOCAL_RULE}`);
  }
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) {
    return reject(
      path,
      "invalid_email",
      `${path}: the local part must not start or end with a period or contain two periods in a row`,
    );
  }

  const asciiDomain = toAsciiDomain(domain);
  if (asciiDomain === undefined) {
    return reject(
      path,
      "invalid_email",
      `${path}: the domain is not a valid host name (labels of letters, digits and inner hyphens, at least two labels, convertible to ASCII by IDNA)`,
    );
  }
  const email = `${local}@${asciiDomain}`;
  if (email.length > EMAIL_MAX_LENGTH) {
    return reject(
      path,
      "too_long",
      `${path} must be at most ${EMAIL_MAX_LENGTH} characters (with the domain in ASCII form); got ${email.length}`,
    );
  }
  return accept(email);
}

/** The lower-case ASCII (punycode) form of a domain, or undefined if it is not a usable host name. */
function toAsciiDomain(domain: string): string | undefined {
  if (DOMAIN_FORBIDDEN.test(domain)) return undefined;
  const ascii = domainToASCII(domain);
  if (ascii === "" || ascii.length > 253) return undefined;
  const labels = ascii.split(".");
  if (labels.length < 2) return undefined;
  for (const label of labels) {
    if (!ASCII_LABEL.test(label)) return undefined;
  }
  // An all-digit top-level label means an IP address, which is not a mail domain here.
  if (NUMERIC.test(labels[labels.length - 1] ?? "")) return undefined;
  return ascii;
}
