import { xmlEscape } from "../../fc-host/mns-client.ts";
import { exactlyOnePositional, parseCommandArgs } from "../args.ts";
import { type Command, readInput } from "../command.ts";
import { mnsClientFor } from "../dlq/open.ts";
import { CliError, println } from "../io.ts";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS } from "../target.ts";

/** MNS's message size limit (mns-fc2.md §1.3). */
const MAX_BODY_BYTES = 64 * 1024;

export const send: Command = {
  name: "send",
  help: `Usage: eiam-user-sync send FILE [--queue NAME] [options]

Sends the text of FILE (\`-\` for standard input) as one message to the queue the MNS trigger reads (the local
stack's eiam-user-changes unless --queue says otherwise), and prints its message id.

${TARGET_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs("send", argv, {
      ...TARGET_OPTIONS,
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      println(io.stdout, this.help);
      return 0;
    }
    const file = exactlyOnePositional("send", positionals, "FILE (or - for standard input)");
    const target = resolveTarget(values, io);
    const body = (await readInput(file, io)).toString("utf8").trim();
    if (body === "")
      throw new CliError(`send: ${file} is empty; MNS messages hold 1 to ${MAX_BODY_BYTES} bytes`);
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
      throw new CliError(
        `send: ${file} is ${Buffer.byteLength(body)} bytes; an MNS message holds at most ${MAX_BODY_BYTES}`,
      );
    }
    const res = await mnsClientFor(target).sendMessage(target.sourceQueue, { MessageBody: xmlEscape(body) });
    println(io.stdout, `sent message ${res.body?.MessageId ?? "?"} to ${target.sourceQueue}`);
    return 0;
  },
};
