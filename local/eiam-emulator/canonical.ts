/** OpenApiUtil `encode`: encodeURIComponent plus `! ' ( ) *` escaped (space → %20, `~` kept). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/!/g, "%21")
    .replace(/'/g, "%27")
    .replace(/\(/g, "%28")
    .replace(/\)/g, "%29")
    .replace(/\*/g, "%2A");
}

/**
 * V3 canonical query: keys sorted (plain JS sort), `key=encode(value)`, joined by `&`; the key is NOT encoded.
 * Built from DECODED values, never from the raw query string the client happened to send.
 */
export function canonicalQueryV3(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((key) => `${key}=${percentEncode(params[key] ?? "")}`)
    .join("&");
}

/** V1 canonicalized query: keys sorted, both key and value encoded. */
export function canonicalQueryV1(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key] ?? "")}`)
    .join("&");
}

/** OpenApiUtil replaces only the first `+`, `*` and `%7E` of the pathname (String.replace with a string). */
export function canonicalUri(pathname: string): string {
  return pathname.replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
}
