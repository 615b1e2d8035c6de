import { describe, expect, it } from "vitest";
import { createLogger, maskEmail, maskPhone, redact } from "../../shared/log.ts";

describe("log masking", () => {
  it("masks emails and phone numbers", () => {
    expect(maskEmail("Zhang.San@Example.com")).toBe("Z***@Example.com");
    expect(maskPhone("+86 156 1234 5678")).toBe("***5678");
    expect(redact("mail zhang.san@example.com or call +86 156-1234-5678")).toBe(
      "mail z***@example.com or call ***5678",
    );
  });

  it("keeps dates and short numbers", () => {
    expect(redact("at 2026-11-28T08:00:00Z id hr-7781-2")).toBe("at 2026-11-28T08:00:00Z id hr-7781-2");
  });

  it("scrubs every string of a log line, keeps digit ids readable", () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l), now: () => new Date(0) });
    log.info("changed a@b.cn", {
      user: { email: "someone@corp.example" },
      deliveryId: "topic-3-123456789",
      secret: "whsec_AAAAAAAAAAAAAAAA",
    });
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line.msg).toBe("changed a***@b.cn");
    expect(line.user).toEqual({ email: "s***@corp.example" });
    expect(line.deliveryId).toBe("topic-3-123456789");
    expect(line.secret).toBe("[secret]");
  });

  it("filters by level", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "warn", sink: (l) => lines.push(l) });
    log.info("no");
    log.warn("yes");
    expect(lines).toHaveLength(1);
  });

  it("masks emails whatever their script, and the text around them stays", () => {
    expect(redact('from 张三@例子.中国, to "li.si@example.com"')).toBe(
      'from 张***@例子.中国, to "l***@example.com"',
    );
    expect(redact("a@b c@d")).toBe("a***@b c***@d");
    expect(redact("@@ x@ @y")).toBe("@@ x***@ @y");
    expect(redact("😀zhang@example.com")).toBe("😀***@example.com");
  });

  it("masks hostile text completely, however long, and caps it", () => {
    const long = `${"a".repeat(300_000)}@example.com`;
    const out = redact(long);
    expect(out.length).toBeLessThan(2_100);
    expect(out).not.toMatch(/a{4}/);
    const ats = `@${"a".repeat(300_000)}`;
    expect(redact(ats)).toMatch(/^@a+…\[\d+ more\]$/);
    const mixed = "x@".repeat(100_000);
    // "x@x" is an address, then "@x" starts the next one: every local part is masked.
    expect(redact(mixed).startsWith("x***@x@x***@x@x***@x@")).toBe(true);
  });

  it("caps strings and arrays in a log line", () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l) });
    log.warn("event outcome", {
      eventId: "e".repeat(100_000),
      problems: Array.from({ length: 500 }, (_, i) => i),
    });
    expect(lines[0]!.length).toBeLessThan(3_000);
    const line = JSON.parse(lines[0]!) as { eventId: string; problems: unknown[] };
    expect(line.eventId).toMatch(/more\]$/);
    expect(line.problems).toHaveLength(51);
  });
});
