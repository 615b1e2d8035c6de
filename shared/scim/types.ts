/**
 * The seam between the SCIM protocol layer and the rest of the function. The SCIM code reaches EIAM and the
 * pipeline only through `ScimBackend`; what it asks for is a plain `ScimIntent`.
 */
import type { EiamUser } from "../eiam/types.ts";
import type { IgnoredAttribute } from "../formats/types.ts";
import type { EventOutcome } from "../pipeline/outcome.ts";

/** One HTTP request on the SCIM route, below the route prefix. */
export interface ScimRequest {
  method: string;
  /** Below the route prefix, e.g. `/Users/user_123` or `/ServiceProviderConfig`. */
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
  /** Epoch ms when the function received the request. */
  receivedAt: number;
  /** Stable id of this HTTP delivery (FC's request id). */
  deliveryId: string;
}

/** What a GET /Users filter asks for; every given key must match exactly. */
export interface UserQuery {
  id?: string;
  userName?: string;
  externalId?: string;
  email?: string;
}

export interface UserPage {
  /** How many users match in all. */
  totalResults: number;
  /** The users from `startIndex` (1-based), at most `count` of them. */
  users: EiamUser[];
}

/** Canonical v1 `changes` fields, as the client wrote them (the pipeline normalizes them). */
export interface ScimChanges {
  username?: string;
  displayName?: string;
  email?: string;
  phone?: string;
  customFields?: Record<string, string | null>;
}

/**
 * One SCIM write as the pipeline should apply it. `eventId` is the delivery id and `occurredAt` the receipt
 * time, so receipt order per user decides (see docs/scim.md, "Idempotency and ordering").
 */
export interface ScimIntent {
  /** update: PATCH or PUT; create: POST /Users; delete: DELETE /Users/{id} (disable or delete, per deployment). */
  action: "update" | "create" | "delete";
  /** The SCIM method, for logs and dead-letter records. */
  method: "PATCH" | "PUT" | "POST" | "DELETE";
  eventId: string;
  source: string;
  /** RFC 3339, the receipt time. */
  occurredAt: string;
  /** update/delete: the EIAM user id from the URL. create: the externalId, else the userName. */
  user: { userId: string } | { externalId: string } | { username: string };
  changes: ScimChanges;
  /** From `active`; absent when the request does not mention it. */
  status?: "enabled" | "disabled";
  /** create only: the `externalId` to store (EIAM `UserExternalId`). */
  externalId?: string;
  /** Attributes of the request that are not applied, with the reason. Answered to the client too. */
  ignored: IgnoredAttribute[];
}

export interface ScimBackend {
  /** The user, or undefined when EIAM has no user with this id. Throws `EiamError` when EIAM fails. */
  getUser(id: string): Promise<EiamUser | undefined>;
  findUsers(query: UserQuery, page: { startIndex: number; count: number }): Promise<UserPage>;
  /** Apply the change through the pipeline; the outcome says how it ended (never throws for a refusal). */
  apply(intent: ScimIntent): Promise<EventOutcome>;
}
