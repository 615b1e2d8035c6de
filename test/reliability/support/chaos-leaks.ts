/**
 * The leak scan of a chaos run: every log line and every dead-letter record, searched for the run's secrets
 * and for the personal data its events carried, as written and percent-decoded (a URL quoted in an error). Patterns, not one needle per value, so the scan stays linear
 * in the text at any scale: the run's emails all look like `c<user>.e<event>@…` (masked: `c***@…`), its phones
 * `+86 139 UUUU EEEE`, and its names come from a fixed list.
 */
import type { DeadLetterRecord } from "../../../shared/dead-letter/record.ts";
import type { ChaosPlan } from "./chaos-plan.ts";
import { findLeaks, secretNeedles } from "./leak-scan.ts";

export interface Leak {
  where: string;
  what: string;
  /** Up to 160 characters around the first one. */
  sample: string;
}

const EMAIL_LOCAL_PART = /(?<![0-9A-Za-z])c\d{1,6}\.e\d{1,6}@/;
// A phone written in any of the usual ways: 11 digits starting 139, with or without separators, standing
// alone (not inside a longer id such as a request id's hex).
const PHONE = /(?<![0-9A-Za-z])139[\s.-]?\d{4}[\s.-]?\d{4}(?![0-9A-Za-z])/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Every name the plan gave a user, as one alternation of literals (no quantifiers: linear). */
function namePattern(plan: ChaosPlan): RegExp {
  const names = new Set<string>();
  for (const event of plan.events) {
    try {
      const name = (JSON.parse(event.body) as { changes?: { displayName?: unknown } }).changes?.displayName;
      if (typeof name === "string") names.add(name);
    } catch {
      // garbage: carries no name
    }
  }
  return new RegExp([...names].map(escapeRegExp).join("|"), "i");
}

/** Percent-encoded runs decoded (an SDK error quoting its request URL holds `Amara%20O%27Neil`, `%40`). */
function percentDecoded(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function around(text: string, index: number): string {
  return text.slice(Math.max(0, index - 60), index + 100);
}

export function scanForLeaks(
  plan: ChaosPlan,
  secrets: Record<string, string>,
  texts: ReadonlyArray<{ where: string; text: string; look?: "secrets" | "personal data" | "both" }>,
): Leak[] {
  const needles = secretNeedles(secrets);
  const names = namePattern(plan);
  const leaks: Leak[] = [];
  for (const { where, text: raw, look = "both" } of texts) {
    const text = raw.includes("%") ? percentDecoded(raw) : raw;
    for (const label of look === "personal data" ? [] : findLeaks(text, needles)) {
      const at = text.toLowerCase().indexOf(needles.find((n) => n.label === label)!.text.toLowerCase());
      leaks.push({ where, what: `secret: ${label}`, sample: around(text, at) });
    }
    if (look === "secrets") continue;
    for (const [what, pattern] of [
      ["unmasked email", EMAIL_LOCAL_PART],
      ["unmasked phone", PHONE],
      ["person's name", names],
    ] as const) {
      const match = pattern.exec(text);
      if (match) leaks.push({ where, what, sample: around(text, match.index) });
    }
  }
  return leaks;
}

/**
 * A record without the event it carries (`delivery.original`, `change`, `userKey`, and `eventId`, the
 * producer's own id): an operator needs those to redrive and find it, so they hold the event's data as it was
 * sent. Everything else (the error, its message and problems) is what people read and copy into tickets.
 */
export function recordWithoutPayload(record: DeadLetterRecord): unknown {
  const { delivery, change: _change, userKey: _userKey, eventId: _eventId, ...rest } = record;
  const { original: _original, ...deliveryRest } = delivery;
  return { ...rest, delivery: deliveryRest };
}
