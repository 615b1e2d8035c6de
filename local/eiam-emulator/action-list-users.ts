import { invalidParameter } from "./errors.ts";
import { requireInstance } from "./lookups.ts";
import { readInteger, readString, readStringList } from "./param-readers.ts";
import type { ParamObject } from "./params.ts";
import type { EmulatorState } from "./state.ts";
import { userSummaryView } from "./user-views.ts";
import type { EmulatorUser } from "./users.ts";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

type Filter = (user: EmulatorUser) => boolean;

function readFilters(params: ParamObject): Filter[] {
  const filters: Filter[] = [];
  const text = (name: string, test: (value: string) => Filter): void => {
    const value = readString(params, name);
    if (value !== undefined && value !== "") filters.push(test(value));
  };
  text("UsernameStartsWith", (prefix) => (user) => user.username.startsWith(prefix));
  text("DisplayNameStartsWith", (prefix) => (user) => (user.displayName ?? "").startsWith(prefix));
  text("Email", (email) => (user) => user.email?.toLowerCase() === email.toLowerCase());
  text("PhoneRegion", (region) => (user) => user.phoneRegion === region);
  text("PhoneNumber", (number) => (user) => user.phoneNumber === number);
  text("Status", (status) => {
    if (status !== "enabled" && status !== "disabled") {
      throw invalidParameter("Status", `Status must be enabled or disabled; got "${status}".`);
    }
    return (user) => user.status === status;
  });
  text("UserExternalId", (id) => (user) => user.userExternalId === id);
  text("UserSourceType", (type) => (user) => user.userSourceType === type);
  text("UserSourceId", (id) => (user) => user.userSourceId === id);
  text("OrganizationalUnitId", (ou) => (user) => user.organizationalUnitIds.includes(ou));
  const userIds = readStringList(params, "UserIds");
  if (userIds !== undefined) {
    if (userIds.length > MAX_PAGE_SIZE) {
      throw invalidParameter("UserIds", `UserIds may name at most ${MAX_PAGE_SIZE} users.`);
    }
    const wanted = new Set(userIds);
    filters.push((user) => wanted.has(user.userId));
  }
  return filters;
}

/** Page paging (PageNumber/PageSize) by default; token paging when MaxResults or NextToken is sent. */
export function listUsers(params: ParamObject, state: EmulatorState): Record<string, unknown> {
  const instanceId = requireInstance(params, state);
  const filters = readFilters(params);
  const matching = state
    .listUsers()
    .filter((user) => user.instanceId === instanceId && filters.every((filter) => filter(user)));

  const maxResults = readInteger(params, "MaxResults", 1, MAX_PAGE_SIZE);
  const nextToken = readString(params, "NextToken");
  if (maxResults !== undefined || nextToken !== undefined) {
    const size = maxResults ?? DEFAULT_PAGE_SIZE;
    const start = nextToken === undefined || nextToken === "" ? 0 : decodeToken(nextToken);
    const page = matching.slice(start, start + size);
    const end = start + page.length;
    return {
      TotalCount: matching.length,
      MaxResults: size,
      ...(end < matching.length ? { NextToken: `nt_${end}` } : {}),
      Users: page.map(userSummaryView),
    };
  }
  const pageNumber = readInteger(params, "PageNumber", 1, Number.MAX_SAFE_INTEGER) ?? 1;
  const pageSize = readInteger(params, "PageSize", 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE;
  const start = (pageNumber - 1) * pageSize;
  return {
    TotalCount: matching.length,
    Users: matching.slice(start, start + pageSize).map(userSummaryView),
  };
}

function decodeToken(token: string): number {
  const match = /^nt_([0-9]+)$/.exec(token);
  if (!match) throw invalidParameter("NextToken", `NextToken "${token}" was not issued by ListUsers.`);
  return Number(match[1]);
}
