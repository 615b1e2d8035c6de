import { ApiError } from "./errors.ts";
import type { UserDirectory } from "./users.ts";

/** The values that must be unique among the users of an instance. */
export interface UniqueClaims {
  username?: string;
  email?: string;
  phone?: { region: string; number: string };
  externalId?: { sourceType: string; sourceId: string; externalId: string };
}

const duplicated = (resource: string): ApiError =>
  new ApiError(403, `ResourceDuplicated.${resource}`, `The specified resource: ${resource} already exist.`);

/** Throws ResourceDuplicated.* (403) when another user (not `selfUserId`) already holds one of the values. */
export function assertUnique(
  directory: UserDirectory,
  instanceId: string,
  selfUserId: string | undefined,
  claims: UniqueClaims,
): void {
  const other = (user: { userId: string } | undefined): boolean =>
    user !== undefined && user.userId !== selfUserId;
  if (claims.username !== undefined && other(directory.findByUsername(instanceId, claims.username))) {
    throw duplicated("Username");
  }
  if (claims.email !== undefined && other(directory.findByEmail(instanceId, claims.email))) {
    throw duplicated("Email");
  }
  if (claims.phone && other(directory.findByPhone(instanceId, claims.phone.region, claims.phone.number))) {
    throw duplicated("PhoneNumber");
  }
  const external = claims.externalId;
  if (
    external &&
    other(directory.findByExternalId(instanceId, external.sourceType, external.sourceId, external.externalId))
  ) {
    throw duplicated("UserExternalId");
  }
}
