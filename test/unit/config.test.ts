import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../shared/config.ts";

const base = { EIAM_INSTANCE_ID: "idaas_1", FC_REGION: "cn-hangzhou", DEAD_LETTER_TOPIC: "dlq" };

describe("loadConfig", () => {
  it("derives the endpoint from FC's region and defaults to https", () => {
    const c = loadConfig(base);
    expect(c.eiam.endpoint).toBe("eiam.cn-hangzhou.aliyuncs.com");
    expect(c.eiam.protocol).toBe("https");
    expect(c.deadLetter).toEqual({
      kind: "mns",
      topic: "dlq",
      endpoint: undefined,
      accountId: undefined,
      region: "cn-hangzhou",
    });
  });

  it("falls back to ALIBABA_CLOUD_REGION_ID, and EIAM_ENDPOINT wins over both", () => {
    expect(
      loadConfig({ ...base, FC_REGION: undefined, ALIBABA_CLOUD_REGION_ID: "ap-southeast-1" }).eiam.endpoint,
    ).toBe("eiam.ap-southeast-1.aliyuncs.com");
    expect(
      loadConfig({ ...base, EIAM_ENDPOINT: "127.0.0.1:8790", EIAM_PROTOCOL: "http" }).eiam,
    ).toMatchObject({
      endpoint: "127.0.0.1:8790",
      protocol: "http",
    });
  });

  it("reads static credentials from the environment", () => {
    const c = loadConfig({
      ...base,
      ALIBABA_CLOUD_ACCESS_KEY_ID: "id",
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: "s",
    });
    expect(c.envCredentials).toEqual({ accessKeyId: "id", accessKeySecret: "s" });
  });

  it.each([
    [{ ...base, EIAM_INSTANCE_ID: undefined }, "EIAM_INSTANCE_ID"],
    [{ ...base, EIAM_INSTANCE_ID: "  " }, "EIAM_INSTANCE_ID"],
    [{ ...base, EIAM_PROTOCOL: "ftp" }, "EIAM_PROTOCOL"],
    [{ ...base, EIAM_ENDPOINT: "https://eiam.cn-hangzhou.aliyuncs.com" }, "EIAM_ENDPOINT"],
    [{ ...base, FC_REGION: undefined }, "EIAM_ENDPOINT"],
    [{ ...base, EIAM_MAX_QPS: "-1" }, "EIAM_MAX_QPS"],
    [{ ...base, EIAM_MAX_CONCURRENCY: "many" }, "EIAM_MAX_CONCURRENCY"],
    [{ ...base, DEFAULT_PHONE_REGION: "China" }, "DEFAULT_PHONE_REGION"],
    [{ ...base, DEFAULT_PHONE_REGION: "XX" }, "DEFAULT_PHONE_REGION"],
    [{ ...base, IDEMPOTENCY_STORE: "redis" }, "REDIS_URL"],
    [{ ...base, REDIS_URL: "localhost:6379" }, "REDIS_URL"],
    [{ ...base, DEAD_LETTER_TOPIC: undefined }, "DEAD_LETTER_TOPIC"],
    [{ ...base, DEAD_LETTER_FILE: "/tmp/x.jsonl" }, "DEAD_LETTER_FILE"],
    [{ ...base, ALIBABA_CLOUD_ACCESS_KEY_ID: "only-id" }, "ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
  ])("%#: a bad value is an error that names %s", (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(variable);
  });
});
