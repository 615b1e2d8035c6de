/** The message an `enqueue` route puts on the source queue, and how the MNS queue adapter reads it back. */
import { describe, expect, it } from "vitest";
import {
  ACCEPTED_DELIVERY_KIND,
  decodeAcceptedDelivery,
  encodeAcceptedDelivery,
} from "../../shared/triggers/accepted-delivery.ts";
import type { Delivery } from "../../shared/triggers/delivery.ts";
import { decodeInvocation } from "../../shared/triggers/detect.ts";
import { mnsQueueCloudEvents } from "../helpers/fc-events.ts";

const accepted: Delivery = {
  trigger: "http",
  deliveryId: "fc-req-1",
  receivedAt: Date.parse("2026-12-01T08:00:00.123Z"),
  body: Buffer.from('{"schema":"2.0","header":{"event_id":"e1"}}'),
  headers: {
    "content-type": "application/json",
    authorization: "Bearer secret-token",
    "x-lark-signature": "abc",
    "ce-id": "ce-1",
  },
  http: { method: "POST", path: "/hooks/feishu", query: { q: "1" } },
  route: { path: "/hooks/feishu", format: "mapped", mappingName: "feishu-contact-user-updated-v3" },
  original: {},
};

describe("accepted deliveries on the source queue", () => {
  it("come back from the MNS queue trigger as the delivery the door accepted, without its credentials", () => {
    const message = encodeAcceptedDelivery(accepted);
    expect(message).not.toContain("secret-token");
    const decoded = decodeInvocation(mnsQueueCloudEvents([message]), 0);
    const delivery = decoded.kind === "batch" ? decoded.deliveries[0] : undefined;
    expect(delivery).toMatchObject({
      trigger: "mns-queue",
      deliveryId: "fc-req-1",
      receivedAt: accepted.receivedAt,
      headers: { "content-type": "application/json", "ce-id": "ce-1" },
      http: { method: "POST", path: "/hooks/feishu" },
      route: accepted.route,
    });
    expect(Object.keys(delivery?.headers ?? {})).toEqual(["content-type", "ce-id"]);
    expect(delivery?.body.equals(accepted.body)).toBe(true);
  });

  it("leave other messages alone, even ones that mention the kind", () => {
    expect(decodeAcceptedDelivery(Buffer.from(`{"note":"${ACCEPTED_DELIVERY_KIND}"}`))).toBeUndefined();
    expect(decodeAcceptedDelivery(Buffer.from('{"id":"e1"}'))).toBeUndefined();
  });

  it("set apart a message that claims the kind but is broken, naming the key", () => {
    const broken = JSON.stringify({ ...JSON.parse(encodeAcceptedDelivery(accepted)), body: "not base64!" });
    const decoded = decodeInvocation(mnsQueueCloudEvents([broken]), 0);
    const apart = decoded.kind === "batch" ? decoded.undecodable?.[0] : undefined;
    expect(apart?.error.message).toContain("an accepted-delivery message whose body is not valid");
  });
});
