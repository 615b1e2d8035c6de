/**
 * An in-memory ScimBackend: the seam's contract, not our I/O. It holds EIAM-shaped users, records every
 * intent, and applies it the way the pipeline is specified to: a field equal to what EIAM holds is a noop,
 * an intent older (by occurredAt) than the last write of a field is stale for that field.
 */
import type { EiamUser } from "../../shared/eiam/types.ts";
import type { EventOutcome } from "../../shared/pipeline/outcome.ts";
import type { ScimBackend, ScimIntent, UserPage, UserQuery } from "../../shared/scim/index.ts";

export class MemoryScimBackend implements ScimBackend {
  readonly users = new Map<string, EiamUser>();
  readonly intents: ScimIntent[] = [];
  /** Writes that reached "EIAM", one entry per changed field. */
  readonly writes: Array<{ userId: string; field: string; value: unknown }> = [];
  /** The next apply answers this instead (then it is cleared). */
  nextOutcome: Partial<EventOutcome> | undefined;
  /** getUser/findUsers throw this while set. */
  failReads: unknown;
  private readonly lastWrite = new Map<string, number>();
  private clock = Date.UTC(2026, 0, 1);
  private created = 0;

  constructor(users: EiamUser[] = []) {
    for (const user of users) this.users.set(user.UserId, { ...user });
  }

  async getUser(id: string): Promise<EiamUser | undefined> {
    if (this.failReads !== undefined) throw this.failReads;
    const user = this.users.get(id);
    return user === undefined ? undefined : structuredClone(user);
  }

  async findUsers(query: UserQuery, page: { startIndex: number; count: number }): Promise<UserPage> {
    if (this.failReads !== undefined) throw this.failReads;
    const matches = [...this.users.values()].filter(
      (u) =>
        (query.id === undefined || u.UserId === query.id) &&
        (query.userName === undefined || u.Username === query.userName) &&
        (query.externalId === undefined || u.UserExternalId === query.externalId) &&
        (query.email === undefined || u.Email?.toLowerCase() === query.email.toLowerCase()),
    );
    const start = page.startIndex - 1;
    return {
      totalResults: matches.length,
      users: matches.slice(start, start + page.count).map((u) => structuredClone(u)),
    };
  }

  async apply(intent: ScimIntent): Promise<EventOutcome> {
    this.intents.push(structuredClone(intent));
    const base = { deliveryId: intent.eventId, eventId: intent.eventId };
    if (this.nextOutcome !== undefined) {
      const outcome = { status: "applied" as const, ...base, ...this.nextOutcome };
      this.nextOutcome = undefined;
      return outcome;
    }
    if (intent.action === "create") return this.create(intent, base);
    const userId = "userId" in intent.user ? intent.user.userId : "";
    const user = this.users.get(userId);
    if (user === undefined)
      return {
        status: "dead_lettered",
        ...base,
        error: { stage: "resolve", code: "UserNotFound", message: "no user", retryable: false },
      };
    if (intent.action === "delete") {
      user.Status = "disabled";
      this.writes.push({ userId, field: "status", value: "disabled" });
      return { status: "applied", ...base, userId };
    }
    const at = Date.parse(intent.occurredAt);
    const fields: string[] = [];
    const staleFields: string[] = [];
    const set = (field: string, current: unknown, value: unknown, write: () => void) => {
      const key = `${userId}/${field}`;
      if ((this.lastWrite.get(key) ?? 0) > at) {
        staleFields.push(field);
        return;
      }
      this.lastWrite.set(key, at);
      if (current === value) return;
      write();
      fields.push(field);
      this.writes.push({ userId, field, value });
    };
    const { changes } = intent;
    if (changes.username !== undefined)
      set("username", user.Username, changes.username, () => {
        user.Username = changes.username;
      });
    if (changes.displayName !== undefined)
      set("displayName", user.DisplayName, changes.displayName, () => {
        user.DisplayName = changes.displayName;
      });
    if (changes.email !== undefined)
      set("email", user.Email, changes.email, () => {
        user.Email = changes.email;
      });
    if (changes.phone !== undefined) {
      const digits = changes.phone.replace(/\D/g, "");
      const number = digits.startsWith("86") ? digits.slice(2) : digits;
      set("phone", user.PhoneNumber, number, () => {
        user.PhoneRegion = "86";
        user.PhoneNumber = number;
      });
    }
    for (const [name, value] of Object.entries(changes.customFields ?? {})) {
      const fieldsNow = user.CustomFields ?? [];
      const current = fieldsNow.find((f) => f.FieldName === name)?.FieldValue;
      set(`customFields.${name}`, current, value ?? undefined, () => {
        const others = fieldsNow.filter((f) => f.FieldName !== name);
        user.CustomFields = value === null ? others : [...others, { FieldName: name, FieldValue: value }];
      });
    }
    if (intent.status !== undefined)
      set("status", user.Status, intent.status, () => {
        user.Status = intent.status;
      });
    if (fields.length > 0) user.UpdateTime = this.clock += 1000;
    const status = fields.length > 0 ? "applied" : staleFields.length > 0 ? "stale" : "noop";
    return { status, ...base, userId, fields, ...(staleFields.length > 0 ? { staleFields } : {}) };
  }

  private create(intent: ScimIntent, base: { deliveryId: string; eventId: string }): EventOutcome {
    this.created += 1;
    this.clock += 1000;
    const userId = `user_created${String(this.created).padStart(4, "0")}`;
    const { changes } = intent;
    const user: EiamUser = {
      UserId: userId,
      Username: changes.username,
      Status: intent.status ?? "enabled",
      CreateTime: this.clock,
      ...(changes.displayName === undefined ? {} : { DisplayName: changes.displayName }),
      ...(changes.email === undefined ? {} : { Email: changes.email }),
      ...(intent.externalId === undefined ? {} : { UserExternalId: intent.externalId }),
    };
    this.users.set(userId, user);
    this.writes.push({ userId, field: "create", value: changes.username });
    return { status: "applied", ...base, userId };
  }
}
