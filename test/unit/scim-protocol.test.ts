import { describe, expect, it } from "vitest";
import { EiamError } from "../../shared/eiam/errors.ts";
import type { EiamUser } from "../../shared/eiam/types.ts";
import type { HttpResponse } from "../../shared/handler/http-response.ts";
import { RateLimiterUnavailableError } from "../../shared/rate-limit/limiter.ts";
import {
  handleScimRequest,
  type ScimRequest,
  type ScimServiceOptions,
  scimUnauthorized,
} from "../../shared/scim/index.ts";
import { MemoryScimBackend } from "../helpers/scim-memory-backend.ts";
import { expectScimError, expectScimList, expectScimUser } from "../helpers/scim-schema.ts";

const ID = "user_li4si0000000000000000000";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const REPORT = "urn:eiam-user-sync:params:scim:schemas:extension:report:1.0:User";
const T0 = Date.UTC(2026, 11, 2, 1, 0, 0);
// biome-ignore lint/suspicious/noExplicitAny: answers are JSON read by the assertions below
type Json = any;

function users(): EiamUser[] {
  return [
    {
      UserId: ID,
      Username: "li.si",
      DisplayName: "Li Si",
      Email: "li.si@example.com",
      PhoneRegion: "86",
      PhoneNumber: "15612340000",
      UserExternalId: "hr-1002",
      Status: "enabled",
      CreateTime: Date.UTC(2025, 0, 1),
      UpdateTime: Date.UTC(2025, 5, 1),
      CustomFields: [{ FieldName: "employee_number", FieldValue: "E-1002" }],
    },
    ...["a", "b", "c", "d", "e"].map((n) => ({
      UserId: `user_${n}000`,
      Username: `user.${n}`,
      Status: "enabled",
    })),
  ];
}

let counter = 0;
function request(
  method: string,
  path: string,
  extra: Partial<ScimRequest> & { json?: unknown } = {},
): ScimRequest {
  const { json, ...rest } = extra;
  counter += 1;
  return {
    method,
    path,
    query: {},
    headers: {},
    body: Buffer.from(json === undefined ? "" : JSON.stringify(json)),
    receivedAt: T0 + counter * 1000,
    deliveryId: `fc-${counter}`,
    ...rest,
  };
}

function patchOp(...operations: unknown[]) {
  return { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: operations };
}

async function call(
  backend: MemoryScimBackend,
  method: string,
  path: string,
  extra: Partial<ScimRequest> & { json?: unknown } = {},
  options: ScimServiceOptions = {},
): Promise<{ response: HttpResponse; body: Json }> {
  const response = await handleScimRequest(request(method, path, extra), backend, options);
  if (response.statusCode !== 204 && response.statusCode !== 304)
    expect(response.headers["content-type"]).toBe("application/scim+json; charset=utf-8");
  return { response, body: response.body === "" ? undefined : JSON.parse(response.body) };
}

async function expectError(
  result: Promise<{ response: HttpResponse; body: Json }>,
  status: number,
  scimType?: string,
): Promise<{ detail?: string; response: HttpResponse }> {
  const { response, body } = await result;
  expect(response.statusCode, response.body).toBe(status);
  const error = expectScimError(body);
  expect(error.status).toBe(String(status));
  expect(error.scimType).toBe(scimType);
  return { ...error, response };
}

describe("GET /Users/{id}", () => {
  it("answers the user as EIAM holds it, with its version as ETag", async () => {
    const backend = new MemoryScimBackend(users());
    const { response, body } = await call(
      backend,
      "GET",
      `/Users/${ID}`,
      {},
      { baseUrl: "https://h.example/scim/v2/" },
    );
    expect(response.statusCode).toBe(200);
    expect(expectScimUser(body)).toEqual({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
      id: ID,
      externalId: "hr-1002",
      userName: "li.si",
      displayName: "Li Si",
      name: { formatted: "Li Si" },
      active: true,
      emails: [{ value: "li.si@example.com", type: "work", primary: true }],
      phoneNumbers: [{ value: "+8615612340000", type: "mobile", primary: true }],
      [ENTERPRISE]: { employeeNumber: "E-1002" },
      meta: {
        resourceType: "User",
        location: `https://h.example/scim/v2/Users/${ID}`,
        created: "2025-01-01T00:00:00.000Z",
        lastModified: "2025-06-01T00:00:00.000Z",
        version: `W/"${Date.UTC(2025, 5, 1)}"`,
      },
    });
    expect(response.headers.etag).toBe(`W/"${Date.UTC(2025, 5, 1)}"`);
    const again = await call(backend, "GET", `/Users/${ID}`, {
      headers: { "if-none-match": response.headers.etag! },
    });
    expect(again.response.statusCode).toBe(304);
    expect(again.response.body).toBe("");
  });

  it("renders a disabled user as active false, and a custom field mapped to a core attribute", async () => {
    const backend = new MemoryScimBackend([
      {
        UserId: "user_x",
        Username: "x",
        Status: "disabled",
        CustomFields: [{ FieldName: "job", FieldValue: "SRE" }],
      },
    ]);
    const { body } = await call(
      backend,
      "GET",
      "/Users/user_x",
      {},
      { customFieldMap: { title: "job", [`${ENTERPRISE}:manager`]: "job" } },
    );
    expect(expectScimUser(body)).toMatchObject({
      active: false,
      title: "SRE",
      [ENTERPRISE]: { manager: { value: "SRE" } },
    });
  });

  it("answers 404 in SCIM's error form for an unknown id", async () => {
    const { detail } = await expectError(
      call(new MemoryScimBackend(users()), "GET", "/Users/user_nobody"),
      404,
    );
    expect(detail).toBe("no such user");
  });
});

describe("GET /Users", () => {
  it("filters with eq on userName, externalId, id and the work email, joined by and", async () => {
    const backend = new MemoryScimBackend(users());
    for (const filter of [
      'userName eq "li.si"',
      'externalId eq "hr-1002"',
      `id eq "${ID}"`,
      'emails[type eq "work"].value eq "LI.SI@example.com"',
      'emails.value eq "li.si@example.com"',
      `userName eq "li.si" and externalId eq "hr-1002"`,
      'USERNAME EQ "li.si"',
    ]) {
      const { response, body } = await call(backend, "GET", "/Users", { query: { filter } });
      expect(response.statusCode, filter).toBe(200);
      const list = expectScimList(body);
      expect(list.totalResults, filter).toBe(1);
      expect(
        list.Resources.map((r) => expectScimUser(r).id),
        filter,
      ).toEqual([ID]);
    }
  });

  it("selects emails by the configured email type", async () => {
    const backend = new MemoryScimBackend(users());
    const filter = 'emails[type eq "corporate"].value eq "li.si@example.com"';
    const { body } = await call(backend, "GET", "/Users", { query: { filter } }, { emailType: "corporate" });
    expect(expectScimList(body).Resources.map((r) => r.emails)).toEqual([
      [{ value: "li.si@example.com", type: "corporate", primary: true }],
    ]);
    const { detail } = await expectError(
      call(backend, "GET", "/Users", { query: { filter } }),
      400,
      "invalidFilter",
    );
    expect(detail).toMatch(/type eq "work"/);
  });

  it("answers totalResults 0 when nothing matches, and for two different values of one attribute", async () => {
    const backend = new MemoryScimBackend(users());
    for (const filter of ['userName eq "nobody"', 'userName eq "li.si" and userName eq "ada"']) {
      const { body } = await call(backend, "GET", "/Users", { query: { filter } });
      expect(expectScimList(body)).toEqual({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        totalResults: 0,
        startIndex: 1,
        itemsPerPage: 0,
        Resources: [],
      });
    }
  });

  it("pages with startIndex and count, capped at maxResults", async () => {
    const backend = new MemoryScimBackend(users());
    const page = await call(backend, "GET", "/Users", { query: { startIndex: "2", count: "2" } });
    expect(page.body).toMatchObject({ totalResults: 6, startIndex: 2, itemsPerPage: 2 });
    expect(page.body.Resources.map((r: { id: string }) => r.id)).toEqual(["user_a000", "user_b000"]);
    const capped = await call(backend, "GET", "/Users", { query: { count: "1000" } }, { maxResults: 4 });
    expect(capped.body).toMatchObject({ totalResults: 6, itemsPerPage: 4 });
    const none = await call(backend, "GET", "/Users", { query: { count: "0", startIndex: "-3" } });
    expect(none.body).toMatchObject({ totalResults: 6, startIndex: 1, itemsPerPage: 0 });
    await expectError(call(backend, "GET", "/Users", { query: { count: "ten" } }), 400, "invalidValue");
  });

  it("refuses what it cannot answer exactly as invalidFilter, naming why", async () => {
    const backend = new MemoryScimBackend(users());
    const cases: Array<[string, RegExp]> = [
      ['userName sw "li"', /operator 'sw'/],
      ['userName eq "a" or userName eq "b"', /operator 'or'/],
      ['title eq "x"', /cannot filter on 'title'/],
      ['emails[type eq "home"].value eq "x"', /type eq "work"/],
      ['userName eq "unterminated', /not valid SCIM filter syntax/],
      ["userName eq 42", /quoted string/],
      [`userName eq "${"\n".repeat(40)}`, /control characters/],
      [`${"(".repeat(600)}userName eq "a"${")".repeat(600)}`, /longer than 1000/],
    ];
    for (const [filter, why] of cases) {
      const { detail } = await expectError(
        call(backend, "GET", "/Users", { query: { filter } }),
        400,
        "invalidFilter",
      );
      expect(detail, filter).toMatch(why);
    }
  });
});

describe("PATCH /Users/{id}", () => {
  it("maps Entra's ops in any case, URN paths and nested extension values; reports what is not applied", async () => {
    const backend = new MemoryScimBackend(users());
    const { response, body } = await call(backend, "PATCH", `/Users/${ID}`, {
      json: patchOp(
        { op: "rEpLaCe", path: `${ENTERPRISE}:employeeNumber`, value: "E-9" },
        { op: "add", value: { [ENTERPRISE]: { costCenter: "CC-7" }, title: "SRE" } },
        { op: "Remove", path: `${ENTERPRISE}:department` },
      ),
    });
    expect(response.statusCode).toBe(200);
    expect(backend.intents[0]).toMatchObject({
      action: "update",
      method: "PATCH",
      user: { userId: ID },
      changes: { customFields: { employee_number: "E-9", cost_center: "CC-7", department: null } },
      ignored: [{ path: "title", reason: expect.stringContaining("no field for title") }],
    });
    const user = expectScimUser(body);
    expect(user[ENTERPRISE]).toEqual({ employeeNumber: "E-9", costCenter: "CC-7" });
    expect(user.schemas).toEqual(["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE, REPORT]);
    expect(user[REPORT]).toEqual({ ignored: [{ path: "title", reason: expect.any(String) }] });
    expect(response.headers.etag).toBe(user.meta && (user.meta as { version: string }).version);
  });

  it("answers the current user without applying anything when nothing can be applied", async () => {
    const backend = new MemoryScimBackend(users());
    const { response, body } = await call(backend, "PATCH", `/Users/${ID}`, {
      json: patchOp({ op: "replace", path: "nickName", value: "Si" }),
    });
    expect(response.statusCode).toBe(200);
    expect(backend.intents).toEqual([]);
    expect(expectScimUser(body)[REPORT]).toEqual({
      ignored: [{ path: "nickName", reason: expect.stringContaining("nickName") }],
    });
  });

  it("takes active from True/False strings, booleans, path-less values and the core URN path", async () => {
    const cases: Array<[unknown, string]> = [
      [{ op: "Replace", path: "active", value: "False" }, "disabled"],
      [{ op: "Replace", path: "active", value: "True" }, "enabled"],
      [{ op: "replace", value: { active: false } }, "disabled"],
      [{ op: "replace", path: "urn:ietf:params:scim:schemas:core:2.0:User:active", value: true }, "enabled"],
    ];
    for (const [operation, status] of cases) {
      const backend = new MemoryScimBackend(users());
      const { response, body } = await call(backend, "PATCH", `/Users/${ID}`, { json: patchOp(operation) });
      expect(response.statusCode).toBe(200);
      expect(backend.intents[0]?.status, JSON.stringify(operation)).toBe(status);
      expect(backend.intents[0]?.changes).toEqual({});
      expect(expectScimUser(body).active).toBe(status === "enabled");
    }
  });

  it("refuses bad requests with the SCIM error type that names the problem", async () => {
    const backend = new MemoryScimBackend(users());
    const cases: Array<[unknown, string, RegExp]> = [
      [patchOp({ op: "merge", path: "displayName", value: "x" }), "invalidSyntax", /Operations\[0\]\.op/],
      [
        patchOp({ op: "replace", path: 'emails[type ne "work"].value', value: "x" }),
        "invalidPath",
        /only filters/,
      ],
      [patchOp({ op: "replace", path: "id", value: "user_other" }), "mutability", /read-only/],
      [patchOp({ op: "replace", path: "meta.lastModified", value: "x" }), "mutability", /read-only/],
      [
        patchOp({ op: "replace", path: "active", value: "maybe" }),
        "invalidValue",
        /Operations\[0\]\.value: active must be true or false/,
      ],
      [patchOp({ op: "remove", path: "active" }), "invalidValue", /cannot be removed/],
      [
        patchOp({ op: "replace", path: "displayName", value: 7 }),
        "invalidValue",
        /displayName must be a string/,
      ],
      [
        { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [] },
        "invalidValue",
        /non-empty Operations/,
      ],
      [[1, 2], "invalidSyntax", /PatchOp/],
      [{ displayName: "not a PatchOp" }, "invalidSyntax", /must be a PatchOp with an Operations array/],
    ];
    for (const [json, scimType, why] of cases) {
      const { detail } = await expectError(call(backend, "PATCH", `/Users/${ID}`, { json }), 400, scimType);
      expect(detail, JSON.stringify(json)).toMatch(why);
    }
    expect(backend.intents).toEqual([]);
  });

  it("answers 400 invalidSyntax for a body that is not JSON, and 413 for one too large", async () => {
    const backend = new MemoryScimBackend(users());
    await expectError(
      call(backend, "PATCH", `/Users/${ID}`, { body: Buffer.from("{not json") }),
      400,
      "invalidSyntax",
    );
    await expectError(
      call(
        backend,
        "PATCH",
        `/Users/${ID}`,
        { json: patchOp({ op: "replace", path: "displayName", value: "x".repeat(2000) }) },
        { maxBodyBytes: 1000 },
      ),
      413,
    );
  });

  it("checks If-Match against the user's version: 412 when it differs, applied when it matches", async () => {
    const backend = new MemoryScimBackend(users());
    const json = patchOp({ op: "replace", path: "displayName", value: "Li Si 2" });
    await expectError(
      call(backend, "PATCH", `/Users/${ID}`, { json, headers: { "if-match": 'W/"1"' } }),
      412,
    );
    expect(backend.intents).toEqual([]);
    const version = `W/"${Date.UTC(2025, 5, 1)}"`;
    const ok = await call(backend, "PATCH", `/Users/${ID}`, { json, headers: { "if-match": version } });
    expect(ok.response.statusCode).toBe(200);
    expect(ok.response.headers.etag).not.toBe(version);
  });

  it("answers 404 for an unknown user without asking the pipeline", async () => {
    const backend = new MemoryScimBackend(users());
    await expectError(
      call(backend, "PATCH", "/Users/user_nobody", {
        json: patchOp({ op: "replace", path: "displayName", value: "x" }),
      }),
      404,
    );
    expect(backend.intents).toEqual([]);
  });
});

describe("PUT /Users/{id}", () => {
  it("applies the attributes present and leaves absent ones as they are", async () => {
    const backend = new MemoryScimBackend(users());
    const { response, body } = await call(backend, "PUT", `/Users/${ID}`, {
      json: {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        id: ID,
        userName: "li.si",
        displayName: "Li Si (PUT)",
      },
    });
    expect(response.statusCode).toBe(200);
    expect(backend.intents[0]?.changes).toEqual({ username: "li.si", displayName: "Li Si (PUT)" });
    expect(backend.intents[0]?.status).toBeUndefined();
    const user = expectScimUser(body);
    expect(user).toMatchObject({
      displayName: "Li Si (PUT)",
      emails: [{ value: "li.si@example.com" }],
      [ENTERPRISE]: { employeeNumber: "E-1002" },
    });
  });

  it("refuses a PatchOp sent with PUT", async () => {
    const backend = new MemoryScimBackend(users());
    const { detail } = await expectError(
      call(backend, "PUT", `/Users/${ID}`, {
        json: patchOp({ op: "replace", path: "displayName", value: "x" }),
      }),
      400,
      "invalidSyntax",
    );
    expect(detail).toBe("a PUT body must be a User resource, not a PatchOp");
    expect(backend.intents).toEqual([]);
  });

  it("refuses a body whose id names another user (mutability)", async () => {
    const backend = new MemoryScimBackend(users());
    const { detail } = await expectError(
      call(backend, "PUT", `/Users/${ID}`, {
        json: {
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
          id: "user_other",
          userName: "li.si",
        },
      }),
      400,
      "mutability",
    );
    expect(detail).toMatch(/^id: /);
  });
});

describe("POST /Users and DELETE /Users/{id}", () => {
  it("creates with 201, Location and the created user; the intent names the user by externalId", async () => {
    const backend = new MemoryScimBackend(users());
    const { response, body } = await call(
      backend,
      "POST",
      "/Users",
      {
        json: {
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
          userName: "new.one",
          externalId: "ext-9",
          id: "ignored",
          active: false,
        },
      },
      { baseUrl: "https://h.example/scim/v2" },
    );
    expect(response.statusCode).toBe(201);
    const user = expectScimUser(body);
    expect(response.headers.location).toBe(`https://h.example/scim/v2/Users/${user.id}`);
    expect(user).toMatchObject({ userName: "new.one", externalId: "ext-9", active: false });
    expect(backend.intents[0]).toMatchObject({
      action: "create",
      method: "POST",
      user: { externalId: "ext-9" },
      externalId: "ext-9",
      status: "disabled",
      changes: { username: "new.one" },
      ignored: [],
    });
  });

  it("refuses a create without userName, and one whose userName exists (409 uniqueness)", async () => {
    const backend = new MemoryScimBackend(users());
    await expectError(
      call(backend, "POST", "/Users", { json: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"] } }),
      400,
      "invalidValue",
    );
    await expectError(call(backend, "POST", "/Users", { json: { userName: "li.si" } }), 409, "uniqueness");
    expect(backend.intents).toEqual([]);
  });

  it("DELETE is one delete intent and 204 with no body; 404 for an unknown user", async () => {
    const backend = new MemoryScimBackend(users());
    const { response } = await call(backend, "DELETE", `/Users/${ID}`);
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe("");
    expect(backend.intents).toMatchObject([
      { action: "delete", method: "DELETE", user: { userId: ID }, changes: {} },
    ]);
    await expectError(call(backend, "DELETE", "/Users/user_nobody"), 404);
  });
});

describe("outcomes of the pipeline and failures of EIAM, answered in SCIM", () => {
  const json = patchOp({ op: "replace", path: "displayName", value: "New" });
  const cases: Array<[string, object, number, string | undefined, RegExp]> = [
    [
      "deferred",
      {
        status: "deferred",
        error: { stage: "apply", code: "ServiceUnavailable", message: "x", retryable: true },
      },
      503,
      undefined,
      /retry later/,
    ],
    [
      "throttled",
      {
        status: "deferred",
        error: { stage: "apply", code: "Throttling.User", message: "x", retryable: true, httpStatus: 400 },
      },
      429,
      undefined,
      /throttling/,
    ],
    [
      "invalid value",
      {
        status: "dead_lettered",
        error: {
          stage: "validate",
          code: "InvalidEvent",
          message: "bad",
          retryable: false,
          problems: [{ path: "changes.email", code: "invalid_email", message: "not an email address" }],
        },
      },
      400,
      "invalidValue",
      /changes\.email: not an email address/,
    ],
    [
      "duplicate in EIAM",
      {
        status: "dead_lettered",
        error: {
          stage: "apply",
          code: "ResourceDuplicated.Email",
          message: "exists",
          retryable: false,
          httpStatus: 403,
        },
      },
      409,
      "uniqueness",
      /ResourceDuplicated\.Email/,
    ],
    [
      "not found",
      {
        status: "dead_lettered",
        error: { stage: "resolve", code: "UserNotFound", message: "gone", retryable: false },
      },
      404,
      undefined,
      /no such user/,
    ],
    [
      "permanent refusal",
      {
        status: "dead_lettered",
        error: {
          stage: "apply",
          code: "InvalidParameter.Username",
          message: "too long",
          retryable: false,
          httpStatus: 400,
        },
      },
      400,
      "invalidValue",
      /EIAM refused the change \(InvalidParameter\.Username\)/,
    ],
    [
      "retries exhausted",
      {
        status: "dead_lettered",
        error: { stage: "apply", code: "NetworkTimeout", message: "t", retryable: true },
      },
      503,
      undefined,
      /retry later/,
    ],
  ];
  for (const [name, outcome, status, scimType, why] of cases) {
    it(`${name} → ${status}`, async () => {
      const backend = new MemoryScimBackend(users());
      backend.nextOutcome = outcome;
      const { detail, response } = await expectError(
        call(backend, "PATCH", `/Users/${ID}`, { json }),
        status,
        scimType,
      );
      expect(detail).toMatch(why);
      if (status === 429 || status === 503) expect(response.headers["retry-after"]).toBe("30");
    });
  }

  it("a failing read is 429/503 for EIAM trouble and a 500 that reveals nothing otherwise", async () => {
    const backend = new MemoryScimBackend(users());
    backend.failReads = new EiamError("Throttling.User", "slow down", true, 400);
    expect(
      (await expectError(call(backend, "GET", `/Users/${ID}`), 429)).response.headers["retry-after"],
    ).toBe("30");
    backend.failReads = new EiamError("ServiceUnavailable", "down", true, 503);
    await expectError(call(backend, "GET", "/Users", { query: { filter: 'userName eq "x"' } }), 503);
    backend.failReads = new RateLimiterUnavailableError(new Error("redis://:s3cret@10.0.0.1 refused"));
    const down = await expectError(call(backend, "GET", `/Users/${ID}`), 503);
    expect(down.detail).not.toMatch(/s3cret|redis/);
    backend.failReads = new Error("redis://:s3cret@10.0.0.1 refused");
    const { detail } = await expectError(call(backend, "GET", `/Users/${ID}`), 500);
    expect(detail).toBe("internal error");
  });
});

describe("discovery, groups and everything else", () => {
  it("ServiceProviderConfig states patch, filter with maxResults, no bulk, no sort, etag, bearer token", async () => {
    const { body } = await call(
      new MemoryScimBackend(),
      "GET",
      "/ServiceProviderConfig",
      {},
      { maxResults: 50 },
    );
    expect(body).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 50 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: true },
      authenticationSchemes: [{ type: "oauthbearertoken", primary: true }],
    });
  });

  it("ResourceTypes and Schemas list the User with its extensions and the attributes supported", async () => {
    const backend = new MemoryScimBackend();
    const types = await call(backend, "GET", "/ResourceTypes");
    expect(expectScimList(types.body).Resources.map((r) => r.id)).toEqual(["User"]);
    expect((await call(backend, "GET", "/ResourceTypes/User")).body).toMatchObject({
      endpoint: "/Users",
      schemaExtensions: [{ schema: ENTERPRISE }, { schema: REPORT }],
    });
    const all = expectScimList((await call(backend, "GET", "/Schemas")).body);
    expect(all.Resources.map((s) => s.id)).toEqual([
      "urn:ietf:params:scim:schemas:core:2.0:User",
      ENTERPRISE,
      REPORT,
    ]);
    const enterprise = (await call(backend, "GET", `/Schemas/${encodeURIComponent(ENTERPRISE)}`)).body;
    expect(enterprise.attributes.map((a: { name: string }) => a.name)).toEqual([
      "employeeNumber",
      "costCenter",
      "department",
    ]);
    const user = all.Resources[0] as { attributes: Array<{ name: string }> };
    expect(user.attributes.map((a) => a.name)).toEqual([
      "id",
      "externalId",
      "userName",
      "displayName",
      "name",
      "active",
      "emails",
      "phoneNumbers",
    ]);
    await expectError(call(backend, "GET", "/Schemas/urn:nope"), 404);
    await expectError(call(backend, "POST", "/Schemas"), 405);
  });

  it("Groups: an empty list for Entra's connection test, 404 for one group, 501 for writes", async () => {
    const backend = new MemoryScimBackend(users());
    const list = await call(backend, "GET", "/Groups", { query: { filter: 'displayName eq "x"' } });
    expect(expectScimList(list.body).totalResults).toBe(0);
    await expectError(call(backend, "GET", "/Groups/g1"), 404);
    await expectError(call(backend, "POST", "/Groups", { json: { displayName: "g" } }), 501);
    await expectError(call(backend, "PATCH", "/Groups/g1", { json: patchOp() }), 501);
  });

  it("unknown endpoints 404, unsupported ones 501, wrong methods 405 with Allow", async () => {
    const backend = new MemoryScimBackend(users());
    await expectError(call(backend, "GET", "/Widgets"), 404);
    await expectError(call(backend, "GET", `/Users/${ID}/extra`), 404);
    await expectError(call(backend, "GET", "/Users/%E0%A4%A"), 404);
    await expectError(call(backend, "POST", "/Bulk", { json: {} }), 501);
    const { response } = await expectError(call(backend, "DELETE", "/Users"), 405);
    expect(response.headers.allow).toBe("GET, POST");
    expect(
      (await expectError(call(backend, "POST", `/Users/${ID}`, { json: {} }), 405)).response.headers.allow,
    ).toBe("GET, PATCH, PUT, DELETE");
  });

  it("scimUnauthorized is a SCIM 401 with a Bearer challenge and no reason", () => {
    const response = scimUnauthorized();
    expect(response.statusCode).toBe(401);
    expect(response.headers["www-authenticate"]).toBe('Bearer realm="scim"');
    expect(expectScimError(JSON.parse(response.body))).toEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "401",
      detail: "authentication required",
    });
  });
});

describe("idempotency and ordering: receipt order per user decides", () => {
  const displayName = (value: string) => patchOp({ op: "Replace", path: "displayName", value });

  it("each request is its own event: id = delivery id, occurredAt = receipt time", async () => {
    const backend = new MemoryScimBackend(users());
    const req = request("PATCH", `/Users/${ID}`, { json: displayName("A") });
    await handleScimRequest(req, backend);
    expect(backend.intents[0]).toMatchObject({
      eventId: req.deliveryId,
      occurredAt: new Date(req.receivedAt).toISOString(),
      source: "scim",
    });
  });

  it("A → B → A ends at A; a retried identical request writes nothing; an older receipt is stale", async () => {
    const backend = new MemoryScimBackend(users());
    for (const value of ["A", "B", "A"])
      await call(backend, "PATCH", `/Users/${ID}`, { json: displayName(value) });
    expect(backend.users.get(ID)?.DisplayName).toBe("A");
    const writes = backend.writes.length;
    const retry = await call(backend, "PATCH", `/Users/${ID}`, { json: displayName("A") });
    expect(retry.response.statusCode).toBe(200);
    expect(backend.writes.length).toBe(writes);
    const late = await handleScimRequest(
      request("PATCH", `/Users/${ID}`, { json: displayName("B"), receivedAt: T0 }),
      backend,
    );
    expect(late.statusCode).toBe(200);
    expect(backend.users.get(ID)?.DisplayName).toBe("A");
  });
});
