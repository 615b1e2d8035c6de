import { exactlyOnePositional, parseCommandArgs } from "../args.ts";
import { type Command, readInput } from "../command.ts";
import { functionClient } from "../function-client.ts";
import { println } from "../io.ts";
import { resolveTarget, TARGET_HELP, TARGET_OPTIONS } from "../target.ts";

function pretty(data: unknown): string {
  if (typeof data === "string") {
    try {
      return JSON.stringify(JSON.parse(data), null, 2);
    } catch {
      return data;
    }
  }
  return JSON.stringify(data, null, 2);
}

export const invoke: Command = {
  name: "invoke",
  help: `Usage: eiam-user-sync invoke FILE [--to local|fc] [--async] [options]

Invokes the function with the bytes of FILE (\`-\` for standard input) through the FC invoke API (FC 3.0's
InvokeFunction by default; --api fc2 for an FC 2.0 service), as a direct invocation, and prints the answer: the
function's result, or its error (exit code 1).

  --to local|fc           local: the local stack's invoke API (default); fc: the deployed function (--cloud)
  --async                 x-fc-invocation-type: Async; FC answers 202 and runs it in the background, retrying
                          failures and sending the last one to the onFailure destination

${TARGET_HELP}`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs("invoke", argv, {
      ...TARGET_OPTIONS,
      to: { type: "string" },
      async: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      println(io.stdout, this.help);
      return 0;
    }
    const file = exactlyOnePositional("invoke", positionals, "FILE (or - for standard input)");
    const target = resolveTarget(values, io, values.to);
    const payload = await readInput(file, io);
    const fn = functionClient(target);
    const answer = await fn.invoke(payload, { async: values.async === true });
    switch (answer.kind) {
      case "accepted":
        println(io.stdout, `accepted (async) by the ${fn.describe()}; request id ${answer.requestId}`);
        return 0;
      case "function-error":
        println(io.stderr, `the function failed (request id ${answer.requestId}): ${answer.errorType}`);
        println(io.stdout, pretty(answer.data));
        return 1;
      case "result":
        println(io.stdout, pretty(answer.data));
        println(io.stderr, `request id ${answer.requestId}`);
        return 0;
    }
  },
};
