import { createHash } from "node:crypto";
import OpenApiModule, { Config, OpenApiRequest, Params } from "@alicloud/openapi-client";
import OpenApiUtilModule from "@alicloud/openapi-util";
import { RuntimeOptions } from "@alicloud/tea-util";
import { StaticCredential } from "./static-credential.ts";
import type {
  CreateUserParams,
  EiamCredentials,
  EiamOrganizationalUnit,
  EiamUser,
  EiamUserSummary,
  ListOrganizationalUnitsFilter,
  ListOrganizationalUnitsPage,
  ListUsersFilter,
  ListUsersPage,
  OrganizationalUnitsParams,
  SetPrimaryOrganizationalUnitParams,
  UpdateUserParams,
  UserRef,
} from "./types.ts";

// These SDK packages are CommonJS with `exports.default`. Node's ESM loader (tsx, the bundle) hands us
// `module.exports`; vitest's interop hands us `exports.default` itself. Accept both.
function commonJsDefault<T>(mod: { default: T }): T {
  return (mod as { default?: T }).default ?? (mod as unknown as T);
}
const OpenApiClient = commonJsDefault(OpenApiModule);
const OpenApiUtil = commonJsDefault(OpenApiUtilModule);

const API_VERSION = "2021-12-01";

export interface EiamEndpoint {
  /** host[:port] */
  endpoint: string;
  protocol: "https" | "http";
  instanceId: string;
  readTimeoutMs: number;
  connectTimeoutMs: number;
}

export interface CallOptions {
  /** Cap the read timeout of this call (the time left before the invocation deadline). */
  timeoutMs?: number;
}

/** The only code that knows `@alicloud/openapi-client`. One instance per (endpoint, credentials). */
export class EiamClient {
  private readonly client: InstanceType<typeof OpenApiClient>;

  constructor(
    readonly target: EiamEndpoint,
    credentials: EiamCredentials,
  ) {
    this.client = new OpenApiClient(
      new Config({
        // A ready credential object: the SDK then never builds its own provider chain (not bundled).
        credential: new StaticCredential(credentials) as unknown as Config["credential"],
        endpoint: target.endpoint,
        protocol: target.protocol,
        readTimeout: target.readTimeoutMs,
        connectTimeout: target.connectTimeoutMs,
      }),
    );
  }

  get instanceId(): string {
    return this.target.instanceId;
  }

  async updateUser(params: UpdateUserParams, options?: CallOptions): Promise<{ requestId: string }> {
    const body = await this.call("UpdateUser", params as unknown as Record<string, unknown>, options);
    return { requestId: String(body.RequestId ?? "") };
  }

  /** The user created, or the one created before with the same ClientToken. */
  async createUser(
    params: CreateUserParams,
    options?: CallOptions,
  ): Promise<{ requestId: string; userId: string }> {
    const body = await this.call("CreateUser", params as unknown as Record<string, unknown>, options);
    return { requestId: String(body.RequestId ?? ""), userId: String(body.UserId ?? "") };
  }

  enableUser(params: UserRef, options?: CallOptions): Promise<{ requestId: string }> {
    return this.simple("EnableUser", params, options);
  }

  disableUser(params: UserRef, options?: CallOptions): Promise<{ requestId: string }> {
    return this.simple("DisableUser", params, options);
  }

  deleteUser(params: UserRef, options?: CallOptions): Promise<{ requestId: string }> {
    return this.simple("DeleteUser", params, options);
  }

  setUserPrimaryOrganizationalUnit(
    params: SetPrimaryOrganizationalUnitParams,
    options?: CallOptions,
  ): Promise<{ requestId: string }> {
    return this.simple("SetUserPrimaryOrganizationalUnit", params, options);
  }

  addUserToOrganizationalUnits(
    params: OrganizationalUnitsParams,
    options?: CallOptions,
  ): Promise<{ requestId: string }> {
    return this.simple("AddUserToOrganizationalUnits", params, options);
  }

  removeUserFromOrganizationalUnits(
    params: OrganizationalUnitsParams,
    options?: CallOptions,
  ): Promise<{ requestId: string }> {
    return this.simple("RemoveUserFromOrganizationalUnits", params, options);
  }

  async listOrganizationalUnits(
    filter: ListOrganizationalUnitsFilter,
    page: { pageNumber: number; pageSize: number },
    options?: CallOptions,
  ): Promise<ListOrganizationalUnitsPage> {
    const body = await this.call(
      "ListOrganizationalUnits",
      { InstanceId: this.instanceId, ...filter, PageNumber: page.pageNumber, PageSize: page.pageSize },
      options,
    );
    return {
      totalCount: Number(body.TotalCount ?? 0),
      organizationalUnits: (body.OrganizationalUnits ?? []) as EiamOrganizationalUnit[],
      requestId: String(body.RequestId ?? ""),
    };
  }

  private async simple(
    action: string,
    params: object,
    options?: CallOptions,
  ): Promise<{ requestId: string }> {
    const body = await this.call(action, params as Record<string, unknown>, options);
    return { requestId: String(body.RequestId ?? "") };
  }

  async getUser(userId: string, options?: CallOptions): Promise<EiamUser> {
    const body = await this.call("GetUser", { InstanceId: this.instanceId, UserId: userId }, options);
    return body.User as EiamUser;
  }

  async listUsers(
    filter: ListUsersFilter,
    page: { pageNumber: number; pageSize: number },
    options?: CallOptions,
  ): Promise<ListUsersPage> {
    const body = await this.call(
      "ListUsers",
      { InstanceId: this.instanceId, ...filter, PageNumber: page.pageNumber, PageSize: page.pageSize },
      options,
    );
    return {
      totalCount: Number(body.TotalCount ?? 0),
      users: (body.Users ?? []) as EiamUserSummary[],
      requestId: String(body.RequestId ?? ""),
    };
  }

  private async call(
    action: string,
    query: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<Record<string, unknown>> {
    const params = new Params({
      action,
      version: API_VERSION,
      protocol: "HTTPS",
      pathname: "/",
      method: "POST",
      authType: "AK",
      style: "RPC",
      reqBodyType: "formData",
      bodyType: "json",
    });
    const request = new OpenApiRequest({ query: OpenApiUtil.query(query) });
    const readTimeout = Math.max(
      1,
      Math.min(this.target.readTimeoutMs, options?.timeoutMs ?? this.target.readTimeoutMs),
    );
    // autoretry stays off: the SDK never retries anyway; our own retry loop does (retry.ts).
    const runtime = new RuntimeOptions({
      autoretry: false,
      readTimeout,
      connectTimeout: Math.min(this.target.connectTimeoutMs, readTimeout),
    });
    const response = await this.client.callApi(params, request, runtime);
    return (response.body ?? {}) as Record<string, unknown>;
  }
}

/**
 * Clients are reused for the same credentials: FC hands every invocation the role's STS keys, which
 * change only when they are refreshed, so a warm instance keeps one client (and its keep-alive sockets).
 */
export class EiamClientPool {
  private readonly clients = new Map<string, EiamClient>();

  constructor(
    private readonly target: EiamEndpoint,
    private readonly maxClients = 4,
  ) {}

  get(credentials: EiamCredentials): EiamClient {
    const key = createHash("sha256")
      .update(
        `${credentials.accessKeyId}\n${credentials.accessKeySecret}\n${credentials.securityToken ?? ""}`,
      )
      .digest("hex");
    let client = this.clients.get(key);
    if (client === undefined) {
      client = new EiamClient(this.target, credentials);
      if (this.clients.size >= this.maxClients) {
        const oldest = this.clients.keys().next().value;
        if (oldest !== undefined) this.clients.delete(oldest);
      }
      this.clients.set(key, client);
    }
    return client;
  }
}
