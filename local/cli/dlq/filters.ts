/**
 * `--filter KEY=VALUE` for dead-letter entries. Values match exactly, `*` matches any run of characters.
 * Several filters on the same key: any of them; on different keys: all of them.
 */
import { UsageError } from "../io.ts";
import type { EntrySummary } from "./summary.ts";

const KEYS = {
  id: (s: EntrySummary) => s.messageIds,
  kind: (s: EntrySummary) => [s.kind],
  stage: (s: EntrySummary) => [s.stage],
  code: (s: EntrySummary) => [s.code],
  trigger: (s: EntrySummary) => s.trigger?.split(",") ?? [],
  event: (s: EntrySummary) => [s.eventId],
  user: (s: EntrySummary) => [s.userId, s.user],
  source: (s: EntrySummary) => [s.source],
} satisfies Record<string, (s: EntrySummary) => Array<string | undefined>>;

type FilterKey = keyof typeof KEYS;

const ALIASES: Record<string, FilterKey> = {
  eventId: "event",
  "event-id": "event",
  userId: "user",
  "user-id": "user",
};

export const FILTER_HELP = `Filters (--filter KEY=VALUE, repeatable; * is a wildcard; same key: any, different keys: all):
  id        the MNS message id (any part of a multi-part record)
  kind      record | fc-failure | raw | incomplete
  stage     decode | authenticate | validate | resolve | apply (our records); invoke (FC failure records);
            trigger (raw messages)
  code      the error code, e.g. InvalidParameter.CustomFields.FieldName, InvalidEvent, UserNotFound
  trigger   http | mns-queue | mns-topic | rocketmq | kafka | rabbitmq | direct
  event     the event id
  user      the EIAM user id, or the key the event used (email:…, externalId:…, phone:…, username:…)
  source    the event's source, e.g. workday`;

export interface EntryFilter {
  key: FilterKey;
  pattern: RegExp;
  text: string;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "s");
}

export function parseFilter(text: string): EntryFilter {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new UsageError(`--filter must be KEY=VALUE; got '${text}'`);
  const rawKey = text.slice(0, eq).trim();
  const key = (rawKey in KEYS ? rawKey : ALIASES[rawKey]) as FilterKey | undefined;
  if (key === undefined) {
    throw new UsageError(`--filter: unknown key '${rawKey}'; use one of ${Object.keys(KEYS).join(", ")}`);
  }
  return { key, pattern: globToRegExp(text.slice(eq + 1)), text };
}

export function matchesFilters(summary: EntrySummary, filters: readonly EntryFilter[]): boolean {
  const byKey = new Map<FilterKey, EntryFilter[]>();
  for (const f of filters) byKey.set(f.key, [...(byKey.get(f.key) ?? []), f]);
  for (const [key, group] of byKey) {
    const values = KEYS[key](summary).filter((v): v is string => v !== undefined);
    if (!group.some((f) => values.some((v) => f.pattern.test(v)))) return false;
  }
  return true;
}
