import { CustomFieldCatalog, type CustomFieldDefinition } from "./custom-fields.ts";
import { FaultController, type FaultSettings } from "./faults.ts";
import {
  type EmulatorOrganizationalUnit,
  OrganizationalUnitCatalog,
  type SeedOrganizationalUnit,
} from "./organizational-units.ts";
import type { RequestLogEntry } from "./request-log.ts";
import { assertUnique } from "./uniqueness.ts";
import {
  cloneUser,
  type EmulatorUser,
  newEntityId,
  rootOrganizationalUnitId,
  UserDirectory,
} from "./users.ts";

/** A user to pre-load. Seeding checks uniqueness and custom fields, not formats (so legacy data can be seeded). */
export interface SeedUser {
  userId?: string;
  /** Defaults to the first instance. */
  instanceId?: string;
  username: string;
  displayName?: string;
  description?: string;
  email?: string;
  emailVerified?: boolean;
  phoneRegion?: string;
  phoneNumber?: string;
  phoneNumberVerified?: boolean;
  userExternalId?: string;
  userSourceType?: string;
  userSourceId?: string;
  status?: "enabled" | "disabled";
  customFields?: Record<string, string>;
  /** Defaults to the instance's root OU. */
  primaryOrganizationalUnitId?: string;
  /** Further OUs the user belongs to. */
  organizationalUnitIds?: string[];
}

export interface EmulatorStateOptions {
  instanceIds: readonly string[];
  users?: readonly SeedUser[];
  customFields?: readonly CustomFieldDefinition[];
  organizationalUnits?: readonly SeedOrganizationalUnit[];
  now?: () => number;
}

/** Everything the emulator knows: users, custom field definitions, fault settings and the request log. */
export class EmulatorState {
  readonly instanceIds: readonly string[];
  readonly requestLog: RequestLogEntry[] = [];
  /** Internal stores, used by the action handlers. */
  readonly directory = new UserDirectory();
  readonly customFields = new CustomFieldCatalog();
  readonly organizationalUnits: OrganizationalUnitCatalog;
  readonly faultController = new FaultController();
  /** CreateUser ClientToken → the user id it created. */
  readonly clientTokens = new Map<string, string>();
  readonly now: () => number;
  private readonly seedFields: CustomFieldDefinition[];
  private readonly seedUsers: EmulatorUser[];
  private readonly seedUnits: readonly SeedOrganizationalUnit[];

  constructor(options: EmulatorStateOptions) {
    if (options.instanceIds.length === 0) throw new Error("instanceIds must name at least one instance.");
    this.instanceIds = [...options.instanceIds];
    this.now = options.now ?? Date.now;
    this.organizationalUnits = new OrganizationalUnitCatalog(this.now);
    this.seedUnits = [...(options.organizationalUnits ?? [])];
    this.loadOrganizationalUnits();
    this.seedFields = (options.customFields ?? []).map((definition) => this.customFields.define(definition));
    for (const seed of options.users ?? []) this.seedUser(seed);
    this.seedUsers = this.directory.list();
  }

  private loadOrganizationalUnits(): void {
    this.organizationalUnits.clear();
    for (const instanceId of this.instanceIds) this.organizationalUnits.addRoot(instanceId);
    for (const seed of this.seedUnits) this.seedOrganizationalUnit(seed);
  }

  seedOrganizationalUnit(seed: SeedOrganizationalUnit): EmulatorOrganizationalUnit {
    const instanceId = seed.instanceId ?? this.instanceIds[0] ?? "";
    if (!this.hasInstance(instanceId)) {
      throw new Error(`organizational unit ${seed.name}: unknown instanceId "${instanceId}".`);
    }
    return this.organizationalUnits.add(seed, instanceId);
  }

  listOrganizationalUnits(): EmulatorOrganizationalUnit[] {
    return this.organizationalUnits.list();
  }

  hasInstance(instanceId: string): boolean {
    return this.instanceIds.includes(instanceId);
  }

  listUsers(): EmulatorUser[] {
    return this.directory.list();
  }

  getUser(userId: string): EmulatorUser | undefined {
    return this.directory.get(userId);
  }

  seedUser(seed: SeedUser): EmulatorUser {
    const instanceId = seed.instanceId ?? this.instanceIds[0] ?? "";
    if (!this.hasInstance(instanceId))
      throw new Error(`seed user ${seed.username}: unknown instanceId "${instanceId}".`);
    if (typeof seed.username !== "string" || seed.username === "")
      throw new Error("seed user: username is required.");
    const userId = seed.userId ?? newEntityId("user_");
    if (this.directory.has(userId))
      throw new Error(`seed user ${seed.username}: userId "${userId}" already exists.`);
    for (const [fieldName, value] of Object.entries(seed.customFields ?? {})) {
      const violation = this.customFields.violation(fieldName, value);
      if (violation !== undefined) throw new Error(`seed user ${seed.username}: customFields: ${violation}.`);
    }
    const userSourceType = seed.userSourceType ?? "build_in";
    const userSourceId = seed.userSourceId ?? instanceId;
    const userExternalId = seed.userExternalId ?? userId;
    assertUnique(this.directory, instanceId, undefined, {
      username: seed.username,
      ...(seed.email !== undefined ? { email: seed.email } : {}),
      ...(seed.phoneNumber !== undefined
        ? { phone: { region: seed.phoneRegion ?? "86", number: seed.phoneNumber } }
        : {}),
      externalId: { sourceType: userSourceType, sourceId: userSourceId, externalId: userExternalId },
    });
    const primaryOu = seed.primaryOrganizationalUnitId ?? rootOrganizationalUnitId(instanceId);
    for (const ou of [primaryOu, ...(seed.organizationalUnitIds ?? [])]) {
      if (this.organizationalUnits.get(instanceId, ou) === undefined) {
        throw new Error(`seed user ${seed.username}: organizational unit "${ou}" does not exist.`);
      }
    }
    const now = this.now();
    const user: EmulatorUser = {
      userId,
      instanceId,
      username: seed.username,
      ...(seed.displayName !== undefined ? { displayName: seed.displayName } : {}),
      ...(seed.description !== undefined ? { description: seed.description } : {}),
      ...(seed.email !== undefined ? { email: seed.email } : {}),
      emailVerified: seed.emailVerified ?? false,
      ...(seed.phoneNumber !== undefined
        ? { phoneRegion: seed.phoneRegion ?? "86", phoneNumber: seed.phoneNumber }
        : {}),
      phoneNumberVerified: seed.phoneNumberVerified ?? false,
      passwordSet: false,
      status: seed.status ?? "enabled",
      userExternalId,
      userSourceType,
      userSourceId,
      primaryOrganizationalUnitId: primaryOu,
      organizationalUnitIds: [...new Set([primaryOu, ...(seed.organizationalUnitIds ?? [])])],
      createTime: now,
      updateTime: now,
      registerTime: now,
      passwordExpireTime: -1,
      customFields: { ...(seed.customFields ?? {}) },
    };
    this.directory.put(user);
    return cloneUser(user);
  }

  defineCustomField(definition: CustomFieldDefinition): CustomFieldDefinition {
    return this.customFields.define(definition);
  }

  listCustomFields(): CustomFieldDefinition[] {
    return this.customFields.list();
  }

  get faults(): FaultSettings {
    return this.faultController.settings;
  }

  /** Replaces all fault settings (fields not given take their defaults). Throws on a bad value. */
  setFaults(settings: Partial<FaultSettings>): FaultSettings {
    return this.faultController.replace(settings);
  }

  /** Changes only the given fault settings. */
  updateFaults(patch: Partial<FaultSettings>): FaultSettings {
    return this.faultController.update(patch);
  }

  clearFaults(): void {
    this.faultController.reset();
  }

  clearRequestLog(): void {
    this.requestLog.length = 0;
  }

  /** Back to the start-up seed: users and custom fields as seeded, no faults, empty request log. */
  reset(): void {
    this.customFields.clear();
    for (const definition of this.seedFields) this.customFields.define(definition);
    this.loadOrganizationalUnits();
    this.directory.clear();
    for (const user of this.seedUsers) this.directory.put(user);
    this.clientTokens.clear();
    this.faultController.reset();
    this.clearRequestLog();
  }
}
