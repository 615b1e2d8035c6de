/**
 * The route table: built once per cold start, from SENDERS_FILE or (without it) as one catch-all route with
 * WEBHOOK_AUTH, and matched per request. Exact paths win over prefixes; the longest prefix wins among prefixes.
 */
import type { Authenticator } from "../auth/authenticator.ts";
import { buildRouteAuth } from "../auth/route-auth.ts";
import { type AuthFailureReason, verifyWebhook, type WebhookAuthSettings } from "../auth/verify.ts";
import type { RouteTraits } from "../triggers/delivery.ts";
import { type RouteConfig, routeName, routeProblems, routesOf } from "./routes.ts";

export const DEFAULT_ROUTE_BODY_BYTES = 1024 * 1024;

export interface Route {
  /** `routes[2] (/events)`, or `catch-all` for the route made from WEBHOOK_AUTH. */
  name: string;
  path: string;
  methods: readonly string[];
  ack: "sync" | "enqueue";
  maxBodyBytes: number;
  traits: RouteTraits;
  /** Absent when the route is broken: it answers 500 and `problems` says why. */
  authenticator?: Authenticator;
  problems: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

export interface RouteContext {
  env: Env;
  /** The names of the loaded mappings (HR_MAPPING_FILE), which `mapped:<name>` must name. */
  mappingNames: readonly string[];
  /** Whether SOURCE_QUEUE is set, which `ack: enqueue` needs. */
  hasSourceQueue: boolean;
}

/** Whether `name` (a mapping name, or a prefix ending in `*`) names at least one loaded mapping. */
function mappingsNamed(name: string, loaded: readonly string[]): boolean {
  if (!name.endsWith("*")) return loaded.includes(name);
  const prefix = name.slice(0, -1);
  return loaded.some((n) => n.startsWith(prefix));
}

function traitsOf(config: RouteConfig): RouteTraits {
  const [format, mappingName] = config.format.startsWith("mapped:")
    ? (["mapped", config.format.slice("mapped:".length)] as const)
    : ([config.format as RouteTraits["format"], undefined] as const);
  return {
    path: config.path,
    format,
    ...(mappingName === undefined ? {} : { mappingName }),
    ...(config.source === undefined ? {} : { source: config.source }),
    ...(config.missingTime === "receipt-time" ? { receiptTimeWhenNoTime: true } : {}),
  };
}

function buildRoute(index: number, value: unknown, context: RouteContext): Route {
  const name = routeName(index, value);
  const parsed = routeProblems(value);
  if (!parsed.ok) {
    const path =
      typeof (value as { path?: unknown })?.path === "string" ? (value as { path: string }).path : "";
    const methods = (value as { methods?: unknown })?.methods;
    return {
      name,
      path,
      methods: Array.isArray(methods) ? methods.filter((m): m is string => typeof m === "string") : [],
      ack: "sync",
      maxBodyBytes: DEFAULT_ROUTE_BODY_BYTES,
      traits: { path },
      problems: parsed.problems,
    };
  }
  const config = parsed.route;
  const problems: string[] = [];
  const traits = traitsOf(config);
  if (traits.mappingName !== undefined && !mappingsNamed(traits.mappingName, context.mappingNames)) {
    problems.push(
      `format: no mapping named ${traits.mappingName} is loaded (HR_MAPPING_FILE has: ${context.mappingNames.join(", ") || "none"})`,
    );
  }
  if (config.ack === "enqueue" && !context.hasSourceQueue) {
    problems.push("ack: enqueue needs SOURCE_QUEUE (the MNS queue the queue trigger reads)");
  }
  if (config.missingTime !== undefined && config.format !== "cloudevents") {
    problems.push("missingTime: applies only to format cloudevents");
  }
  const auth = buildRouteAuth(config.auth, context.env);
  if (!auth.ok) problems.push(...auth.problems);
  return {
    name,
    path: config.path,
    methods: config.methods,
    ack: config.ack ?? "sync",
    maxBodyBytes: config.maxBodyBytes ?? DEFAULT_ROUTE_BODY_BYTES,
    traits,
    ...(auth.ok && problems.length === 0 ? { authenticator: auth.authenticator } : {}),
    problems,
  };
}

/** The routes of a parsed SENDERS_FILE; throws only when the file itself is unusable. */
export function routesFromFile(document: unknown, context: RouteContext): Route[] {
  const values = routesOf(document);
  const routes = values.map((value, index) => buildRoute(index, value, context));
  const seen = new Map<string, string>();
  for (const route of routes) {
    if (route.path === "") continue;
    const first = seen.get(route.path);
    if (first !== undefined) {
      (route.problems as string[]).push(`path: ${first} already serves this path`);
      delete route.authenticator;
    } else seen.set(route.path, route.name);
  }
  return routes;
}

/** Without SENDERS_FILE: every path, POST only, checked with WEBHOOK_AUTH as before routes existed. */
export function catchAllRoute(
  auth: { ok: true; settings: WebhookAuthSettings } | { ok: false; reason: string },
): Route {
  const base = {
    name: "catch-all",
    path: "/*",
    methods: ["POST"],
    ack: "sync" as const,
    maxBodyBytes: Number.MAX_SAFE_INTEGER,
    traits: { path: "/*" },
  };
  if (!auth.ok) return { ...base, problems: [auth.reason] };
  const settings = auth.settings;
  return {
    ...base,
    problems: [],
    authenticator: {
      scheme: settings.mode,
      check(request, nowMs) {
        const result = verifyWebhook(request.body, request.headers, settings, nowMs);
        return result.ok
          ? { kind: "pass" }
          : { kind: "reject", reason: result.reason satisfies AuthFailureReason };
      },
    },
  };
}

function prefixOf(path: string): string | undefined {
  return path.endsWith("/*") ? path.slice(0, -1) : undefined;
}

export class RouteTable {
  private readonly exact = new Map<string, Route>();
  /** Longest first. */
  private readonly prefixes: Array<{ prefix: string; route: Route }>;

  constructor(readonly routes: readonly Route[]) {
    const prefixes: Array<{ prefix: string; route: Route }> = [];
    for (const route of routes) {
      const prefix = prefixOf(route.path);
      if (prefix !== undefined) prefixes.push({ prefix, route });
      else if (route.path !== "" && !this.exact.has(route.path)) this.exact.set(route.path, route);
    }
    this.prefixes = prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  match(path: string): Route | undefined {
    return this.exact.get(path) ?? this.prefixes.find(({ prefix }) => path.startsWith(prefix))?.route;
  }

  get broken(): Route[] {
    return this.routes.filter((route) => route.authenticator === undefined);
  }
}
