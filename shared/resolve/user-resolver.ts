/**
 * Turns an event's user key into an EIAM user id. `userId` is taken as given; every other key is looked
 * up with ListUsers, paging through the results and matching exactly on our side (the API filters some
 * keys only by prefix). Answers are cached in-process for a while.
 */
import type { UserKey } from "../change.ts";
import type { EiamUserSummary, ListUsersFilter } from "../eiam/types.ts";

export class UserResolutionError extends Error {
  constructor(
    readonly code: "UserNotFound" | "AmbiguousUser",
    message: string,
  ) {
    super(message);
  }
}

export type ListUsersFn = (
  filter: ListUsersFilter,
  page: { pageNumber: number; pageSize: number },
  /** Epoch ms after which the lookup must not wait for quota or an answer. */
  deadlineMs: number,
) => Promise<{ totalCount: number; users: EiamUserSummary[] }>;

const PAGE_SIZE = 100;
/** A prefix filter can match many users; beyond this many pages the key is too vague to trust. */
const MAX_PAGES = 20;

interface LookUp {
  filter: ListUsersFilter;
  matches: (u: EiamUserSummary) => boolean;
  describe: string;
}

function lookUpFor(key: UserKey): LookUp | undefined {
  if (key.externalId !== undefined) {
    const { id, sourceType, sourceId } = key.externalId;
    return {
      filter: {
        UserExternalId: id,
        ...(sourceType ? { UserSourceType: sourceType } : {}),
        ...(sourceId ? { UserSourceId: sourceId } : {}),
      },
      matches: (u) =>
        u.UserExternalId === id &&
        (sourceType === undefined || u.UserSourceType === sourceType) &&
        (sourceId === undefined || u.UserSourceId === sourceId),
      describe: "externalId",
    };
  }
  if (key.email !== undefined) {
    const wanted = key.email.toLowerCase();
    return {
      filter: { Email: key.email },
      matches: (u) => u.Email?.toLowerCase() === wanted,
      describe: "email",
    };
  }
  if (key.phone !== undefined) {
    const { region, number } = key.phone;
    return {
      filter: { PhoneRegion: region, PhoneNumber: number },
      matches: (u) => u.PhoneNumber === number && (u.PhoneRegion ?? region) === region,
      describe: "phone",
    };
  }
  if (key.username !== undefined) {
    const wanted = key.username;
    return {
      filter: { UsernameStartsWith: wanted },
      matches: (u) => u.Username === wanted,
      describe: "username",
    };
  }
  return undefined;
}

export function describeUserKey(key: UserKey): string {
  if (key.userId !== undefined) return "userId";
  return lookUpFor(key)?.describe ?? "none";
}

export class UserResolver {
  private readonly cache = new Map<string, { userId: string; expiresAt: number }>();

  constructor(
    private readonly listUsers: ListUsersFn,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  async resolve(key: UserKey, deadlineMs = Number.POSITIVE_INFINITY): Promise<string> {
    if (key.userId !== undefined) return key.userId;
    const lookUp = lookUpFor(key);
    if (lookUp === undefined) throw new UserResolutionError("UserNotFound", "the event names no user");
    const cacheKey = JSON.stringify(lookUp.filter);
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined && cached.expiresAt > this.now()) return cached.userId;

    const found: string[] = [];
    for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber++) {
      const page = await this.listUsers(lookUp.filter, { pageNumber, pageSize: PAGE_SIZE }, deadlineMs);
      for (const u of page.users) if (lookUp.matches(u)) found.push(u.UserId);
      if (found.length > 1) break;
      if (page.users.length < PAGE_SIZE || pageNumber * PAGE_SIZE >= page.totalCount) break;
    }
    if (found.length === 0) {
      throw new UserResolutionError("UserNotFound", `no EIAM user matches the event's ${lookUp.describe}`);
    }
    if (found.length > 1) {
      throw new UserResolutionError(
        "AmbiguousUser",
        `${found.length} EIAM users match the event's ${lookUp.describe}; use userId or externalId`,
      );
    }
    const userId = found[0]!;
    if (this.ttlMs > 0) {
      if (this.cache.size >= this.maxEntries) this.cache.clear();
      this.cache.set(cacheKey, { userId, expiresAt: this.now() + this.ttlMs });
    }
    return userId;
  }
}
