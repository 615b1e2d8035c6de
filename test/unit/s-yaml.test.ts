/**
 * s.yaml: the fc3 resource must validate against our strict schema of the fc3 props it uses
 * (test/fixtures/s-yaml/fc3-props.schema.json, which says where its facts come from), point at the bundle
 * `npm run build` makes, and deploy production defaults: the Redis store in a VPC, and no anonymous HTTP trigger
 * without signed deliveries.
 */
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const SCHEMA_PATH = "test/fixtures/s-yaml/fc3-props.schema.json";

interface Resource {
  component: string;
  props: Record<string, unknown> & {
    code: string;
    handler: string;
    runtime: string;
    triggers: Array<Record<string, unknown>>;
  };
}

/** What `s deploy` does before validating: fill in `${config(...)}`, `${env(...)}` and `${vars.*}`. */
function resolveVariables(text: string): string {
  const vars = (parse(text) as { vars: Record<string, string> }).vars;
  let out = text;
  for (let i = 0; i < 3; i++) {
    out = out
      .replace(/\$\{vars\.(\w+)\}/g, (_m, name: string) => String(vars[name] ?? ""))
      .replace(/\$\{config\('AccountID'\)\}/g, "1234567890123456")
      .replace(/\$\{env\('([A-Z_]+)'\)\}/g, "value-of-$1");
  }
  return out;
}

const config = parse(resolveVariables(readFileSync("s.yaml", "utf8"))) as {
  edition: string;
  resources: Record<string, Resource>;
};
const schema = JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as Record<string, unknown>;
const resource = config.resources["user-sync"]!;

describe("s.yaml", () => {
  it("is a Serverless Devs 3 project with one fc3 function on nodejs20", () => {
    expect(config.edition).toBe("3.0.0");
    expect(resource.component).toBe("fc3");
    expect(resource.props.runtime).toBe("nodejs20");
  });

  it("deploys the bundle that npm run build writes", () => {
    expect(resource.props.code).toBe("./dist/user-sync");
    expect(resource.props.handler).toBe("index.handler");
    const build = readFileSync("scripts/build.mjs", "utf8");
    expect(build).toContain('entryPoints: { index: join("functions", name, "index.ts") }');
    expect(build).toContain('outdir = join("dist", name)');
  });

  it("builds the runtime in FC's instance initializer, which the entry exports", () => {
    expect(resource.props.instanceLifecycleConfig).toEqual({
      initializer: { handler: "index.initializer", timeout: 30 },
    });
    const entry = readFileSync("functions/user-sync/index.ts", "utf8");
    expect(entry).toMatch(/^export const initializer = async \(context: FcContext\)/m);
  });

  it("has the HTTP trigger, the MNS queue trigger with retries and its dead-letter queue, and onFailure", () => {
    const triggers = Object.fromEntries(resource.props.triggers.map((t) => [t.triggerType, t]));
    expect(triggers.http).toMatchObject({
      triggerConfig: { methods: ["GET", "POST", "PUT", "PATCH", "DELETE"] },
    });
    expect(triggers.eventbridge).toMatchObject({
      triggerConfig: {
        eventSourceConfig: { eventSourceType: "MNS" },
        runOptions: { batchWindow: { CountBasedWindow: 100 }, deadLetterQueue: {} },
      },
    });
    expect(resource.props.asyncInvokeConfig).toMatchObject({
      destinationConfig: {
        onFailure: { destination: expect.stringMatching(/^acs:mns:.*\/topics\/.*\/messages$/) },
      },
    });
  });

  it("deploys the Redis store, reached through a VPC", () => {
    const env = resource.props.environmentVariables as Record<string, string>;
    expect(env.IDEMPOTENCY_STORE).toBe("redis");
    expect(env.REDIS_URL).toMatch(/^rediss?:\/\/.+/);
    expect(resource.props.vpcConfig).toMatchObject({
      vpcId: expect.any(String),
      vSwitchIds: [expect.any(String)],
      securityGroupId: expect.any(String),
    });
  });

  it("takes anonymous HTTP deliveries only when every one must be signed", () => {
    const env = resource.props.environmentVariables as Record<string, string>;
    for (const trigger of resource.props.triggers.filter((t) => t.triggerType === "http")) {
      const authType = (trigger.triggerConfig as { authType: string }).authType;
      if (authType !== "anonymous") continue;
      expect(["standard-webhooks", "hmac-sha256"]).toContain(env.WEBHOOK_AUTH);
      expect(env.WEBHOOK_SECRETS).toBeTruthy();
    }
  });

  it("lets through every method the example routes file (examples/senders.json) takes", () => {
    const http = resource.props.triggers.find((t) => t.triggerType === "http") as {
      triggerConfig: { methods: string[] };
    };
    const routes = JSON.parse(readFileSync("examples/senders.json", "utf8")) as {
      routes: { methods: string[] }[];
    };
    const needed = new Set(routes.routes.flatMap((route) => route.methods));
    expect([...needed].filter((method) => !http.triggerConfig.methods.includes(method))).toEqual([]);
    expect(resource.props.environmentVariables).toMatchObject({ SOURCE_QUEUE: "eiam-user-changes" });
  });

  it("validates against the fc3 props schema, once its variables are filled in", () => {
    expect(JSON.stringify(resource.props)).not.toContain("${");
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const ok = validate(resource.props);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("fails the schema when a required prop is missing, misspelt or out of range (the check can fail)", () => {
    const validate = new Ajv({ strict: false }).compile(schema);
    const { runtime: _runtime, ...withoutRuntime } = resource.props;
    expect(validate(withoutRuntime)).toBe(false);
    expect(validate({ ...resource.props, memorysize: 256 })).toBe(false);
    expect(validate({ ...resource.props, memorySize: 100 })).toBe(false);
    const badTrigger = {
      ...resource.props.triggers[0],
      triggerConfig: { authType: "anonymous", methods: ["GOT"] },
    };
    expect(validate({ ...resource.props, triggers: [badTrigger] })).toBe(false);
  });
});
