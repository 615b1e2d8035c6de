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
});
