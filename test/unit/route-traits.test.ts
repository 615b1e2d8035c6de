/** What a route's traits do in the format stage: the format and mapping it names, and the source it supplies. */
import { describe, expect, it } from "vitest";
import { idempotencyKey } from "../../shared/idempotency/keys.ts";
import { prepareDelivery, type ReadyEvent } from "../../shared/pipeline/prepare.ts";
import type { Delivery, RouteTraits } from "../../shared/triggers/delivery.ts";

const OPTIONS = { normalize: { displayNameOverflow: "reject" as const } };

function delivery(body: unknown, route: RouteTraits, path = "/x"): Delivery {
  return {
    trigger: "http",
    deliveryId: "delivery-42",
    receivedAt: Date.parse("2026-12-01T00:00:00Z"),
    body: Buffer.from(JSON.stringify(body)),
    headers: { "content-type": "application/json" },
    http: { method: "POST", path, query: {} },
    route,
    original: {},
  };
}

describe("route traits", () => {
  it("a route's source and the delivery id name an event whose payload names neither", () => {
    const event = {
      occurredAt: "2026-12-01T00:00:00Z",
      user: { userId: "user_abc" },
      changes: { displayName: "A" },
    };
    const [ready] = prepareDelivery(
      delivery(event, { path: "/x", format: "canonical", source: "pipeline" }),
      OPTIONS,
    );
    expect(ready).toMatchObject({ kind: "ready", idempotencyKey: idempotencyKey("pipeline", "delivery-42") });
  });

  it("the payload's own id and source win over the route's", () => {
    const event = {
      id: "own-1",
      source: "workday",
      occurredAt: "2026-12-01T00:00:00Z",
      user: { userId: "user_abc" },
      changes: { displayName: "A" },
    };
    const [ready] = prepareDelivery(
      delivery(event, { path: "/x", format: "canonical", source: "pipeline" }),
      OPTIONS,
    );
    expect((ready as ReadyEvent).idempotencyKey).toBe(idempotencyKey("workday", "own-1"));
  });

  it("a scim route's source names SCIM events", () => {
    const patch = {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "displayName", value: "B" }],
    };
    const route: RouteTraits = { path: "/scim/v2/*", format: "scim", source: "entra" };
    const [ready] = prepareDelivery(delivery(patch, route, "/scim/v2/Users/user_abc"), OPTIONS);
    expect((ready as ReadyEvent).idempotencyKey).toBe(idempotencyKey("entra", "delivery-42"));
  });

  it("the route's format wins over what the body looks like", () => {
    const canonicalLooking = { id: "x", occurredAt: "2026-12-01T00:00:00Z", changes: {} };
    const [invalid] = prepareDelivery(
      delivery(canonicalLooking, { path: "/x", format: "cloudevents" }),
      OPTIONS,
    );
    expect(invalid).toMatchObject({ kind: "invalid", stage: "decode" });
    const paths = invalid?.kind === "invalid" ? invalid.problems.map((p) => p.path) : [];
    expect(paths).toEqual(["specversion", "source", "type"]);
  });
});
