import { accept, type RuleResult, reject } from "./problem.ts";

/** UpdateUser: "up to 256 characters". */
export const USERNAME_MAX_LENGTH = 256;
const USERNAME_CHARS = /^[A-Za-z0-9_.@-]+$/;
const RULE = "letters, digits and the special characters _ . @ - (UpdateUser Username rule)";

/** Trims and checks a username against EIAM's charset and length. */
export function normalizeUsername(raw: string, path = "username"): RuleResult<string> {
  const value = raw.trim();
  if (value.length === 0) {
    return reject(path, "empty", `${path} must not be empty; UpdateUser cannot remove a username`);
  }
  // The charset is ASCII-only, so UTF-16 length equals character count for any value that passes it.
  if (value.length > USERNAME_MAX_LENGTH) {
    return reject(
      path,
      "too_long",
      `${path} must be at most ${USERNAME_MAX_LENGTH} characters (UpdateUser Username rule); got ${value.length}`,
    );
  }
  if (!USERNAME_CHARS.test(value)) {
    return reject(path, "invalid_chars", `${path} may contain only ${RULE}`);
  }
  return accept(value);
}

/** The username derived from a normalized email by the `email-local-part` rule: the local part, lower-cased. */
export function usernameFromEmail(normalizedEmail: string, path = "username"): RuleResult<string> {
  const at = normalizedEmail.lastIndexOf("@");
  return normalizeUsername(normalizedEmail.slice(0, at).toLowerCase(), path);
}
