import { describe, expect, it } from "vitest";
import { ConfigError } from "../../shared/config.ts";
import { createRuntime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";

const base = {
  EIAM_INSTANCE_ID: "idaas_1",
  FC_REGION: "cn-hangzhou",
  DEAD_LETTER_FILE: "/tmp/eiam-sync-unit.jsonl",
};

function build(env: Record<string, string>) {
  const lines: string[] = [];
  const runtime = createRuntime(
    { ...base, ...env },
    { logger: createLogger({ sink: (l) => lines.push(l) }) },
  );
  return { runtime, lines };
}

describe("createRuntime (the cold start)", () => {
  it("refuses HTTP deliveries, with a warning, when WEBHOOK_AUTH is not chosen", () => {
    const { runtime, lines } = build({});
    expect(runtime.door.table.broken.map((route) => route.problems)).toEqual([
      [expect.stringContaining("WEBHOOK_AUTH")],
    ]);
    expect(lines.join("\n")).toContain("HTTP trigger deliveries will be refused");
  });

  it("warns at cold start when verification is off", () => {
    const { runtime, lines } = build({ WEBHOOK_AUTH: "none" });
    expect(runtime.door.table.routes).toMatchObject([{ path: "/*", authenticator: { scheme: "none" } }]);
    expect(lines.join("\n")).toContain("verification is OFF");
  });

  it.each([
    [{ WEBHOOK_AUTH: "bogus" }, "WEBHOOK_AUTH"],
    [{ WEBHOOK_AUTH: "standard-webhooks" }, "WEBHOOK_SECRETS"],
    [{ HR_MAPPING_FILE: "/nonexistent/mapping.json" }, "HR_MAPPING_FILE"],
    [{ DEAD_LETTER_FILE: "", DEAD_LETTER_TOPIC: "dlq" }, "MNS_ACCOUNT_ID"],
    [{ SENDERS_FILE: "/nonexistent/senders.json" }, "SENDERS_FILE"],
    [
      { SENDERS_FILE: "examples/senders.json", WEBHOOK_AUTH: "none" },
      "WEBHOOK_AUTH: applies only without SENDERS_FILE",
    ],
    [{ SOURCE_QUEUE: "eiam-user-changes" }, "SOURCE_QUEUE needs MNS_ACCOUNT_ID"],
  ])("fails with an error naming the variable: %j", (env, variable) => {
    expect(() => build(env)).toThrow(ConfigError);
    expect(() => build(env)).toThrow(variable);
  });

  it("names each broken route at cold start and keeps the others", () => {
    const { runtime, lines } = build({
      SENDERS_FILE: "examples/senders.json",
      SCIM_BEARER_TOKENS: "t1,t2",
      WEBHOOK_SECRETS: `whsec_${Buffer.alloc(32, 1).toString("base64")}`,
    });
    expect(runtime.door.table.broken.map((route) => route.name)).toEqual([
      "routes[0] (/hooks/feishu)",
      "routes[1] (/hooks/bamboohr)",
      "routes[3] (/hooks/okta)",
    ]);
    const logged = lines.join("\n");
    expect(logged).toContain("routes[0] (/hooks/feishu)");
    expect(logged).toContain("auth.secretsEnv: the variable BAMBOOHR_WEBHOOK_KEYS is not set");
    expect(logged).not.toContain("t1,t2");
  });

  it("never shows a secret in a configuration error", () => {
    expect(() =>
      build({ WEBHOOK_AUTH: "standard-webhooks", WEBHOOK_SECRETS: "whsec_short-and-bad-secret" }),
    ).toThrow(/WEBHOOK_SECRETS/);
    try {
      build({ WEBHOOK_AUTH: "standard-webhooks", WEBHOOK_SECRETS: "whsec_short-and-bad-secret" });
    } catch (err) {
      expect((err as Error).message).not.toContain("short-and-bad-secret");
    }
  });
});
