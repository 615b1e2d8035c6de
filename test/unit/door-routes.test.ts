/** The route table (SENDERS_FILE): the shipped example loads, problems are listed by route and key, matching. */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { Door } from "../../shared/door/door.ts";
import {
  catchAllRoute,
  type RouteContext,
  RouteTable,
  routesFromFile,
} from "../../shared/door/route-table.ts";
import { createLogger } from "../../shared/log.ts";
import type { Delivery } from "../../shared/triggers/delivery.ts";

const EXAMPLE = JSON.parse(readFileSync(new URL("../../examples/senders.json", import.meta.url), "utf8"));
const ENV = {
  FEISHU_ENCRYPT_KEY: "feishu-key",
  FEISHU_VERIFICATION_TOKEN: "feishu-token",
  BAMBOOHR_WEBHOOK_KEYS: "bamboo-key",
  WEBHOOK_SECRETS: `whsec_${Buffer.alloc(32, 7).toString("base64")}`,
  SCIM_BEARER_TOKENS: "scim-token-1,scim-token-2",
  OKTA_HOOK_AUTHORIZATION: "okta-static-secret",
};
const CONTEXT: RouteContext = {
  env: ENV,
  mappingNames: [
    "feishu-contact-user-updated-v3",
    "feishu-contact-user-deleted-v3",
    "bamboohr-employee",
    "okta-event-hook",
  ],
  hasSourceQueue: true,
};

function delivery(method: string, path: string, headers: Record<string, string> = {}): Delivery {
  return {
    trigger: "http",
    deliveryId: "d-1",
    receivedAt: 0,
    body: Buffer.from("{}"),
    headers,
    http: { method, path, query: {} },
    original: {},
  };
}

describe("the example routes file (examples/senders.json)", () => {
  it("loads: five working routes with their traits", () => {
    const routes = routesFromFile(EXAMPLE, CONTEXT);
    expect(routes.map((route) => route.problems)).toEqual([[], [], [], [], []]);
    expect(
      routes.map((route) => [route.path, route.authenticator?.scheme, route.ack, route.traits.format]),
    ).toEqual([
      ["/hooks/feishu", "feishu", "enqueue", "mapped"],
      ["/hooks/bamboohr", "bamboohr", "sync", "mapped"],
      ["/events", "standard-webhooks", "sync", "cloudevents"],
      ["/hooks/okta", "okta-event-hook", "sync", "mapped"],
      ["/scim/v2/*", "bearer", "sync", "scim"],
    ]);
    // Feishu sends every event type to one URL: the route takes each Feishu contact mapping by its match.
    expect(routes[0]!.traits.mappingName).toBe("feishu-contact-user-*");
  });

  it("is valid against docs/senders.schema.json (the JSON Schema in the docs)", () => {
    const schema = JSON.parse(
      readFileSync(new URL("../../docs/senders.schema.json", import.meta.url), "utf8"),
    );
    const validate = new Ajv2020.default({ strict: false, allErrors: true }).compile(schema);
    expect(validate(EXAMPLE), JSON.stringify(validate.errors)).toBe(true);
    expect(
      validate({
        routes: [{ path: "/x", methods: ["POST"], format: "scim", auth: { scheme: "bearer", token: "t" } }],
      }),
    ).toBe(false);
  });

  it("names every problem by route and key when the environment and mappings are missing", () => {
    const routes = routesFromFile(EXAMPLE, { env: {}, mappingNames: [], hasSourceQueue: false });
    const problems = routes.flatMap((route) => route.problems.map((problem) => `${route.name}: ${problem}`));
    expect(problems).toEqual([
      "routes[0] (/hooks/feishu): format: no mapping named feishu-contact-user-* is loaded (HR_MAPPING_FILE has: none)",
      "routes[0] (/hooks/feishu): ack: enqueue needs SOURCE_QUEUE (the MNS queue the queue trigger reads)",
      "routes[0] (/hooks/feishu): auth.encryptKeyEnv: the variable FEISHU_ENCRYPT_KEY is not set (one value, or several separated by commas)",
      "routes[0] (/hooks/feishu): auth.verificationTokenEnv: the variable FEISHU_VERIFICATION_TOKEN is not set (one value, or several separated by commas)",
      "routes[1] (/hooks/bamboohr): format: no mapping named bamboohr-employee is loaded (HR_MAPPING_FILE has: none)",
      "routes[1] (/hooks/bamboohr): auth.secretsEnv: the variable BAMBOOHR_WEBHOOK_KEYS is not set (one value, or several separated by commas)",
      "routes[2] (/events): auth.secretsEnv: the variable WEBHOOK_SECRETS is not set (one value, or several separated by commas)",
      "routes[3] (/hooks/okta): format: no mapping named okta-event-hook is loaded (HR_MAPPING_FILE has: none)",
      "routes[3] (/hooks/okta): auth.authorizationEnv: the variable OKTA_HOOK_AUTHORIZATION is not set (one value, or several separated by commas)",
      "routes[4] (/scim/v2/*): auth.tokensEnv: the variable SCIM_BEARER_TOKENS is not set (one value, or several separated by commas)",
    ]);
  });

  it("lists shape problems of each route, and refuses inline secrets", () => {
    const routes = routesFromFile(
      {
        routes: [
          { path: "hooks", methods: [], format: "xml", auth: { scheme: "bearer", tokens: ["inline"] } },
          { path: "/ok", methods: ["POST"], format: "canonical", auth: { scheme: "none" }, ack: "later" },
          { path: "/ok", methods: ["POST"], format: "canonical", auth: { scheme: "none" } },
        ],
      },
      CONTEXT,
    );
    const problems = routes.map((route) => route.problems.join(" | "));
    expect(problems[0]).toContain("path: must be an absolute path");
    expect(problems[0]).toContain("methods:");
    expect(problems[0]).toContain(
      "format: must be canonical, cloudevents, scim, mapped:<mapping name> or mapped:<name prefix>*",
    );
    expect(problems[0]).toContain("auth");
    expect(problems[0]).not.toContain("inline");
    expect(problems[1]).toContain("ack:");
    expect(problems[2]).toBe("path: routes[1] (/ok) already serves this path");
  });

  it("refuses a file that is not { routes: [...] }", () => {
    expect(() => routesFromFile([], CONTEXT)).toThrow("routes");
    expect(() => routesFromFile({ routes: [] }, CONTEXT)).toThrow("non-empty");
  });
});

describe("the door", () => {
  const lines: string[] = [];
  const door = new Door(
    new RouteTable(routesFromFile(EXAMPLE, CONTEXT)),
    createLogger({ sink: (l) => lines.push(l) }),
  );

  it("answers 404 for an unknown path without naming any route", () => {
    const outcome = door.open(delivery("POST", "/hooks/unknown"), 0, "fc-1");
    expect(outcome.kind === "answer" && outcome.response.statusCode).toBe(404);
    const body = outcome.kind === "answer" ? outcome.response.body : "";
    for (const path of ["feishu", "bamboohr", "events", "scim"]) expect(body).not.toContain(path);
  });

  it("answers 405 with Allow for a method the route does not take", () => {
    const outcome = door.open(delivery("GET", "/hooks/bamboohr"), 0, "fc-1");
    expect(
      outcome.kind === "answer" && [outcome.response.statusCode, outcome.response.headers.allow],
    ).toEqual([405, "POST"]);
  });

  it("serves everything under a /* prefix, and only there", () => {
    const entered = door.open(
      delivery("PATCH", "/scim/v2/Users/u1", { authorization: "Bearer scim-token-2" }),
      0,
      "f",
    );
    expect(entered.kind === "enter" && entered.delivery.route).toEqual({
      path: "/scim/v2/*",
      format: "scim",
    });
    const outside = door.open(
      delivery("PATCH", "/scim/v1/Users/u1", { authorization: "Bearer scim-token-2" }),
      0,
      "f",
    );
    expect(outside.kind === "answer" && outside.response.statusCode).toBe(404);
  });

  it("answers 401 on a SCIM route in SCIM's error form, echoing nothing; the log has the reason code", () => {
    const outcome = door.open(
      delivery("PUT", "/scim/v2/Users/u1", { authorization: "Bearer scim-token-3" }),
      0,
      "f",
    );
    expect(outcome.kind === "answer" && outcome.response.statusCode).toBe(401);
    expect(outcome.kind === "answer" && outcome.response.headers["content-type"]).toBe(
      "application/scim+json; charset=utf-8",
    );
    expect(outcome.kind === "answer" && JSON.parse(outcome.response.body)).toEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "401",
      detail: "authentication required",
    });
    expect(lines.join("\n")).toContain("credentials_mismatch");
    expect(lines.join("\n")).not.toContain("scim-token");
  });

  it("prefers an exact path to a prefix and the longest prefix to a shorter one", () => {
    const table = new RouteTable(
      routesFromFile(
        {
          routes: [
            { path: "/*", methods: ["POST"], format: "canonical", auth: { scheme: "none" } },
            { path: "/a/*", methods: ["PUT"], format: "canonical", auth: { scheme: "none" } },
            { path: "/a/b", methods: ["PATCH"], format: "canonical", auth: { scheme: "none" } },
          ],
        },
        CONTEXT,
      ),
    );
    expect(["/a/b", "/a/c", "/x"].map((path) => table.match(path)?.path)).toEqual(["/a/b", "/a/*", "/*"]);
  });

  it("a broken route answers 500 (named at cold start), the others still work", () => {
    const routes = routesFromFile(EXAMPLE, { ...CONTEXT, env: { ...ENV, BAMBOOHR_WEBHOOK_KEYS: "" } });
    const logged: string[] = [];
    const broken = new Door(new RouteTable(routes), createLogger({ sink: (l) => logged.push(l) }));
    broken.reportBrokenRoutes();
    expect(logged.join("\n")).toContain("routes[1] (/hooks/bamboohr)");
    const outcome = broken.open(delivery("POST", "/hooks/bamboohr"), 0, "f");
    expect(outcome.kind === "answer" && outcome.response.statusCode).toBe(500);
    const scim = broken.open(
      delivery("GET", "/scim/v2/Users", { authorization: "Bearer scim-token-1" }),
      0,
      "f",
    );
    expect(scim.kind).toBe("enter");
  });

  it("answers Okta's verification GET and HiBob's signed ping at the door, applying nothing", () => {
    const table = new RouteTable(
      routesFromFile(
        {
          routes: [
            {
              path: "/hooks/okta",
              methods: ["GET", "POST"],
              format: "mapped:okta",
              auth: { scheme: "okta-event-hook", authorizationEnv: "OKTA_AUTH" },
            },
            {
              path: "/hooks/hibob",
              methods: ["POST"],
              format: "mapped:hibob",
              auth: { scheme: "hibob", secretsEnv: "HIBOB_KEYS" },
            },
          ],
        },
        {
          env: { OKTA_AUTH: "okta-static-value", HIBOB_KEYS: "bob-secret" },
          mappingNames: ["okta", "hibob"],
          hasSourceQueue: false,
        },
      ),
    );
    const gate = new Door(table, createLogger({ sink: () => undefined }));
    const okta = gate.open(
      delivery("GET", "/hooks/okta", { "x-okta-verification-challenge": "abc_123" }),
      0,
      "f",
    );
    expect(okta.kind === "answer" && [okta.response.statusCode, JSON.parse(okta.response.body)]).toEqual([
      200,
      { verification: "abc_123" },
    ]);
    const ping = { ...delivery("POST", "/hooks/hibob"), body: Buffer.from("Ping test") };
    ping.headers = {
      "bob-signature": createHmac("sha512", "bob-secret").update("Ping test").digest("base64"),
    };
    const pong = gate.open(ping, 0, "f");
    expect(pong.kind === "answer" && pong.response.statusCode).toBe(200);
  });

  it("gives a redriven HTTP delivery its route's traits by path, without checks", () => {
    const redriven = door.traitsFor(delivery("POST", "/hooks/bamboohr"));
    expect(redriven.route).toEqual({
      path: "/hooks/bamboohr",
      format: "mapped",
      mappingName: "bamboohr-employee",
    });
  });

  it("without SENDERS_FILE, one catch-all route takes POST anywhere", () => {
    const table = new RouteTable([catchAllRoute({ ok: true, settings: { mode: "none" } })]);
    expect(table.match("/anything/at/all")?.name).toBe("catch-all");
  });
});
