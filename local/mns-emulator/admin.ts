/** The unsigned JSON admin API under /__admin/, for tests and local inspection. */
import { MnsError } from "./errors.ts";
import type { MnsState } from "./state.ts";

export const ADMIN_PREFIX = "/__admin/";

export interface AdminResponse {
  status: number;
  json?: unknown;
}

class AdminInputError extends Error {}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new AdminInputError("the request body must be JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AdminInputError("the request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== "string" || value === "")
    throw new AdminInputError(`${field} must be a non-empty string`);
  return value;
}

function optionalString(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new AdminInputError(`${field} must be a string when given`);
  return value;
}

function optionalInteger(input: Record<string, unknown>, field: string): number | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new AdminInputError(`${field} must be an integer when given`);
  }
  return value;
}

const ok = (json: unknown, status = 200): AdminResponse => ({ status, json });

function handleRoute(state: MnsState, method: string, segments: string[], body: Buffer): AdminResponse {
  const [resource, name, action, ...rest] = segments;
  const key = `${method} ${resource ?? ""}${name === undefined ? "" : "/:name"}${action === undefined ? "" : `/${action}`}`;
  if (rest.length > 0) return notFound(method, segments);
  switch (key) {
    case "GET health":
      return ok({ status: "ok" });
    case "GET queues":
      return ok({ queues: state.listQueues() });
    case "POST queues": {
      const input = parseJsonObject(body);
      const queueName = requiredString(input, "name");
      const result = state.createQueue({
        name: queueName,
        visibilityTimeoutSeconds: optionalInteger(input, "visibilityTimeoutSeconds"),
        maximumMessageSize: optionalInteger(input, "maximumMessageSize"),
        pollingWaitSeconds: optionalInteger(input, "pollingWaitSeconds"),
        delaySeconds: optionalInteger(input, "delaySeconds"),
      });
      return ok({ queue: state.queueInfo(queueName) }, result.created ? 201 : 200);
    }
    case "GET queues/:name":
      return ok({ queue: state.queueInfo(name ?? "") });
    case "GET queues/:name/messages":
      return ok({ messages: state.queueMessages(name ?? "") });
    case "POST queues/:name/purge":
      return ok({ purged: state.purgeQueue(name ?? "") });
    case "GET topics":
      return ok({ topics: state.listTopics() });
    case "POST topics": {
      const input = parseJsonObject(body);
      const topicName = requiredString(input, "name");
      const result = state.createTopic({
        name: topicName,
        maximumMessageSize: optionalInteger(input, "maximumMessageSize"),
      });
      return ok({ topic: state.topicInfo(topicName) }, result.created ? 201 : 200);
    }
    case "GET topics/:name":
      return ok({ topic: state.topicInfo(name ?? "") });
    case "GET topics/:name/messages":
      return ok({ messages: state.topicMessages(name ?? "") });
    case "GET subscriptions":
      return ok({ subscriptions: state.listSubscriptions() });
    case "POST subscriptions": {
      const input = parseJsonObject(body);
      const topic = requiredString(input, "topic");
      const subscription = requiredString(input, "name");
      const result = state.subscribe(
        topic,
        subscription,
        requiredString(input, "queue"),
        optionalString(input, "filterTag"),
      );
      const created = state.listSubscriptions(topic).find((s) => s.name === subscription);
      return ok({ subscription: created }, result.created ? 201 : 200);
    }
    case "POST reset":
      state.reset();
      return ok({ reset: true });
    case "GET fail-next":
      return ok({ pending: state.pendingFailures() });
    case "POST fail-next": {
      const input = parseJsonObject(body);
      const count = optionalInteger(input, "count");
      if (count === undefined) throw new AdminInputError("count must be an integer");
      const code = optionalString(input, "code");
      return ok({ pending: state.failNext(requiredString(input, "operation"), count, code) });
    }
    default:
      return notFound(method, segments);
  }
}

function notFound(method: string, segments: string[]): AdminResponse {
  return {
    status: 404,
    json: { error: { code: "NotFound", message: `no admin route ${method} /__admin/${segments.join("/")}` } },
  };
}

/** Answers an admin request; bad input is 400, MNS-style failures keep their MNS status and code. */
export function handleAdmin(state: MnsState, method: string, rawUrl: string, body: Buffer): AdminResponse {
  const path = (rawUrl.split("?")[0] ?? "").slice(ADMIN_PREFIX.length);
  try {
    const segments = path
      .split("/")
      .filter((s) => s !== "")
      .map((s) => decodeURIComponent(s));
    return handleRoute(state, method, segments, body);
  } catch (error) {
    if (error instanceof MnsError) {
      return { status: error.status, json: { error: { code: error.code, message: error.message } } };
    }
    if (error instanceof AdminInputError || error instanceof RangeError || error instanceof URIError) {
      return { status: 400, json: { error: { code: "InvalidInput", message: error.message } } };
    }
    throw error;
  }
}
