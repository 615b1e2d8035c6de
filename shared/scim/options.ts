import { DEFAULT_SCIM_CUSTOM_FIELD_MAP, type ScimOptions } from "../formats/scim.ts";

export interface ScimServiceOptions extends ScimOptions {
  /** Absolute URL of the SCIM route, e.g. `https://sync.example.com/scim/v2`; used for `Location` and `meta.location`. */
  baseUrl?: string;
  /** Largest page answered by GET /Users (`filter.maxResults`). Default 100. */
  maxResults?: number;
  /** Largest request body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface ResolvedScimOptions extends ScimOptions {
  baseUrl: string;
  maxResults: number;
  maxBodyBytes: number;
  customFieldMap: Record<string, string>;
  source: string;
}

export function resolveScimOptions(options: ScimServiceOptions = {}): ResolvedScimOptions {
  return {
    ...options,
    baseUrl: withoutTrailingSlashes(options.baseUrl ?? "/scim/v2"),
    maxResults: options.maxResults ?? 100,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    customFieldMap: options.customFieldMap ?? { ...DEFAULT_SCIM_CUSTOM_FIELD_MAP },
    source: options.source ?? "scim",
  };
}

/** A loop, not `/\/+$/`, which backtracks on a long run of slashes. */
function withoutTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === "/") end -= 1;
  return url.slice(0, end);
}
