/**
 * The read half of ScimBackend on the real EIAM client: GetUser and ListUsers, each call taking a token of
 * EIAM's quota first (as UpdateUser does). `apply` is handed in: it is the pipeline's, wired by the caller.
 */
import type { EiamClient } from "../eiam/client.ts";
import { callWithinQuota } from "../eiam/quota.ts";
import type { EiamUser, EiamUserSummary, ListUsersFilter } from "../eiam/types.ts";
import type { EventOutcome } from "../pipeline/outcome.ts";
import type { RateLimiter } from "../rate-limit/limiter.ts";
import { FilterTooBroadError } from "./errors.ts";
import type { ScimBackend, ScimIntent, UserPage, UserQuery } from "./types.ts";

const PAGE_SIZE = 100;
/** A filter that EIAM can only narrow by prefix may match many users; past this many pages it is refused. */
const MAX_PAGES = 20;
/** What an EIAM user id can look like; anything else cannot name a user and is not sent. */
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface EiamScimBackendDeps {
  eiam: Pick<EiamClient, "getUser" | "listUsers">;
  limiter: RateLimiter;
  /** Epoch ms: no call waits for quota or an answer past it (the invocation's deadline). */
  deadlineMs: number;
  now?: () => number;
  apply: (intent: ScimIntent) => Promise<EventOutcome>;
}

interface Lookup {
  filter: ListUsersFilter;
  matches: (user: EiamUserSummary) => boolean;
}

/** One EIAM filter narrows the search; every key of the query is then matched exactly here. */
function lookupFor(query: UserQuery): Lookup {
  const email = query.email?.toLowerCase();
  const matches = (u: EiamUserSummary) =>
    (query.userName === undefined || u.Username === query.userName) &&
    (query.externalId === undefined || u.UserExternalId === query.externalId) &&
    (email === undefined || u.Email?.toLowerCase() === email);
  if (query.externalId !== undefined) return { filter: { UserExternalId: query.externalId }, matches };
  if (query.email !== undefined) return { filter: { Email: query.email }, matches };
  if (query.userName !== undefined) return { filter: { UsernameStartsWith: query.userName }, matches };
  return { filter: {}, matches };
}

export class EiamScimBackend implements ScimBackend {
  private readonly now: () => number;

  constructor(private readonly deps: EiamScimBackendDeps) {
    this.now = deps.now ?? Date.now;
  }

  apply(intent: ScimIntent): Promise<EventOutcome> {
    return this.deps.apply(intent);
  }

  async getUser(id: string): Promise<EiamUser | undefined> {
    if (!USER_ID.test(id)) return undefined;
    try {
      return await this.call((timeoutMs) => this.deps.eiam.getUser(id, { timeoutMs }));
    } catch (error) {
      if (error instanceof Error && "code" in error && error.code === "EntityNotExists.User")
        return undefined;
      throw error;
    }
  }

  async findUsers(query: UserQuery, page: { startIndex: number; count: number }): Promise<UserPage> {
    if (query.id !== undefined) {
      const user = await this.getUser(query.id);
      const found = user !== undefined && lookupFor(query).matches(user) ? [user] : [];
      return {
        totalResults: found.length,
        users: found.slice(page.startIndex - 1, page.startIndex - 1 + page.count),
      };
    }
    const lookup = lookupFor(query);
    if (Object.keys(lookup.filter).length === 0) return this.listAll(page);
    const found: EiamUserSummary[] = [];
    for (let pageNumber = 1; ; pageNumber++) {
      if (pageNumber > MAX_PAGES)
        throw new FilterTooBroadError(
          `the filter matches more than ${MAX_PAGES * PAGE_SIZE} EIAM users by prefix`,
        );
      const result = await this.listPage(lookup.filter, pageNumber);
      found.push(...result.users.filter(lookup.matches));
      if (result.users.length < PAGE_SIZE || pageNumber * PAGE_SIZE >= result.totalCount) break;
    }
    const slice = found.slice(page.startIndex - 1, page.startIndex - 1 + page.count);
    // ListUsers has no custom fields: read each matching user (exact matches are few).
    const users: EiamUser[] = [];
    for (const summary of slice) users.push((await this.getUser(summary.UserId)) ?? summary);
    return { totalResults: found.length, users };
  }

  /** No filter: EIAM's own paging, read from the page that holds `startIndex`. Summaries, no custom fields. */
  private async listAll(page: { startIndex: number; count: number }): Promise<UserPage> {
    const first = Math.floor((page.startIndex - 1) / PAGE_SIZE) + 1;
    let skip = (page.startIndex - 1) % PAGE_SIZE;
    const users: EiamUserSummary[] = [];
    let totalResults = 0;
    for (let pageNumber = first; ; pageNumber++) {
      const result = await this.listPage({}, pageNumber);
      totalResults = result.totalCount;
      users.push(...result.users.slice(skip, skip + page.count - users.length));
      skip = 0;
      if (
        users.length >= page.count ||
        result.users.length < PAGE_SIZE ||
        pageNumber * PAGE_SIZE >= totalResults
      )
        break;
    }
    return { totalResults, users };
  }

  private listPage(filter: ListUsersFilter, pageNumber: number) {
    return this.call((timeoutMs) =>
      this.deps.eiam.listUsers(filter, { pageNumber, pageSize: PAGE_SIZE }, { timeoutMs }),
    );
  }

  private call<T>(run: (timeoutMs: number) => Promise<T>): Promise<T> {
    return callWithinQuota(this.deps.limiter, this.deps.deadlineMs, () => this.now(), run);
  }
}
