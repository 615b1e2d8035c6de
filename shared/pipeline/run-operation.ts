/**
 * One EIAM call of the pipeline with the guarantees UpdateUser has: EIAM's quota, retries within the deadline,
 * every failure classified (retryable or not), throttling slowing the limiter down.
 */
import { callWithinQuota } from "../eiam/quota.ts";
import { withRetry } from "../eiam/retry.ts";
import type { PipelineDeps } from "./deps.ts";
import type { Invocation } from "./invocation.ts";
import type { Operation } from "./operations.ts";

/** Throws RetriesExhausted when it gives up. */
export function callWithRetry<T>(
  call: (timeoutMs: number) => Promise<T>,
  deps: PipelineDeps,
  inv: Invocation,
): Promise<{ value: T; attempts: number }> {
  const { now } = deps;
  return withRetry(() => callWithinQuota(deps.limiter, inv.deadlineMs, now, call), deps.retry, {
    deadlineMs: inv.deadlineMs,
    now,
    random: deps.random,
  });
}

/** What an operation answered: the EIAM request id, and for CreateUser the user's id. */
export interface OperationResult {
  requestId: string;
  userId?: string;
}

function send(op: Operation, deps: PipelineDeps, timeoutMs: number): Promise<OperationResult> {
  const eiam = deps.eiam;
  const options = { timeoutMs };
  switch (op.action) {
    case "CreateUser":
      return eiam.createUser(op.params, options);
    case "UpdateUser":
      return eiam.updateUser(op.params, options);
    case "EnableUser":
      return eiam.enableUser(op.params, options);
    case "DisableUser":
      return eiam.disableUser(op.params, options);
    case "DeleteUser":
      return eiam.deleteUser(op.params, options);
    case "SetUserPrimaryOrganizationalUnit":
      return eiam.setUserPrimaryOrganizationalUnit(op.params, options);
    case "AddUserToOrganizationalUnits":
      return eiam.addUserToOrganizationalUnits(op.params, options);
    case "RemoveUserFromOrganizationalUnits":
      return eiam.removeUserFromOrganizationalUnits(op.params, options);
  }
}

export function runOperation(
  op: Operation,
  deps: PipelineDeps,
  inv: Invocation,
): Promise<{ value: OperationResult; attempts: number }> {
  return callWithRetry((timeoutMs) => send(op, deps, timeoutMs), deps, inv);
}
