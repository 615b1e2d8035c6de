import { describe, expect, it } from "vitest";
import { normalizeUsername, usernameFromEmail } from "../../shared/normalize/username.ts";

describe("normalizeUsername", () => {
  it.each([
    ["zhang.san", "zhang.san"],
    ["  Zhang_San-01@corp \t", "Zhang_San-01@corp"],
    ["a", "a"],
    ["x".repeat(256), "x".repeat(256)],
  ])("accepts %j → %j", (input, expected) => {
    expect(normalizeUsername(input, "changes.username")).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["", "empty", /must not be empty; UpdateUser cannot remove/],
    [" \t ", "empty", /must not be empty/],
    ["x".repeat(257), "too_long", /at most 256 characters \(UpdateUser Username rule\); got 257/],
    ["zhang san", "invalid_chars", /letters, digits and the special characters _ \. @ -/],
    ["zhang+san", "invalid_chars", /UpdateUser Username rule/],
    ["张三", "invalid_chars", /may contain only/],
    ["zhang\u0000", "invalid_chars", /may contain only/],
  ])("rejects %j → %s", (input, code, message) => {
    const result = normalizeUsername(input, "user.username");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toMatchObject({ path: "user.username", code });
    expect(result.problem.message).toMatch(message);
  });
});

describe("usernameFromEmail (email-local-part rule)", () => {
  it.each([
    ["Zhang.San@example.com", "zhang.san"],
    ["ops-1_a@xn--bcher-kva.de", "ops-1_a"],
  ])("%j → %j", (email, expected) => {
    expect(usernameFromEmail(email)).toEqual({ ok: true, value: expected });
  });
});
