/**
 * The SCIM protocol layer on hostile and random requests (fast-check, fixed seed; FUZZ_SEED changes it):
 * nothing throws, every answer is a SCIM answer with a status from the documented set, no built-in prototype
 * changes, and the filter parser refuses rather than hangs or throws.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { parseUserFilter } from "../../shared/scim/filter.ts";
import { handleScimRequest, type ScimRequest } from "../../shared/scim/index.ts";
import { MemoryScimBackend } from "../helpers/scim-memory-backend.ts";
import { expectScimError, expectScimList, expectScimUser } from "../helpers/scim-schema.ts";
import { hostileJson, hostileString } from "./support/hostile-input.ts";
import { scimPatchShaped, scimPutShaped } from "./support/payload-shapes.ts";
import { prototypeChanges } from "./support/prototype-guard.ts";
import { scaled } from "./support/scale.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_202);
const runs = (base: number) => ({ seed: SEED, numRuns: scaled(base) });
const ID = "user_fuzz0000000000000000000000";
const STATUSES = new Set([200, 201, 204, 304, 400, 404, 405, 409, 412, 413, 501]);

const filterText = fc.oneof(
  fc.string({ maxLength: 1200 }),
  hostileString,
  fc
    .tuple(
      fc.constantFrom(
        "userName",
        "externalId",
        "id",
        "emails.value",
        'emails[type eq "work"].value',
        "title",
        "(",
        "not (",
      ),
      fc.constantFrom(" eq ", " EQ ", " sw ", " pr", " [", " and ", " or ", ""),
      fc.oneof(fc.json(), hostileString, fc.constantFrom('"', '"\\', '"\n\n\n', ")", "]")),
    )
    .map((parts) => parts.join("")),
);

function backend(): MemoryScimBackend {
  return new MemoryScimBackend([
    {
      UserId: ID,
      Username: "fuzz",
      DisplayName: "Fuzz",
      Email: "fuzz@example.com",
      Status: "enabled",
      UpdateTime: 1,
    },
  ]);
}

afterEach(() => {
  expect(prototypeChanges()).toEqual([]);
});

describe("SCIM fuzz", () => {
  it("parseUserFilter never throws: a query or a reason", () => {
    fc.assert(
      fc.property(filterText, (text) => {
        const result = parseUserFilter(text);
        if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
        else expect(typeof result.query).toBe("object");
      }),
      runs(2000),
    );
  });

  it("handleScimRequest answers every request in SCIM form with a documented status", async () => {
    const body = fc.oneof(
      scimPatchShaped.map((v) => JSON.stringify(v)),
      scimPutShaped.map((v) => JSON.stringify(v)),
      hostileJson.map((v) => JSON.stringify(v) ?? ""),
      fc.string({ maxLength: 200 }),
    );
    const request = fc.record({
      method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "patch", "HEAD", "OPTIONS"),
      path: fc.oneof(
        fc.constantFrom(
          "/Users",
          `/Users/${ID}`,
          "/Users/user_other",
          "/Groups",
          "/Schemas",
          "/ServiceProviderConfig",
          "/ResourceTypes/User",
          "/",
        ),
        hostileString.map((s) => `/Users/${s}`),
        fc.string({ maxLength: 60 }),
      ),
      filter: fc.option(filterText, { nil: undefined }),
      count: fc.option(fc.oneof(fc.integer().map(String), hostileString), { nil: undefined }),
      body,
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const query: Record<string, string> = {};
        if (r.filter !== undefined) query.filter = r.filter;
        if (r.count !== undefined) query.count = r.count;
        const req: ScimRequest = {
          method: r.method,
          path: r.path,
          query,
          headers: {},
          body: Buffer.from(r.body),
          receivedAt: Date.UTC(2026, 11, 2),
          deliveryId: "fc-fuzz",
        };
        const response = await handleScimRequest(req, backend());
        expect(STATUSES.has(response.statusCode), `${response.statusCode} ${response.body}`).toBe(true);
        if (response.statusCode === 204 || response.statusCode === 304) return;
        expect(response.headers["content-type"]).toBe("application/scim+json; charset=utf-8");
        const answer = JSON.parse(response.body);
        if (response.statusCode >= 400) expectScimError(answer);
        else if (answer.schemas?.[0] === "urn:ietf:params:scim:api:messages:2.0:ListResponse") {
          for (const resource of expectScimList(answer).Resources)
            if (r.path.startsWith("/Users")) expectScimUser(resource);
        } else if (r.path.startsWith("/Users")) expectScimUser(answer);
      }),
      runs(600),
    );
  });
});
