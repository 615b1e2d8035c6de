/**
 * The request sequences Entra ID and Okta document (test/fixtures/scim/), replayed through handleScimRequest
 * against the in-memory backend. Every answer is checked against the SCIM schemas (docs/scim-user.schema.json)
 * and every write against the intent it must produce.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { handleScimRequest, type ScimRequest } from "../../shared/scim/index.ts";
import { MemoryScimBackend } from "../helpers/scim-memory-backend.ts";
import { expectScimError, expectScimList, expectScimUser } from "../helpers/scim-schema.ts";

interface Step {
  name: string;
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  expect: {
    status: number;
    totalResults?: number;
    capture?: "id";
    action?: string;
    intentStatus?: string;
    active?: boolean;
    changes?: Record<string, unknown>;
    ignored?: string[];
    scimType?: string;
  };
}

interface Sequence {
  client: string;
  headers?: Record<string, string>;
  steps: Step[];
}

function sequence(name: string): Sequence {
  return JSON.parse(readFileSync(new URL(`../fixtures/scim/${name}`, import.meta.url), "utf8"));
}

function demoUsers() {
  return [
    {
      UserId: "user_li4si0000000000000000000",
      Username: "li.si",
      DisplayName: "Li Si",
      Email: "li.si@example.com",
      PhoneRegion: "86",
      PhoneNumber: "15612340000",
      UserExternalId: "hr-1002",
      Status: "enabled",
      CreateTime: Date.UTC(2025, 0, 1),
      UpdateTime: Date.UTC(2025, 5, 1),
    },
    { UserId: "user_ada0000000000000000000000", Username: "ada", DisplayName: "Ada", Status: "enabled" },
  ];
}

async function replay(file: string) {
  const { headers = {}, steps } = sequence(file);
  const backend = new MemoryScimBackend(demoUsers());
  let id = "";
  let receivedAt = Date.UTC(2026, 11, 2, 1, 0, 0);
  for (const [index, step] of steps.entries()) {
    const fill = (text: string) => text.replaceAll("{id}", id);
    receivedAt += 1000;
    const request: ScimRequest = {
      method: step.method,
      path: fill(step.path),
      query: step.query ?? {},
      headers: { authorization: "Bearer not-checked-here", ...headers },
      body: Buffer.from(step.body === undefined ? "" : fill(JSON.stringify(step.body))),
      receivedAt,
      deliveryId: `fc-request-${index}`,
    };
    const intentsBefore = backend.intents.length;
    const response = await handleScimRequest(request, backend, {
      baseUrl: "https://sync.example.com/scim/v2",
    });
    const label = `${file} step ${index} (${step.name})`;
    expect(response.statusCode, `${label}: ${response.body}`).toBe(step.expect.status);
    if (response.statusCode === 204) {
      expect(response.body, label).toBe("");
    } else {
      expect(response.headers["content-type"], label).toBe("application/scim+json; charset=utf-8");
    }
    const body = response.body === "" ? undefined : JSON.parse(response.body);
    if (step.expect.scimType !== undefined)
      expect(expectScimError(body).scimType, label).toBe(step.expect.scimType);
    if (step.expect.totalResults !== undefined) {
      const list = expectScimList(body);
      expect(list.totalResults, label).toBe(step.expect.totalResults);
      for (const resource of list.Resources) expectScimUser(resource);
      if (step.expect.capture === "id") id = String(list.Resources[0]?.id);
    } else if (response.statusCode === 200 || response.statusCode === 201) {
      const user = expectScimUser(body);
      if (step.expect.capture === "id") id = String(user.id);
      if (step.expect.active !== undefined) expect(user.active, label).toBe(step.expect.active);
      if (response.statusCode === 201)
        expect(response.headers.location, label).toBe(`https://sync.example.com/scim/v2/Users/${id}`);
    }
    const intent = backend.intents[intentsBefore];
    if (
      step.expect.action !== undefined ||
      step.expect.changes !== undefined ||
      step.expect.intentStatus !== undefined
    ) {
      expect(intent, `${label}: an intent`).toBeDefined();
      expect(backend.intents.length, label).toBe(intentsBefore + 1);
      expect(intent?.eventId, label).toBe(request.deliveryId);
      expect(intent?.occurredAt, label).toBe(new Date(request.receivedAt).toISOString());
      expect(intent?.action, label).toBe(step.expect.action ?? "update");
      if (step.expect.intentStatus !== undefined)
        expect(intent?.status, label).toBe(step.expect.intentStatus);
      if (step.expect.changes !== undefined) expect(intent?.changes, label).toEqual(step.expect.changes);
      if (step.expect.ignored !== undefined)
        expect(intent?.ignored.map((entry) => entry.path).sort(), label).toEqual(
          [...step.expect.ignored].sort(),
        );
    } else if (step.method === "GET") {
      expect(backend.intents.length, `${label}: a read applies nothing`).toBe(intentsBefore);
    }
  }
  return backend;
}

describe("documented SCIM client sequences", () => {
  it("Entra ID: test connection, match by filter, PATCH updates, disable, enable, delete", async () => {
    const backend = await replay("entra-id.json");
    const user = backend.users.get("user_li4si0000000000000000000");
    expect(user?.Email).toBe("li.si@example.com");
    expect(user?.DisplayName).toBe("Li Si (Entra)");
    expect(user?.CustomFields).toEqual([{ FieldName: "employee_number", FieldValue: "E-2002" }]);
    expect(user?.Status).toBe("disabled");
  });

  it("Okta: test connection, match, create, 409 on a second create, GET + PUT, deactivate, reactivate", async () => {
    const backend = await replay("okta.json");
    const created = [...backend.users.values()].find((u) => u.Username === "test.user@okta.local");
    expect(created).toMatchObject({
      DisplayName: "Another User",
      UserExternalId: "00ujl29u0le5T6Aj10h7",
      Status: "enabled",
    });
    expect(backend.writes.filter((w) => w.field === "create")).toHaveLength(1);
    expect(backend.writes.filter((w) => w.field === "status").map((w) => w.value)).toEqual([
      "disabled",
      "enabled",
    ]);
  });
});
