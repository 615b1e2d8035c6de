/** Turns the OU references of a change into ids (ListOrganizationalUnits, exact match, cached per EIAM client). */
import type { NormalizedLifecycle, OrganizationalUnitRef } from "../change.ts";
import type { EiamClient } from "../eiam/client.ts";
import { EiamError } from "../eiam/errors.ts";
import { callWithinQuota } from "../eiam/quota.ts";
import { withRetry } from "../eiam/retry.ts";
import { OrganizationalUnitResolutionError, OrganizationalUnitResolver } from "../resolve/ou-resolver.ts";
import type { PipelineDeps } from "./deps.ts";
import type { Invocation } from "./invocation.ts";
import type { ResolvedLifecycle } from "./operations.ts";

const DEFAULT_CACHE_MS = 300_000;
const resolvers = new WeakMap<EiamClient, OrganizationalUnitResolver>();

export function ouResolverFor(deps: PipelineDeps, cacheMs = DEFAULT_CACHE_MS): OrganizationalUnitResolver {
  if (deps.ouResolver !== undefined) return deps.ouResolver;
  let resolver = resolvers.get(deps.eiam);
  if (resolver === undefined) {
    const eiam = deps.eiam;
    resolver = new OrganizationalUnitResolver(
      (filter, page, deadlineMs) =>
        callWithinQuota(deps.limiter, deadlineMs, deps.now, (timeoutMs) =>
          eiam.listOrganizationalUnits(filter, page, { timeoutMs }),
        ),
      cacheMs,
      deps.now,
    );
    resolvers.set(eiam, resolver);
  }
  return resolver;
}

/** Throws RetriesExhausted (a reference with no match or several is permanent and names the reference). */
export async function resolveLifecycle(
  lifecycle: NormalizedLifecycle | undefined,
  deps: PipelineDeps,
  inv: Invocation,
  cacheMs?: number,
): Promise<ResolvedLifecycle> {
  const resolved: ResolvedLifecycle = { add: [], remove: [] };
  if (lifecycle === undefined) return resolved;
  const resolver = ouResolverFor(deps, cacheMs);
  const resolve = async (ref: OrganizationalUnitRef, path: string): Promise<string> => {
    if ("id" in ref) return ref.id;
    const { value } = await withRetry(
      async () => {
        try {
          return await resolver.resolve(ref, inv.deadlineMs);
        } catch (err) {
          if (err instanceof OrganizationalUnitResolutionError) {
            throw new EiamError(err.code, `${path}: ${err.message}`, false);
          }
          throw err;
        }
      },
      deps.retry,
      { deadlineMs: inv.deadlineMs, now: deps.now, random: deps.random },
    );
    return value;
  };
  if (lifecycle.status !== undefined) resolved.status = lifecycle.status;
  if (lifecycle.delete) resolved.delete = true;
  if (lifecycle.primaryOrganizationalUnit !== undefined) {
    resolved.primaryOrganizationalUnitId = await resolve(
      lifecycle.primaryOrganizationalUnit,
      "changes.primaryOrganizationalUnit",
    );
  }
  const units = lifecycle.organizationalUnits;
  for (const [i, ref] of (units?.add ?? []).entries()) {
    resolved.add.push(await resolve(ref, `changes.organizationalUnits.add[${i}]`));
  }
  for (const [i, ref] of (units?.remove ?? []).entries()) {
    resolved.remove.push(await resolve(ref, `changes.organizationalUnits.remove[${i}]`));
  }
  resolved.add = [...new Set(resolved.add)];
  resolved.remove = [...new Set(resolved.remove)].filter((id) => !resolved.add.includes(id));
  return resolved;
}
