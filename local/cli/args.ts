/** `node:util` parseArgs with the CLI's rules: unknown options and missing values are usage errors. */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./io.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

export function parseCommandArgs<const O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs messages already name the option ("Unknown option '--x'", "Option '--y <value>' argument missing").
    const message = (err as Error).message.replace(/\. To specify a positional argument.*$/s, "");
    throw new UsageError(`${command}: ${message}`);
  }
}

export function exactlyOnePositional(command: string, positionals: string[], what: string): string {
  if (positionals.length === 0) throw new UsageError(`${command}: ${what} is required`);
  if (positionals.length > 1) {
    throw new UsageError(
      `${command}: takes one ${what}; got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  return positionals[0]!;
}

export function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`${command}: unexpected argument '${positionals[0]}'`);
}
