/** What the dead-letter queue holds, grouped by stage and code, with the oldest age of each group. */
import type { DlqEntry } from "./entries.ts";
import type { EntrySummary } from "./summary.ts";

export interface StatusGroup {
  stage: string;
  code: string;
  count: number;
  /** When the oldest entry of the group failed (ISO 8601). */
  oldestAt: string;
  oldestAgeSeconds: number;
}

export interface DlqStatus {
  queue: string;
  deadLetters: number;
  messages: number;
  /** Messages the queue holds that could not be read now (hidden by another reader or a redrive). */
  unread: number;
  oldestAt?: string;
  oldestAgeSeconds?: number;
  groups: StatusGroup[];
}

/** When an entry failed: the record's `failedAt`, else when its first message reached the queue. */
function failedAtMs(entry: DlqEntry, summary: EntrySummary): number {
  const stated = summary.failedAt === undefined ? Number.NaN : Date.parse(summary.failedAt);
  if (Number.isFinite(stated)) return stated;
  return Math.min(...entry.messages.map((m) => m.enqueueTime));
}

export function dlqStatus(
  queue: string,
  entries: ReadonlyArray<{ entry: DlqEntry; summary: EntrySummary }>,
  unread: number,
  now: number,
): DlqStatus {
  const groups = new Map<string, { stage: string; code: string; count: number; oldest: number }>();
  for (const { entry, summary } of entries) {
    const stage = summary.stage ?? "-";
    const code = summary.code ?? "-";
    const key = `${stage}\n${code}`;
    const at = failedAtMs(entry, summary);
    const group = groups.get(key) ?? { stage, code, count: 0, oldest: at };
    group.count += 1;
    group.oldest = Math.min(group.oldest, at);
    groups.set(key, group);
  }
  const age = (at: number) => Math.max(0, Math.round((now - at) / 1000));
  const rows = [...groups.values()]
    .sort((a, b) => b.count - a.count || a.oldest - b.oldest)
    .map((g) => ({
      stage: g.stage,
      code: g.code,
      count: g.count,
      oldestAt: new Date(g.oldest).toISOString(),
      oldestAgeSeconds: age(g.oldest),
    }));
  const oldest = Math.min(...[...groups.values()].map((g) => g.oldest));
  return {
    queue,
    deadLetters: entries.length,
    messages: entries.reduce((n, e) => n + e.entry.messages.length, 0),
    unread,
    ...(rows.length > 0 ? { oldestAt: new Date(oldest).toISOString(), oldestAgeSeconds: age(oldest) } : {}),
    groups: rows,
  };
}

/** `3d 4h`, `2h 5m`, `7m 12s`, `40s`. */
export function formatAge(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}
