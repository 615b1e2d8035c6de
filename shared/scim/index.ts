export { scimError, scimUnauthorized } from "./errors.ts";
export { handleScimRequest } from "./handler.ts";
export type { ScimServiceOptions } from "./options.ts";
export type { ScimBackend, ScimChanges, ScimIntent, ScimRequest, UserPage, UserQuery } from "./types.ts";
