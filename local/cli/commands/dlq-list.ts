import { noPositionals, parseCommandArgs } from "../args.ts";
import type { Command } from "../command.ts";
import { FILTER_HELP, matchesFilters, parseFilter } from "../dlq/filters.ts";
import { allMessages, openDlq, unreadNote } from "../dlq/open.ts";
import { release } from "../dlq/queue-reader.ts";
import type { EntrySummary } from "../dlq/summary.ts";
import { type Column, renderTable } from "../dlq/table.ts";
import { println, UsageError } from "../io.ts";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS } from "../target.ts";

export const READ_OPTIONS = {
  wait: { type: "string" },
  max: { type: "string" },
} as const;

export const READ_HELP = `Reading:
  --wait SECONDS          keep polling this long for messages that are hidden right now (default 3)
  --max N                 read at most N messages (default 1000)`;

export function readSettings(values: { wait?: string; max?: string }): { waitSeconds: number; max: number } {
  const waitSeconds = values.wait === undefined ? 3 : Number(values.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0 || waitSeconds > 60) {
    throw new UsageError(`--wait must be a number of seconds from 0 to 60; got '${values.wait}'`);
  }
  const max = values.max === undefined ? 1000 : Number(values.max);
  if (!Number.isInteger(max) || max < 1)
    throw new UsageError(`--max must be a whole number ≥ 1; got '${values.max}'`);
  return { waitSeconds, max };
}

const COLUMNS: ReadonlyArray<Column<EntrySummary>> = [
  { title: "ID", value: (s) => s.id },
  { title: "FAILED AT", value: (s) => s.failedAt?.replace(/\.\d{3}Z$/, "Z") },
  { title: "TRIGGER", value: (s) => s.trigger, max: 12 },
  { title: "EVENT", value: (s) => s.eventId, max: 28 },
  { title: "USER", value: (s) => s.user, max: 32 },
  { title: "STAGE", value: (s) => s.stage },
  { title: "CODE", value: (s) => s.code, max: 40 },
  { title: "MESSAGE", value: (s) => s.message, max: 60 },
];

export function summaryTable(summaries: readonly EntrySummary[]): string {
  return renderTable(summaries, COLUMNS);
}

export const dlqList: Command = {
  name: "dlq list",
  help: `Usage: eiam-user-sync dlq list [--json] [--filter KEY=VALUE …] [options]

Lists the dead-letter queue: our dead-letter records (plain, gzip and multi-part ones are joined), FC's async
failure records, and raw messages. Listing receives each message and makes it visible again at once
(ChangeMessageVisibility, 1 s), so nothing is consumed; it does count as a delivery in MNS's DequeueCount.

  --json                  one JSON object per line instead of the table
  --filter KEY=VALUE      only matching entries (see below)

${READ_HELP}

${FILTER_HELP}

${TARGET_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs("dlq list", argv, {
      ...TARGET_OPTIONS,
      ...READ_OPTIONS,
      json: { type: "boolean" },
      filter: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      println(io.stdout, this.help);
      return 0;
    }
    noPositionals("dlq list", positionals);
    const filters = (values.filter ?? []).map(parseFilter);
    const settings = readSettings(values);
    const target = resolveTarget(values, io);
    const dlq = await openDlq(target, settings);
    try {
      const shown = dlq.entries.filter((e) => matchesFilters(e.summary, filters)).map((e) => e.summary);
      if (values.json) {
        for (const summary of shown) println(io.stdout, JSON.stringify(summary));
      } else if (shown.length === 0) {
        println(
          io.stdout,
          `no dead letters in ${dlq.queue}${filters.length > 0 ? " match the filters" : ""}`,
        );
      } else {
        println(io.stdout, summaryTable(shown));
        println(io.stdout);
        println(
          io.stdout,
          `${shown.length} of ${dlq.entries.length} dead letter(s) in ${dlq.queue}. ` +
            "Details: eiam-user-sync dlq show ID",
        );
      }
      // Never truncate silently: what was not read is said where the list is (stdout), or on stderr with --json.
      const note = unreadNote(dlq);
      if (note !== undefined) println(values.json ? io.stderr : io.stdout, `not shown: ${note}`);
      return 0;
    } finally {
      await release(dlq.client, dlq.queue, allMessages(dlq));
    }
  },
};
