import { exactlyOnePositional, parseCommandArgs } from "../args.ts";
import type { Command } from "../command.ts";
import type { DlqEntry } from "../dlq/entries.ts";
import { allMessages, openDlq } from "../dlq/open.ts";
import { release } from "../dlq/queue-reader.ts";
import { CliError, println } from "../io.ts";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS } from "../target.ts";
import { READ_HELP, READ_OPTIONS, readSettings } from "./dlq-list.ts";

function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The entry's content, with embedded JSON strings (FC's payloads) opened up for reading. */
function content(entry: DlqEntry): unknown {
  switch (entry.kind) {
    case "record":
      return entry.record;
    case "fc-failure":
      return {
        ...entry.record,
        requestPayload: parsedOrText(entry.record.requestPayload),
        ...(entry.record.responsePayload !== undefined
          ? { responsePayload: parsedOrText(entry.record.responsePayload) }
          : {}),
      };
    case "raw":
      return parsedOrText(entry.body);
    case "incomplete":
      return { recordId: entry.recordId, partsInQueue: entry.have, parts: entry.parts };
  }
}

const KIND_TEXT: Record<DlqEntry["kind"], string> = {
  record: "eiam-user-sync dead-letter record",
  "fc-failure": "FC async failure record (onFailure destination); a redrive invokes with its requestPayload",
  raw: "raw message; a redrive invokes the function with this body",
  incomplete: "part of a multi-part record whose other parts are missing; it cannot be redriven yet",
};

export const dlqShow: Command = {
  name: "dlq show",
  help: `Usage: eiam-user-sync dlq show ID [--json] [options]

Prints the whole dead letter whose MNS message id is ID (any part of a multi-part record), pretty-printed, and
the command that redrives it. Like \`dlq list\`, it consumes nothing.

  --json                  print {id, kind, messageIds, summary, content} as one JSON document

${READ_HELP}

${TARGET_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs("dlq show", argv, {
      ...TARGET_OPTIONS,
      ...READ_OPTIONS,
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      println(io.stdout, this.help);
      return 0;
    }
    const id = exactlyOnePositional("dlq show", positionals, "ID (an MNS message id from `dlq list`)");
    const settings = readSettings(values);
    const target = resolveTarget(values, io);
    const dlq = await openDlq(target, settings);
    try {
      const found = dlq.entries.find((e) => e.summary.messageIds.includes(id));
      if (found === undefined) {
        throw new CliError(
          `no dead letter with id ${id} in ${dlq.queue} (${dlq.entries.length} read` +
            `${dlq.missing > 0 ? `, ${dlq.missing} held by another reader` : ""})`,
        );
      }
      const { entry, summary } = found;
      if (values.json) {
        const doc = {
          id: entry.id,
          kind: entry.kind,
          messageIds: summary.messageIds,
          summary,
          content: content(entry),
        };
        println(io.stdout, JSON.stringify(doc, null, 2));
        return 0;
      }
      const where = target.kind === "cloud" ? " --cloud" : "";
      println(io.stdout, `Dead letter ${entry.id} in ${dlq.queue}`);
      println(io.stdout, `  ${KIND_TEXT[entry.kind]}`);
      if (entry.messages.length > 1) println(io.stdout, `  messages: ${summary.messageIds.join(", ")}`);
      if (entry.kind === "record") println(io.stdout, `  stored as: ${entry.envelope}`);
      println(io.stdout);
      println(io.stdout, JSON.stringify(content(entry), null, 2));
      println(io.stdout);
      if (entry.kind === "incomplete") {
        println(io.stdout, "It cannot be redriven until every part is in the queue.");
      } else {
        println(io.stdout, "Redrive it (after fixing the cause):");
        println(io.stdout, `  npx eiam-user-sync dlq redrive --filter id=${entry.id}${where} --dry-run`);
        println(io.stdout, `  npx eiam-user-sync dlq redrive --filter id=${entry.id}${where} --yes`);
      }
      return 0;
    } finally {
      await release(dlq.client, dlq.queue, allMessages(dlq));
    }
  },
};
