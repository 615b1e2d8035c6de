import { noPositionals, parseCommandArgs } from "../args.ts";
import type { Command } from "../command.ts";
import { allMessages, openDlq } from "../dlq/open.ts";
import { release } from "../dlq/queue-reader.ts";
import { type DlqStatus, dlqStatus, formatAge } from "../dlq/status.ts";
import { renderTable } from "../dlq/table.ts";
import { println } from "../io.ts";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS } from "../target.ts";
import { READ_HELP, READ_OPTIONS, readSettings } from "./dlq-list.ts";

function report(status: DlqStatus): string {
  if (status.deadLetters === 0) return `no dead letters in ${status.queue}`;
  const table = renderTable(status.groups, [
    { title: "STAGE", value: (g) => g.stage },
    { title: "CODE", value: (g) => g.code, max: 48 },
    { title: "COUNT", value: (g) => String(g.count) },
    { title: "OLDEST", value: (g) => `${formatAge(g.oldestAgeSeconds)} (${g.oldestAt.slice(0, 19)}Z)` },
  ]);
  const oldest =
    status.oldestAgeSeconds === undefined ? "" : `, the oldest ${formatAge(status.oldestAgeSeconds)} old`;
  return `${status.queue}: ${status.deadLetters} dead letter(s)${oldest}\n\n${table}\n\nList them: eiam-user-sync dlq list [--filter stage=… --filter code=…]`;
}

export const status: Command = {
  name: "status",
  help: `Usage: eiam-user-sync status [--json] [options]

What the dead-letter queue holds: how many dead letters, grouped by stage and code, and how old the oldest of
each group is (from the record's failedAt, else when its message reached the queue). Nothing is consumed:
like \`dlq list\`, it receives each message and makes it visible again at once (ChangeMessageVisibility, 1 s),
because MNS's PeekMessage shows only the first 16 messages; each read counts in MNS's DequeueCount.

  --json                  one JSON object: {queue, deadLetters, messages, unread, oldestAt, oldestAgeSeconds,
                          groups: [{stage, code, count, oldestAt, oldestAgeSeconds}]}

${READ_HELP}

${TARGET_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs("status", argv, {
      ...TARGET_OPTIONS,
      ...READ_OPTIONS,
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      println(io.stdout, this.help);
      return 0;
    }
    noPositionals("status", positionals);
    const target = resolveTarget(values, io);
    const dlq = await openDlq(target, readSettings(values));
    try {
      const result = dlqStatus(dlq.queue, dlq.entries, dlq.missing, Date.now());
      println(io.stdout, values.json ? JSON.stringify(result) : report(result));
      if (dlq.missing > 0) {
        println(io.stderr, `note: ${dlq.missing} message(s) are held by another reader and were not counted`);
      }
      return 0;
    } finally {
      await release(dlq.client, dlq.queue, allMessages(dlq));
    }
  },
};
