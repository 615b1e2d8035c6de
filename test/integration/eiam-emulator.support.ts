// Test support for the EIAM emulator tests: the REAL @alicloud/openapi-client, plus a tiny independent
// V3/V1 signer (written from §3.4/§3.5 of the reference, NOT from the emulator's code) for raw requests.
import { createHash, createHmac, randomBytes } from "node:crypto";
import OpenApiModule, * as $OpenApi from "@alicloud/openapi-client";
import OpenApiUtilModule from "@alicloud/openapi-util";
import * as $Util from "@alicloud/tea-util";

// These packages are CommonJS (`exports.default = Client`). tsx hands a default import the whole
// `module.exports` (class on `.default`); vitest hands over the class itself. Accept both.
function commonJsDefault<T>(imported: { default: T }): T {
  const nested = (imported as { default?: T }).default;
  return nested ?? (imported as unknown as T);
}
const OpenApiClient = commonJsDefault(OpenApiModule);
const OpenApiUtil = commonJsDefault(OpenApiUtilModule);
type OpenApiClientInstance = InstanceType<typeof OpenApiClient>;

export const INSTANCE_ID = "idaas_local_demo";
export const DEMO_KEY = { accessKeyId: "LTAI_local_demo", accessKeySecret: "local-demo-secret" };

export interface ClientOptions {
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  /** "v2" = the V1 HMAC-SHA1 query signature; default V3 ACS3-HMAC-SHA256. */
  signatureAlgorithm?: "v2";
}

export function makeClient(
  emulator: { endpoint: string },
  options: ClientOptions = {},
): OpenApiClientInstance {
  const config = new $OpenApi.Config({
    accessKeyId: options.accessKeyId ?? DEMO_KEY.accessKeyId,
    accessKeySecret: options.accessKeySecret ?? DEMO_KEY.accessKeySecret,
    endpoint: emulator.endpoint,
    protocol: "http",
    ...(options.securityToken !== undefined ? { securityToken: options.securityToken } : {}),
    ...(options.signatureAlgorithm !== undefined ? { signatureAlgorithm: options.signatureAlgorithm } : {}),
  });
  return new OpenApiClient(config);
}

export interface CallResult {
  statusCode: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** Calls an EIAM action the way the generated SDK does (all parameters in the query). */
export async function callEiam(
  client: OpenApiClientInstance,
  action: string,
  query: Record<string, unknown>,
  runtime: { readTimeout?: number } = {},
): Promise<CallResult> {
  const params = new $OpenApi.Params({
    action,
    version: "2021-12-01",
    protocol: "HTTPS",
    pathname: "/",
    method: "POST",
    authType: "AK",
    style: "RPC",
    reqBodyType: "formData",
    bodyType: "json",
  });
  const request = new $OpenApi.OpenApiRequest({ query: OpenApiUtil.query(query) });
  const response = await client.callApi(params, request, new $Util.RuntimeOptions(runtime));
  return response as CallResult;
}

export interface CaughtError {
  name: string;
  code: string | undefined;
  statusCode: number | undefined;
  message: string;
  data: Record<string, unknown> | undefined;
}

export function describeError(error: unknown): CaughtError {
  if (!(error instanceof Error)) throw new Error(`expected an Error, got ${String(error)}`);
  const fields = error as Error & { code?: unknown; statusCode?: unknown; data?: unknown };
  return {
    name: error.name,
    code: typeof fields.code === "string" ? fields.code : undefined,
    statusCode: typeof fields.statusCode === "number" ? fields.statusCode : undefined,
    message: error.message,
    data:
      typeof fields.data === "object" && fields.data !== null
        ? (fields.data as Record<string, unknown>)
        : undefined,
  };
}

/** Calls and expects a failure; returns what the client threw. */
export async function callEiamError(
  client: OpenApiClientInstance,
  action: string,
  query: Record<string, unknown>,
  runtime: { readTimeout?: number } = {},
): Promise<CaughtError> {
  let result: CallResult;
  try {
    result = await callEiam(client, action, query, runtime);
  } catch (error) {
    return describeError(error);
  }
  throw new Error(
    `expected ${action} to fail, but it answered ${result.statusCode} ${JSON.stringify(result.body)}`,
  );
}

// ---- independent signers for raw requests -------------------------------------------------------------

const rfc3986 = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export const acsDate = (time: number): string => `${new Date(time).toISOString().slice(0, 19)}Z`;

export interface RawSignedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface V3SignInput {
  endpoint: string;
  action: string;
  query: Record<string, string>;
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  date?: string;
  nonce?: string;
  version?: string;
  /** Optional form body (business parameters); its sha256 is signed. */
  formBody?: Record<string, string>;
  /** Headers to leave out of SignedHeaders (to prove the emulator insists on them). */
  unsigned?: string[];
}

/** Signs like OpenApiUtil.getAuthorization (ACS3-HMAC-SHA256); the URL query is plainly percent-encoded. */
export function signV3(input: V3SignInput): RawSignedRequest {
  const body = input.formBody ? new URLSearchParams(input.formBody).toString() : "";
  const headers: Record<string, string> = {
    host: input.endpoint,
    "x-acs-action": input.action,
    "x-acs-version": input.version ?? "2021-12-01",
    "x-acs-date": input.date ?? acsDate(Date.now()),
    "x-acs-signature-nonce": input.nonce ?? randomBytes(16).toString("hex"),
    "x-acs-content-sha256": createHash("sha256").update(body).digest("hex"),
  };
  if (input.formBody) headers["content-type"] = "application/x-www-form-urlencoded";
  if (input.securityToken !== undefined) headers["x-acs-security-token"] = input.securityToken;
  const signed = Object.keys(headers)
    .filter((name) => !(input.unsigned ?? []).includes(name))
    .sort();
  const canonicalQuery = Object.keys(input.query)
    .sort()
    .map((key) => `${key}=${rfc3986(input.query[key] ?? "")}`)
    .join("&");
  const canonicalRequest = [
    "POST",
    "/",
    canonicalQuery,
    signed.map((name) => `${name}:${headers[name]}\n`).join(""),
    signed.join(";"),
    headers["x-acs-content-sha256"],
  ].join("\n");
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
  const signature = createHmac("sha256", input.accessKeySecret ?? DEMO_KEY.accessKeySecret)
    .update(stringToSign)
    .digest("hex");
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${input.accessKeyId ?? DEMO_KEY.accessKeyId},SignedHeaders=${signed.join(";")},Signature=${signature}`;
  const query = new URLSearchParams(input.query).toString();
  return { url: `http://${input.endpoint}/${query ? `?${query}` : ""}`, headers, body };
}

export interface V1SignInput {
  endpoint: string;
  action: string;
  query: Record<string, string>;
  accessKeyId?: string;
  accessKeySecret?: string;
  timestamp?: string;
  nonce?: string;
}

/** Signs like OpenApiUtil.getRPCSignature (HMAC-SHA1 with secret + "&"). */
export function signV1(input: V1SignInput): RawSignedRequest {
  const params: Record<string, string> = {
    Action: input.action,
    Format: "json",
    Version: "2021-12-01",
    Timestamp: input.timestamp ?? acsDate(Date.now()),
    SignatureNonce: input.nonce ?? randomBytes(16).toString("hex"),
    ...input.query,
    SignatureMethod: "HMAC-SHA1",
    SignatureVersion: "1.0",
    AccessKeyId: input.accessKeyId ?? DEMO_KEY.accessKeyId,
  };
  const canonical = Object.keys(params)
    .sort()
    .map((key) => `${rfc3986(key)}=${rfc3986(params[key] ?? "")}`)
    .join("&");
  const stringToSign = `POST&${rfc3986("/")}&${rfc3986(canonical)}`;
  params.Signature = createHmac("sha1", `${input.accessKeySecret ?? DEMO_KEY.accessKeySecret}&`)
    .update(stringToSign)
    .digest("base64");
  return {
    url: `http://${input.endpoint}/?${new URLSearchParams(params).toString()}`,
    headers: { "x-acs-action": input.action, "x-acs-version": "2021-12-01" },
    body: "",
  };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

/** Sends a raw signed request with fetch (undici derives the Host header from the URL, as signed). */
export async function sendRaw(request: RawSignedRequest, url = request.url): Promise<RawResponse> {
  const { host: _host, ...headers } = request.headers;
  const response = await fetch(url, { method: "POST", headers, body: request.body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: JSON.parse(text) as Record<string, unknown>,
  };
}

export async function adminFetch(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<RawResponse> {
  const response = await fetch(`${baseUrl}/__admin${path}`, {
    method,
    ...(body !== undefined
      ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }
      : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}
