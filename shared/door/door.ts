/**
 * The door of the HTTP trigger: everything between FC's HTTP event and a delivery the pipeline may read.
 * In order: the route (404), the method (405 with Allow), the size (413), the sender's handshake, the
 * authentication (401 with a reason code only; never dead-lettered, nothing echoed), the decryption, and the
 * route's traits (format, source) on the delivery. An unknown path says nothing about which paths exist.
 */
import { isUtf8 } from "node:buffer";
import { errorResponse, type HttpResponse, jsonResponse } from "../handler/http-response.ts";
import type { Logger } from "../log.ts";
import { scimError, scimUnauthorized } from "../scim/errors.ts";
import type { Delivery } from "../triggers/delivery.ts";
import { clip } from "../triggers/describe-shape.ts";
import type { Route, RouteTable } from "./route-table.ts";

export type DoorOutcome =
  | { kind: "answer"; response: HttpResponse }
  | { kind: "enter"; delivery: Delivery; route: Route };

/** The HTTP event kept for the dead-letter record, with the body the pipeline read (decrypted). */
function withBody(original: unknown, body: Buffer): unknown {
  if (typeof original !== "object" || original === null) return original;
  const utf8 = isUtf8(body);
  return { ...original, body: body.toString(utf8 ? "utf8" : "base64"), isBase64Encoded: !utf8 };
}

/** A refused request, in SCIM's error form on a SCIM route; either way it names only a reason code. */
function rejection(route: Route, status: 401 | 413, reason: string): HttpResponse {
  if (route.traits.format === "scim")
    return status === 401 ? scimUnauthorized() : scimError(413, "the request body is too large");
  return errorResponse(status, reason, "the webhook could not be authenticated");
}

export class Door {
  constructor(
    readonly table: RouteTable,
    private readonly logger: Logger,
  ) {}

  /** Names every broken route, once, at cold start. */
  reportBrokenRoutes(): void {
    for (const route of this.table.broken) {
      this.logger.error("route is not configured: it answers 500 until fixed", {
        route: route.name,
        problems: route.problems,
      });
    }
  }

  open(delivery: Delivery, nowMs: number, fcRequestId: string): DoorOutcome {
    const method = delivery.http?.method.toUpperCase() ?? "POST";
    const path = delivery.http?.path ?? "/";
    const answer = (response: HttpResponse): DoorOutcome => ({ kind: "answer", response });
    const route = this.table.match(path);
    if (route === undefined) {
      this.logger.info("no route for the path", { fcRequestId, path: clip(path, 128) });
      return answer(errorResponse(404, "not_found", "nothing is served here"));
    }
    if (route.authenticator === undefined) {
      this.logger.error("request to a route that is not configured", { fcRequestId, route: route.name });
      const code = route.name === "catch-all" ? "auth_not_configured" : "route_not_configured";
      return answer(
        errorResponse(500, code, "this route is not configured; see the function's cold-start log"),
      );
    }
    if (!route.methods.includes(method)) {
      const allow = route.methods.join(", ");
      return answer(errorResponse(405, "method_not_allowed", `this path takes ${allow}`, { allow }));
    }
    if (delivery.body.length > route.maxBodyBytes) return answer(rejection(route, 413, "body_too_large"));
    const verdict = route.authenticator.check(
      { method, path, headers: delivery.headers, body: delivery.body },
      nowMs,
    );
    if (verdict.kind === "reject") {
      this.logger.warn("webhook rejected", { fcRequestId, route: route.name, reason: verdict.reason });
      const status = verdict.reason === "body_too_large" ? 413 : 401;
      return answer(rejection(route, status, verdict.reason));
    }
    if (verdict.kind === "answer") {
      this.logger.info("handshake answered", {
        fcRequestId,
        route: route.name,
        scheme: route.authenticator.scheme,
      });
      return answer(jsonResponse(verdict.status, verdict.body));
    }
    const body = verdict.body ?? delivery.body;
    return {
      kind: "enter",
      route,
      delivery: {
        ...delivery,
        body,
        deliveryId: verdict.deliveryId ?? delivery.deliveryId,
        route: route.traits,
        ...(verdict.body === undefined ? {} : { original: withBody(delivery.original, body) }),
      },
    };
  }

  /** A redriven HTTP delivery (FC's invoke API authenticated the operator): only its route's traits. */
  traitsFor(delivery: Delivery): Delivery {
    const route = this.table.match(delivery.http?.path ?? "/");
    return route === undefined ? delivery : { ...delivery, route: route.traits };
  }
}
