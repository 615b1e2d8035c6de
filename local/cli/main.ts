/**
 * The `eiam-user-sync` operator CLI: status, dead letters (list, show, redrive), plan, invoke, send.
 * `main(argv, io)` returns the exit code: 0 success, 1 failure, 2 usage error.
 */
import type { Command } from "./command.ts";
import { CliError, type CliIo, println, processIo, UsageError } from "./io.ts";
import { StackFileError } from "./stack-file.ts";

interface CommandEntry {
  name: string;
  summary: string;
  /** Commands load on use: the SDKs and the function's modules take a while to import. */
  load: () => Promise<Command>;
}

const COMMANDS: readonly CommandEntry[] = [
  {
    name: "status",
    summary: "what the dead-letter queue holds, by stage and code, with the oldest age",
    load: async () => (await import("./commands/status.ts")).status,
  },
  {
    name: "dlq list",
    summary: "list the dead letters (nothing is consumed)",
    load: async () => (await import("./commands/dlq-list.ts")).dlqList,
  },
  {
    name: "dlq show",
    summary: "show one dead letter in full, and how to redrive it",
    load: async () => (await import("./commands/dlq-show.ts")).dlqShow,
  },
  {
    name: "dlq redrive",
    summary: "hand dead letters back to the function; remove those that now apply",
    load: async () => (await import("./commands/dlq-redrive.ts")).dlqRedrive,
  },
  {
    name: "plan",
    summary: "show what an event file would do, without calling EIAM",
    load: async () => (await import("./commands/plan.ts")).plan,
  },
  {
    name: "invoke",
    summary: "send an event file to the function (FC invoke API) and print the answer",
    load: async () => (await import("./commands/invoke.ts")).invoke,
  },
  {
    name: "send",
    summary: "send an event file as one message to the source MNS queue",
    load: async () => (await import("./commands/send.ts")).send,
  },
];

export const USAGE = `Usage: eiam-user-sync <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(13)}${c.summary}`).join("\n")}

By default commands act on the local stack that \`npm start\` runs (found through .local-state/stack.json);
--cloud (or --to fc) acts on the deployed function and the cloud MNS instead.
Run \`eiam-user-sync <command> --help\` for a command's options. Docs: docs/operator-cli.md`;

function findCommand(argv: string[]): { command: CommandEntry; rest: string[] } | undefined {
  for (const command of COMMANDS) {
    const words = command.name.split(" ");
    if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  if (code === "ECONNREFUSED" || /ECONNREFUSED/.test(err.message)) {
    return `cannot connect (${err.message}); is the local stack running (\`npm start\`)?`;
  }
  const status = (err as { statusCode?: unknown }).statusCode;
  if (/^(Client|Server|Throttling)Error$/.test(err.name) && typeof status === "number") {
    // @alicloud/openapi-core (the FC 3.0 SDK): the message already carries the code, status and request id.
    return `Function Compute refused the call: ${err.message}`;
  }
  if (/^FC\w*Error$/.test(err.name)) return `Function Compute refused the call (${err.name}): ${err.message}`;
  if (/^MNS\w*Error$/.test(err.name)) return `MNS refused the call (${err.name}): ${err.message}`;
  return err.message;
}

export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const streams: CliIo = { ...processIo(), ...io };
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    println(argv.length === 0 ? streams.stderr : streams.stdout, USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (found === undefined) {
    const hint = argv[0] === "dlq" ? " (dlq list, dlq show ID, dlq redrive)" : "";
    println(streams.stderr, `error: unknown command '${argv.slice(0, 2).join(" ")}'${hint}\n\n${USAGE}`);
    return 2;
  }
  try {
    const command = await found.command.load();
    return await command.run(found.rest, streams);
  } catch (err) {
    if (err instanceof UsageError) {
      println(streams.stderr, `error: ${err.message}`);
      println(streams.stderr, `Run \`eiam-user-sync ${found.command.name} --help\` for usage.`);
      return 2;
    }
    if (err instanceof CliError || err instanceof StackFileError) {
      println(streams.stderr, `error: ${err.message}`);
      return 1;
    }
    println(streams.stderr, `error: ${describeFailure(err)}`);
    return 1;
  }
}
