/**
 * The routes file named by SENDERS_FILE: its schema (exported to docs/senders.schema.json) and its validation,
 * which checks each route on its own and lists every problem by route and key. A broken route does not stop
 * the others: it is named at cold start and answers 500 until it is fixed.
 */
import * as z from "zod";
import { RouteAuth } from "../auth/route-auth.ts";

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export const MAX_ROUTE_BODY_BYTES = 32 * 1024 * 1024;

/** `/a/b` (exact) or `/a/*` (everything under `/a/`); `/*` alone serves every path. */
const PATH = /^\/(?:[A-Za-z0-9._~!$&'()+,;=:@%-]+\/)*(?:[A-Za-z0-9._~!$&'()+,;=:@%-]+|\*)?$/;
const FORMAT = /^(?:canonical|cloudevents|scim|mapped:[A-Za-z0-9._-]{1,64}\*?)$/;

export const RouteConfig = z
  .strictObject({
    path: z
      .string()
      .max(200)
      .regex(
        PATH,
        "must be an absolute path such as /hooks/feishu, or a prefix ending in /* such as /scim/v2/*",
      )
      .meta({ description: "Exact path, or a prefix ending in /* that serves everything under it." }),
    methods: z
      .array(z.enum(HTTP_METHODS))
      .min(1)
      .refine((methods) => new Set(methods).size === methods.length, "must not repeat a method")
      .meta({ description: "The HTTP methods the route takes; others get 405 with Allow." }),
    auth: RouteAuth,
    format: z
      .string()
      .regex(FORMAT, "must be canonical, cloudevents, scim, mapped:<mapping name> or mapped:<name prefix>*")
      .meta({
        description:
          "How the body is read: canonical, cloudevents, scim, mapped:<mapping name>, or mapped:<name prefix>* (the first loaded mapping of that prefix whose match fits: one URL for several event types, as Feishu sends them).",
      }),
    ack: z.enum(["sync", "enqueue"]).optional().meta({
      description: "sync (default): answer after EIAM. enqueue: answer 202 once in the SOURCE_QUEUE.",
    }),
    source: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[^\p{Cc}]+$/u, "must not contain control characters")
      .optional()
      .meta({ description: "The event source (idempotency key) when the payload names none." }),
    missingTime: z
      .enum(["reject", "receipt-time"])
      .optional()
      .meta({ description: "CloudEvents without time: reject (default, 400) or take the receipt time." }),
    maxBodyBytes: z.number().int().min(1).max(MAX_ROUTE_BODY_BYTES).optional(),
  })
  .meta({ title: "Route" });
export type RouteConfig = z.infer<typeof RouteConfig>;

export const SendersFile = z
  .strictObject({
    $schema: z.string().optional(),
    routes: z.array(RouteConfig).min(1),
  })
  .meta({ title: "eiam-user-sync senders (SENDERS_FILE)" });

function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((key) => (typeof key === "number" ? `[${key}]` : String(key)))
    .join(".")
    .replace(/\.\[/g, "[");
}

/** One route's problems, each `key: message`; the value itself is never quoted. */
export function routeProblems(
  value: unknown,
): { ok: true; route: RouteConfig } | { ok: false; problems: string[] } {
  const parsed = RouteConfig.safeParse(value);
  if (parsed.success) return { ok: true, route: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => `${issuePath(issue.path) || "(route)"}: ${issue.message}`),
  };
}

/** The routes of a parsed file; throws when the file itself (not one route) is unusable. */
export function routesOf(document: unknown): unknown[] {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new Error('must be a JSON object { "routes": [ … ] }');
  }
  const routes = (document as { routes?: unknown }).routes;
  if (!Array.isArray(routes) || routes.length === 0) throw new Error('"routes" must be a non-empty array');
  const extra = Object.keys(document).filter((key) => key !== "routes" && key !== "$schema");
  if (extra.length > 0)
    throw new Error(`unknown key(s) ${extra.slice(0, 5).join(", ")}; only "routes" is read`);
  return routes;
}

/** `routes[2] (/events)`: how problems name a route. */
export function routeName(index: number, value: unknown): string {
  const path = (value as { path?: unknown } | null)?.path;
  return typeof path === "string" && path.length <= 200 ? `routes[${index}] (${path})` : `routes[${index}]`;
}
