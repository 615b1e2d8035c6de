import { type ApiRequest, formBodyParams, headerValue, mergeParams, queryParams } from "./api-request.ts";
import type { AuthContext } from "./auth-checks.ts";
import { signatureError } from "./errors.ts";
import { V1_COMMON_PARAMETERS, V1_METHOD, verifyV1 } from "./signature-v1.ts";
import { V3_ALGORITHM, verifyV3 } from "./signature-v3.ts";

export interface AuthenticatedCall {
  accessKeyId: string;
  action: string;
  version: string;
  signatureMethod: typeof V3_ALGORITHM | typeof V1_METHOD;
  /** Decoded business parameters, still flat (`CustomFields.1.FieldName`). */
  params: Record<string, string>;
}

/** V3 when an Authorization header is present, V1 when a Signature parameter is; anything else is refused. */
export function authenticate(request: ApiRequest, context: AuthContext): AuthenticatedCall {
  const query = queryParams(request);
  const body = formBodyParams(request);
  if (headerValue(request, "authorization") !== undefined) {
    const identity = verifyV3(request, query, context);
    return { ...identity, signatureMethod: V3_ALGORITHM, params: mergeParams(query, body) };
  }
  // The client signs query and body together and lets the body win on a clash (`{...query, ...body}`).
  const all = { ...query, ...body };
  if (all.Signature !== undefined) {
    const identity = verifyV1(request, all, context);
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(all)) {
      if (!V1_COMMON_PARAMETERS.has(key)) params[key] = value;
    }
    return { ...identity, signatureMethod: V1_METHOD, params };
  }
  throw signatureError(
    "IncompleteSignature",
    "The request is not signed: send an ACS3-HMAC-SHA256 Authorization header (V3) or HMAC-SHA1 Signature parameters (V1).",
  );
}

/** Best-effort identification of a request for the log, before (or without) trusting it. */
export function describeUnverified(request: ApiRequest): { action?: string; accessKeyId?: string } {
  const query = Object.fromEntries(request.query);
  const action = headerValue(request, "x-acs-action") ?? query.Action;
  const credential = /Credential=([^,]+)/.exec(headerValue(request, "authorization") ?? "")?.[1];
  const accessKeyId = credential ?? query.AccessKeyId;
  return {
    ...(action !== undefined ? { action } : {}),
    ...(accessKeyId !== undefined ? { accessKeyId } : {}),
  };
}
