import { createHash, randomBytes } from "node:crypto";

export type UserStatus = "enabled" | "disabled";

/** The emulator's record of one EIAM user (camelCase; the API views are built in user-views.ts). */
export interface EmulatorUser {
  userId: string;
  instanceId: string;
  username: string;
  displayName?: string;
  description?: string;
  email?: string;
  emailVerified: boolean;
  phoneRegion?: string;
  phoneNumber?: string;
  phoneNumberVerified: boolean;
  passwordSet: boolean;
  status: UserStatus;
  userExternalId: string;
  userSourceType: string;
  userSourceId: string;
  primaryOrganizationalUnitId: string;
  /** Every OU the user belongs to, the primary one included, in the order joined. */
  organizationalUnitIds: string[];
  /** Unix milliseconds. */
  createTime: number;
  updateTime: number;
  registerTime: number;
  /** -1 means "never expires". */
  passwordExpireTime: number;
  customFields: Record<string, string>;
}

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `prefix` + 26 lowercase alphanumerics, like `user_d6sbsuumeta4h66ec3il7yxxxx`. */
export function newEntityId(prefix: string): string {
  const bytes = randomBytes(26);
  let id = prefix;
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

/** Every instance has one root organizational unit; its id is derived from the instance id so it is stable. */
export function rootOrganizationalUnitId(instanceId: string): string {
  const digest = createHash("sha256").update(instanceId).digest();
  let id = "ou_";
  for (let i = 0; i < 26; i += 1) id += ID_ALPHABET[(digest[i] ?? 0) % ID_ALPHABET.length];
  return id;
}

export function cloneUser(user: EmulatorUser): EmulatorUser {
  return {
    ...user,
    organizationalUnitIds: [...user.organizationalUnitIds],
    customFields: { ...user.customFields },
  };
}

const sameText = (a: string | undefined, b: string): boolean =>
  a !== undefined && a.toLowerCase() === b.toLowerCase();

/** The user records, in creation order, with the lookups uniqueness checks need. */
export class UserDirectory {
  private readonly users = new Map<string, EmulatorUser>();

  list(): EmulatorUser[] {
    return [...this.users.values()].map(cloneUser);
  }

  get(userId: string): EmulatorUser | undefined {
    const user = this.users.get(userId);
    return user ? cloneUser(user) : undefined;
  }

  has(userId: string): boolean {
    return this.users.has(userId);
  }

  /** Inserts or replaces the record (stored as a copy). */
  put(user: EmulatorUser): void {
    this.users.set(user.userId, cloneUser(user));
  }

  delete(userId: string): void {
    this.users.delete(userId);
  }

  clear(): void {
    this.users.clear();
  }

  /** Usernames compare case-insensitively within an instance (UNCONFIRMED, see README). */
  findByUsername(instanceId: string, username: string): EmulatorUser | undefined {
    return this.find((user) => user.instanceId === instanceId && sameText(user.username, username));
  }

  findByEmail(instanceId: string, email: string): EmulatorUser | undefined {
    return this.find((user) => user.instanceId === instanceId && sameText(user.email, email));
  }

  findByPhone(instanceId: string, phoneRegion: string, phoneNumber: string): EmulatorUser | undefined {
    return this.find(
      (user) =>
        user.instanceId === instanceId &&
        user.phoneRegion === phoneRegion &&
        user.phoneNumber === phoneNumber,
    );
  }

  findByExternalId(
    instanceId: string,
    userSourceType: string,
    userSourceId: string,
    userExternalId: string,
  ): EmulatorUser | undefined {
    return this.find(
      (user) =>
        user.instanceId === instanceId &&
        user.userSourceType === userSourceType &&
        user.userSourceId === userSourceId &&
        user.userExternalId === userExternalId,
    );
  }

  private find(predicate: (user: EmulatorUser) => boolean): EmulatorUser | undefined {
    for (const user of this.users.values()) {
      if (predicate(user)) return cloneUser(user);
    }
    return undefined;
  }
}
