/**
 * Invokes the function through the FC invoke API: by default FC 3.0 (`2023-03-30`, @alicloud/fc20230330
 * `invokeFunction`, `POST /2023-03-30/functions/{name}/invocations`), which is what an FC 3.0 function answers;
 * with `--api fc2` the 2016-08-15 API (@alicloud/fc2, needs a service name) for functions deployed as FC 2.0
 * services. Both reach the local FC host too. Whether a native FC 3.0 function can be reached through the
 * 2016-08-15 API is UNCONFIRMED (docs/operator-cli.md), hence FC 3.0 by default.
 */
import { Readable } from "node:stream";
import FC2Client from "@alicloud/fc2";
import FC3Module, { InvokeFunctionHeaders, InvokeFunctionRequest } from "@alicloud/fc20230330";
import { $OpenApiUtil } from "@alicloud/openapi-core";
import { RuntimeOptions } from "@darabonba/typescript";
import type { Target } from "./target.ts";

export type InvokeAnswer =
  /** Async: FC accepted the event (202); its own retries and onFailure destination take over. */
  | { kind: "accepted"; requestId: string }
  /** Sync: the handler's result. */
  | { kind: "result"; requestId: string; data: unknown }
  /** Sync: the handler threw (`x-fc-error-type`). */
  | { kind: "function-error"; requestId: string; errorType: string; errorMessage: string; data: unknown };

export interface FunctionClient {
  invoke(payload: string | Buffer, options?: { async?: boolean }): Promise<InvokeAnswer>;
  describe(): string;
}

/** What either SDK hands back, before we read it the same way. */
interface RawAnswer {
  headers: Record<string, string | string[] | undefined>;
  data: unknown;
}

// CommonJS with `exports.default`: Node's ESM loader hands us `module.exports`, vitest `exports.default`.
function commonJsDefault<T>(mod: { default: T }): T {
  return (mod as { default?: T }).default ?? (mod as unknown as T);
}
const FC3Client = commonJsDefault(FC3Module);

function header(headers: RawAnswer["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function field(data: unknown, name: string): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const value = (data as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

async function readBody(body: Readable | undefined, contentType: string | undefined): Promise<unknown> {
  if (body === undefined) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  const text = Buffer.concat(chunks).toString("utf8");
  if (!contentType?.startsWith("application/json") || text === "") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function fc2Invoker(target: Target, timeoutMs: number) {
  const client = new FC2Client(target.accountId, {
    accessKeyID: target.credentials.accessKeyId,
    accessKeySecret: target.credentials.accessKeySecret,
    ...(target.credentials.securityToken ? { securityToken: target.credentials.securityToken } : {}),
    region: target.region,
    endpoint: target.fc.endpoint,
    timeout: timeoutMs,
  });
  const { service, function: name, qualifier } = target.fc;
  return (payload: string | Buffer, headers: Record<string, string>): Promise<RawAnswer> =>
    client.invokeFunction(service, name, payload, headers, qualifier);
}

function fc3Invoker(target: Target, timeoutMs: number) {
  const endpoint = new URL(target.fc.endpoint);
  const client = new FC3Client(
    new $OpenApiUtil.Config({
      accessKeyId: target.credentials.accessKeyId,
      accessKeySecret: target.credentials.accessKeySecret,
      ...(target.credentials.securityToken ? { securityToken: target.credentials.securityToken } : {}),
      regionId: target.region,
      endpoint: endpoint.host,
      protocol: endpoint.protocol.replace(":", ""),
      readTimeout: timeoutMs,
      connectTimeout: 10_000,
    }),
  );
  const { function: name, qualifier } = target.fc;
  return async (payload: string | Buffer, headers: Record<string, string>): Promise<RawAnswer> => {
    const request = new InvokeFunctionRequest({
      body: Readable.from([Buffer.from(payload)]),
      ...(qualifier ? { qualifier } : {}),
    });
    const res = await client.invokeFunctionWithOptions(
      name,
      request,
      new InvokeFunctionHeaders({ commonHeaders: headers }),
      new RuntimeOptions({}),
    );
    const resHeaders = res.headers ?? {};
    return { headers: resHeaders, data: await readBody(res.body, header(resHeaders, "content-type")) };
  };
}

export function functionClient(target: Target, timeoutMs = 120_000): FunctionClient {
  const api = target.fc.api;
  const call = api === "fc2" ? fc2Invoker(target, timeoutMs) : fc3Invoker(target, timeoutMs);
  const { service, function: name, qualifier } = target.fc;
  const where = api === "fc2" ? `${service}${qualifier ? `.${qualifier}` : ""}/${name}` : name;
  const version = api === "fc2" ? "FC 2.0 API" : "FC 3.0 API";
  return {
    describe: () =>
      `${target.kind === "local" ? "local " : ""}function ${where}${api === "fc3" && qualifier ? ` (qualifier ${qualifier})` : ""} at ${target.fc.endpoint} (${version})`,
    async invoke(payload, options = {}) {
      const headers: Record<string, string> = options.async ? { "x-fc-invocation-type": "Async" } : {};
      const res = await call(payload, headers);
      const requestId = header(res.headers, "x-fc-request-id") ?? "";
      if (options.async) return { kind: "accepted", requestId };
      const errorType = header(res.headers, "x-fc-error-type");
      if (errorType !== undefined) {
        return {
          kind: "function-error",
          requestId,
          errorType: field(res.data, "errorType") ?? errorType,
          errorMessage: field(res.data, "errorMessage") ?? String(res.data),
          data: res.data,
        };
      }
      return { kind: "result", requestId, data: res.data };
    },
  };
}
