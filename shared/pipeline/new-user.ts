/** A user no lookup found (UNKNOWN_USER=create): its lease name, and what CreateUser needs or why it cannot run. */
import { createHash } from "node:crypto";
import type { UserKey } from "../change.ts";
import type { NewUser, ResolvedLifecycle } from "./operations.ts";
import type { OutcomeError } from "./outcome.ts";
import type { LifecycleOptions, ReadyEvent } from "./prepare.ts";

/** The lease name of a user that does not exist yet: one per user key, so two joiners of one person serialize. */
export function newUserLease(key: UserKey): string {
  return `new:${createHash("sha256").update(JSON.stringify(key)).digest("base64url")}`;
}

/** The username and primary OU of a user to create, or the permanent error that prevents it. */
export function newUserSpec(
  ev: ReadyEvent,
  lifecycle: ResolvedLifecycle,
  instanceId: string,
  options?: LifecycleOptions,
): NewUser | { error: OutcomeError } {
  const fail = (code: string, message: string) => ({
    error: { stage: "resolve" as const, code, message, retryable: false },
  });
  const username = ev.change.fields.username ?? ev.change.user.username;
  if (username === undefined) {
    return fail(
      "UsernameRequired",
      "no EIAM user matches the event, and creating one needs changes.username (or USERNAME_RULE=email-local-part with changes.email)",
    );
  }
  const primary = lifecycle.primaryOrganizationalUnitId ?? options?.defaultOrganizationalUnitId;
  if (primary === undefined) {
    return fail(
      "OrganizationalUnitRequired",
      "no EIAM user matches the event, and creating one needs changes.primaryOrganizationalUnit or DEFAULT_ORGANIZATIONAL_UNIT_ID",
    );
  }
  return { instanceId, idempotencyKey: ev.idempotencyKey, username, primaryOrganizationalUnitId: primary };
}
