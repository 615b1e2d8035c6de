/**
 * The benchmark's event stream: N users, 10 canonical events each, in time order per user, users interleaved
 * at random (seeded, so every run sends the same stream), plus the oracle (each user's final state) and the
 * UpdateUser parameters a bare SDK client would send for each event. Every value an event sets carries its
 * revision (`rev 3`, `.r3@`, `-r3`, the phone's last digit), so the request log shows which event wrote it.
 */

export const EVENTS_PER_USER = 10;
export const BENCH_INSTANCE_ID = "idaas_local_demo";
export const BENCH_CREDENTIALS = { accessKeyId: "LTAI_local_demo", accessKeySecret: "local-demo-secret" };
export const BENCH_CUSTOM_FIELDS = [
  { fieldName: "department", maxLength: 64 },
  { fieldName: "cost_center", maxLength: 32 },
];
/** Fixed so that every run sends the same events; far enough in the past to be unremarkable. */
const STREAM_START_MS = Date.UTC(2026, 0, 5, 8, 0, 0);

export interface BenchUserState {
  displayName: string;
  email?: string;
  phoneRegion?: string;
  phoneNumber?: string;
  customFields: Record<string, string>;
}

export interface BenchEvent {
  /** Index of the user (0-based) and of the event within that user's history (0-based). */
  user: number;
  revision: number;
  userId: string;
  /** The canonical event (v1) as an HR system would send it. */
  canonical: Record<string, unknown>;
  /** What this event sets, in EIAM's terms (phone split into region and national number). */
  sets: BenchUserState;
}

export interface SeedUser {
  userId: string;
  username: string;
  displayName: string;
  email: string;
  emailVerified: boolean;
}

/** mulberry32: a small seeded generator, good enough to shuffle a workload reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `user_` + 26 lowercase letters and digits, like a real EIAM id; `group` keeps warm-up users apart. */
export function benchUserId(user: number, group = "bench"): string {
  return `user_${group}${String(user).padStart(26 - group.length, "0")}`;
}

export function seedUsers(count: number, group = "bench"): SeedUser[] {
  return Array.from({ length: count }, (_, user) => ({
    userId: benchUserId(user, group),
    username: `${group}.u${user}`,
    displayName: `${group} user ${user}`,
    email: `${group}.u${user}@example.com`,
    emailVerified: true,
  }));
}

/** A Chinese mobile number that libphonenumber's full metadata accepts, unique per (group, user, revision). */
function phoneOf(groupIndex: number, user: number, revision: number): { e164: string; national: string } {
  const national = `1${56 + groupIndex}${String(user * EVENTS_PER_USER + revision).padStart(8, "0")}`;
  return { e164: `+86 ${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}`, national };
}

function eventFor(
  group: string,
  groupIndex: number,
  user: number,
  revision: number,
  streamIndex: number,
): BenchEvent {
  const userId = benchUserId(user, group);
  const sets: BenchUserState = {
    displayName: `${group} user ${user} rev ${revision}`,
    customFields: {
      department: `dept-${(user + revision) % 40}-r${revision}`,
      cost_center: `cc-r${revision}`,
    },
  };
  const changes: Record<string, unknown> = {
    displayName: sets.displayName,
    customFields: { ...sets.customFields },
  };
  // A realistic HR mix: most events rename or move people; some change the email or the phone too.
  if (revision % 3 === 0) {
    sets.email = `${group}.u${user}.r${revision}@example.com`;
    changes.email = sets.email;
  }
  if (revision % 5 === 2) {
    const phone = phoneOf(groupIndex, user, revision);
    sets.phoneRegion = "86";
    sets.phoneNumber = phone.national;
    changes.phone = phone.e164;
  }
  return {
    user,
    revision,
    userId,
    sets,
    canonical: {
      id: `${group}-u${user}-r${revision}`,
      source: "bench-hr",
      occurredAt: new Date(STREAM_START_MS + streamIndex * 1000).toISOString(),
      user: { userId },
      changes,
    },
  };
}

/**
 * `users` × 10 events. The stream is a seeded shuffle of user slots; a user's n-th slot carries its n-th
 * event, and event times follow the stream, so each user's events are in time order and users interleave.
 */
export function generateStream(users: number, options: { group?: string; seed?: number } = {}): BenchEvent[] {
  const group = options.group ?? "bench";
  const groupIndex = group === "bench" ? 0 : 1;
  const random = seededRandom(options.seed ?? 20260105);
  const slots = Array.from({ length: users * EVENTS_PER_USER }, (_, i) => i % users);
  for (let i = slots.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  const nextRevision = new Array<number>(users).fill(0);
  return slots.map((user, streamIndex) => {
    const revision = nextRevision[user]!;
    nextRevision[user] = revision + 1;
    return eventFor(group, groupIndex, user, revision, streamIndex);
  });
}

/** Each user's expected final state: every field as the latest event that set it left it. */
export function oracle(events: readonly BenchEvent[]): Map<string, BenchUserState> {
  const latest = new Map<string, { revision: number; state: BenchUserState }>();
  const sorted = [...events].sort((a, b) => a.revision - b.revision);
  for (const ev of sorted) {
    const prev = latest.get(ev.userId);
    const state: BenchUserState = prev
      ? { ...prev.state, customFields: { ...prev.state.customFields } }
      : { displayName: "", customFields: {} };
    state.displayName = ev.sets.displayName;
    if (ev.sets.email !== undefined) state.email = ev.sets.email;
    if (ev.sets.phoneNumber !== undefined) {
      state.phoneRegion = ev.sets.phoneRegion;
      state.phoneNumber = ev.sets.phoneNumber;
    }
    Object.assign(state.customFields, ev.sets.customFields);
    latest.set(ev.userId, { revision: ev.revision, state });
  }
  return new Map([...latest].map(([userId, { state }]) => [userId, state]));
}

/** The UpdateUser query a plain SDK caller sends for this event (same wire parameters as the function's). */
export function updateUserParams(ev: BenchEvent): Record<string, unknown> {
  const params: Record<string, unknown> = {
    InstanceId: BENCH_INSTANCE_ID,
    UserId: ev.userId,
    DisplayName: ev.sets.displayName,
  };
  if (ev.sets.email !== undefined) {
    params.Email = ev.sets.email;
    params.EmailVerified = true;
  }
  if (ev.sets.phoneNumber !== undefined) {
    params.PhoneRegion = ev.sets.phoneRegion;
    params.PhoneNumber = ev.sets.phoneNumber;
    params.PhoneNumberVerified = true;
  }
  params.CustomFields = Object.entries(ev.sets.customFields).map(([FieldName, FieldValue]) => ({
    FieldName,
    FieldValue,
    Operation: "replace",
  }));
  return params;
}

/** Consecutive slices of `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
