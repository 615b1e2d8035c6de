/**
 * Invokes the function through the FC 2016-08-15 API with @alicloud/fc2 `invokeFunction`: the local FC host's
 * invoke API, or the deployed function (whose FC 3.0 ↔ 2016-08-15 service mapping is UNCONFIRMED, mns-fc2.md §3.5).
 */
import FCClient from "@alicloud/fc2";
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

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function field(data: unknown, name: string): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const value = (data as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

export function functionClient(target: Target, timeoutMs = 120_000): FunctionClient {
  const client = new FCClient(target.accountId, {
    accessKeyID: target.credentials.accessKeyId,
    accessKeySecret: target.credentials.accessKeySecret,
    ...(target.credentials.securityToken ? { securityToken: target.credentials.securityToken } : {}),
    region: target.region,
    endpoint: target.fc.endpoint,
    timeout: timeoutMs,
  });
  const { service, function: name, qualifier } = target.fc;
  return {
    describe: () =>
      `${target.kind === "local" ? "local " : ""}function ${service}${qualifier ? `.${qualifier}` : ""}/${name} at ${target.fc.endpoint}`,
    async invoke(payload, options = {}) {
      const headers: Record<string, string> = options.async ? { "x-fc-invocation-type": "Async" } : {};
      const res = await client.invokeFunction(service, name, payload, headers, qualifier);
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
