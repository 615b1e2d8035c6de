/**
 * A request the door let in on a `format: "scim"` route, answered by the SCIM service: reads through EIAM,
 * writes through the pipeline (pipeline-apply.ts), one backend per invocation.
 */
import type { HttpResponse } from "../handler/http-response.ts";
import type { PipelineDeps } from "../pipeline/deps.ts";
import type { Invocation } from "../pipeline/invocation.ts";
import type { EventOutcome } from "../pipeline/outcome.ts";
import type { PrepareOptions } from "../pipeline/prepare.ts";
import type { Delivery } from "../triggers/delivery.ts";
import { EiamScimBackend } from "./eiam-backend.ts";
import { handleScimRequest } from "./handler.ts";
import { pipelineApply } from "./pipeline-apply.ts";
import type { ScimRequest } from "./types.ts";

/** `/scim/v2/*` → `/scim/v2`; an exact route path is its own prefix. */
export function routePrefix(routePath: string): string {
  return routePath.endsWith("/*") ? routePath.slice(0, -2) : routePath;
}

export interface ServeScimContext {
  prepare: PrepareOptions;
  deps: PipelineDeps;
  inv: Invocation;
}

/** The SCIM answer, and the outcome of the write it applied (none for a read), for the invocation's log. */
export async function serveScim(
  delivery: Delivery,
  context: ServeScimContext,
): Promise<{ response: HttpResponse; outcomes: EventOutcome[] }> {
  const http = delivery.http ?? { method: "GET", path: "/", query: {} };
  const routePath = delivery.route?.path ?? "/";
  const prefix = routePrefix(routePath);
  const below = http.path.startsWith(prefix) ? http.path.slice(prefix.length) : http.path;
  const source = delivery.route?.source;
  const request: ScimRequest = {
    method: http.method,
    path: below === "" ? "/" : below,
    query: http.query,
    headers: delivery.headers,
    body: delivery.body,
    receivedAt: delivery.receivedAt,
    // Each request is one event: FC's request id, never an id the client chose (docs/scim.md).
    deliveryId: context.inv.fcRequestId,
  };
  const outcomes: EventOutcome[] = [];
  const apply = pipelineApply({
    prepare: context.prepare,
    deps: context.deps,
    inv: context.inv,
    http: { method: http.method, path: http.path, query: http.query },
    receivedAt: delivery.receivedAt,
    routePath,
  });
  const backend = new EiamScimBackend({
    eiam: context.deps.eiam,
    limiter: context.deps.limiter,
    deadlineMs: context.inv.deadlineMs,
    now: context.deps.now,
    apply: async (intent) => {
      const outcome = await apply(intent);
      outcomes.push(outcome);
      return outcome;
    },
  });
  const response = await handleScimRequest(request, backend, {
    ...context.prepare.scim,
    ...(source === undefined ? {} : { source }),
    baseUrl: prefix,
  });
  return { response, outcomes };
}
