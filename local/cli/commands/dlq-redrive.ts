import { createInterface } from "node:readline/promises";
import { noPositionals, parseCommandArgs } from "../args.ts";
import type { Command } from "../command.ts";
import type { DlqEntry } from "../dlq/entries.ts";
import { type EntryFilter, FILTER_HELP, matchesFilters, parseFilter } from "../dlq/filters.ts";
import { judgeAnswer, type Verdict } from "../dlq/judge-answer.ts";
import { type OpenDlq, openDlq, unreadNote } from "../dlq/open.ts";
import { hold, release, remove } from "../dlq/queue-reader.ts";
import { redrivePayload } from "../dlq/summary.ts";
import { type FunctionClient, functionClient } from "../function-client.ts";
import { type CliIo, println, UsageError } from "../io.ts";
import { Progress } from "../progress.ts";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS, type Target, targetKind } from "../target.ts";
import { READ_HELP, READ_OPTIONS, readSettings, summaryTable } from "./dlq-list.ts";

/** How long a record stays hidden while it is redriven (more than a sync invocation can take). */
const HOLD_SECONDS = 300;

interface Tally {
  redriven: number;
  applied: number;
  accepted: number;
  stillFailing: number;
  skipped: number;
}

async function confirm(io: CliIo, question: string): Promise<boolean> {
  if (io.stdin.isTTY !== true) {
    throw new UsageError(
      "dlq redrive: standard input is not a terminal; add --yes to redrive without a prompt",
    );
  }
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

async function redriveOne(
  dlq: OpenDlq,
  entry: DlqEntry,
  fn: FunctionClient,
  asyncInvoke: boolean,
  tally: Tally,
  removed: Set<DlqEntry>,
): Promise<{ ok: boolean; line: string }> {
  const payload = redrivePayload(entry, asyncInvoke);
  if (payload === undefined) {
    tally.skipped += 1;
    await release(dlq.client, dlq.queue, entry.messages);
    return { ok: false, line: `skipped ${entry.id}: an incomplete multi-part record` };
  }
  try {
    await hold(dlq.client, dlq.queue, entry.messages, HOLD_SECONDS);
  } catch (err) {
    tally.skipped += 1;
    const reason = (err as Error).message.slice(0, 120);
    return { ok: false, line: `skipped ${entry.id}: it is no longer ours to redrive (${reason})` };
  }
  tally.redriven += 1;
  let verdict: Verdict;
  try {
    verdict = judgeAnswer(await fn.invoke(payload, { async: asyncInvoke }));
  } catch (err) {
    verdict = { ok: false, detail: `the invocation failed: ${(err as Error).message.slice(0, 200)}` };
  }
  if (!verdict.ok) {
    tally.stillFailing += 1;
    await release(dlq.client, dlq.queue, entry.messages);
    return { ok: false, line: `still failing ${entry.id}: ${verdict.detail}` };
  }
  await remove(dlq.client, dlq.queue, entry.messages);
  removed.add(entry);
  if (asyncInvoke) tally.accepted += 1;
  else tally.applied += 1;
  const done = asyncInvoke ? "accepted" : "applied";
  return { ok: true, line: `${done} ${entry.id}: ${verdict.detail}; removed from ${dlq.queue}` };
}

async function redriveSelected(
  io: CliIo,
  dlq: OpenDlq,
  filters: EntryFilter[],
  target: Target,
  asyncInvoke: boolean,
  options: { "dry-run"?: boolean; yes?: boolean },
  removed: Set<DlqEntry>,
): Promise<number> {
  const selected = dlq.entries.filter((e) => matchesFilters(e.summary, filters));
  const others = dlq.entries.filter((e) => !selected.includes(e));
  await release(
    dlq.client,
    dlq.queue,
    others.flatMap((e) => e.entry.messages),
  );
  const unread = unreadNote(dlq);
  // Stopping before the end of the queue is never a success: the operator must run again.
  const endCode = unread === undefined ? 0 : 1;
  const sayUnread = () => {
    if (unread !== undefined) println(io.stdout, `not redriven: ${unread}; run again to continue`);
  };
  if (selected.length === 0) {
    println(
      io.stdout,
      `nothing to redrive: no dead letters in ${dlq.queue}${filters.length ? " match" : ""}`,
    );
    sayUnread();
    return endCode;
  }
  const fn = functionClient(target);
  if (options["dry-run"]) {
    println(io.stdout, summaryTable(selected.map((e) => e.summary)));
    println(io.stdout);
    println(
      io.stdout,
      `dry run: would redrive ${selected.length} of ${dlq.entries.length} dead letter(s) to the ${fn.describe()}` +
        `${asyncInvoke ? " (async)" : ""}; nothing was changed`,
    );
    sayUnread();
    return endCode;
  }
  if (
    !options.yes &&
    !(await confirm(io, `Redrive ${selected.length} dead letter(s) to the ${fn.describe()}?`))
  ) {
    println(io.stdout, "cancelled; nothing was changed");
    return 1;
  }
  // Keep every selected record hidden while earlier ones are redriven (the queue's own timeout may be short).
  for (const { entry } of selected) {
    await hold(dlq.client, dlq.queue, entry.messages, HOLD_SECONDS).catch(() => undefined);
  }

  const tally: Tally = { redriven: 0, applied: 0, accepted: 0, stillFailing: 0, skipped: 0 };
  const progress = new Progress(io.stderr, selected.length);
  progress.start();
  for (const { entry } of selected) {
    const result = await redriveOne(dlq, entry, fn, asyncInvoke, tally, removed);
    progress.step(result.line, !result.ok);
  }
  progress.finish();

  const accepted = asyncInvoke ? `, accepted by FC (async) ${tally.accepted}` : "";
  println(
    io.stdout,
    `redriven ${tally.redriven}, applied ${tally.applied}${accepted}, still failing ${tally.stillFailing}, ` +
      `skipped ${tally.skipped}`,
  );
  sayUnread();
  return tally.stillFailing > 0 || tally.skipped > 0 ? 1 : endCode;
}

export const dlqRedrive: Command = {
  name: "dlq redrive",
  help: `Usage: eiam-user-sync dlq redrive [--filter KEY=VALUE …] [--dry-run] [--to local|fc] [--sync] [--yes] [options]

Hands each selected dead letter back to the function through the FC invoke API (FC 3.0's InvokeFunction,
POST /2023-03-30/functions/{name}/invocations, with @alicloud/fc20230330; --api fc2 for an FC 2.0 service):
  - our records as a redrive envelope {"kind":"eiam-user-sync.redrive", deadLetterId, delivery}: the function
    runs that delivery again and, if it fails again, does not publish a second dead letter;
  - FC's async failure records with their original requestPayload; raw messages with their body.
--to local (the default with the local stack) invokes synchronously: a message is deleted only when every
event of the answer is applied, duplicate, noop or stale; anything else leaves it in the queue, visible again.
--to fc (the cloud) invokes asynchronously (x-fc-invocation-type: Async): the message is deleted as soon as
FC accepts the invocation, because FC's own retries and onFailure destination (the dead-letter topic) take over.

  --filter KEY=VALUE      only matching dead letters (see below); default all
  --dry-run               list what would be redriven; change nothing
  --to local|fc           local: the local stack's invoke API (sync); fc: the deployed function (async; implies
                          --cloud)
  --sync                  with --to fc: invoke synchronously instead, and delete only what applied (as
                          locally); no failure can then go unseen (see docs/operator-cli.md)
  --yes                   do not ask for confirmation (required when standard input is not a terminal)

Progress goes to stderr (a bar on a terminal, else one line per record); the summary to stdout. Exit code 1
when a record still fails or was skipped, or when messages were left unread (beyond --max, or held by another
reader): the summary says how many, and running again continues.

${READ_HELP}

${FILTER_HELP}

${TARGET_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs("dlq redrive", argv, {
      ...TARGET_OPTIONS,
      ...READ_OPTIONS,
      filter: { type: "string", multiple: true },
      "dry-run": { type: "boolean" },
      to: { type: "string" },
      yes: { type: "boolean", short: "y" },
      sync: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      println(io.stdout, this.help);
      return 0;
    }
    noPositionals("dlq redrive", positionals);
    const filters = (values.filter ?? []).map(parseFilter);
    const settings = readSettings(values);
    // The deployed function is invoked async (FC's retries and onFailure take over) unless --sync is given.
    const asyncInvoke = targetKind(values, values.to) === "cloud" && values.sync !== true;
    const target = resolveTarget(values, io, values.to);
    const dlq = await openDlq(target, settings);
    const removed = new Set<DlqEntry>();
    try {
      return await redriveSelected(io, dlq, filters, target, asyncInvoke, values, removed);
    } finally {
      // Whatever was not redriven away becomes visible again, on every way out (errors included).
      const left = dlq.entries.filter((e) => !removed.has(e.entry)).flatMap((e) => e.entry.messages);
      await release(dlq.client, dlq.queue, left);
    }
  },
};
