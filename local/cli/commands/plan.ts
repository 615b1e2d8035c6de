import { resolve } from "node:path";
import { ConfigError } from "../../../shared/config.ts";
import { exactlyOnePositional, parseCommandArgs } from "../args.ts";
import { type Command, readInput } from "../command.ts";
import { CliError, type CliIo, println, UsageError } from "../io.ts";
import {
  PARSING_SETTINGS,
  type PlannedEvent,
  type PlanReport,
  planInvocation,
  planSettings,
} from "../plan-event.ts";
import { DEFAULT_STACK_FILE, readStackFile } from "../stack-file.ts";

function instanceIdFor(flag: string | undefined, io: CliIo): string {
  if (flag) return flag;
  if (io.env.EIAM_INSTANCE_ID) return io.env.EIAM_INSTANCE_ID;
  try {
    const file = io.env.EIAM_USER_SYNC_STACK_FILE ?? DEFAULT_STACK_FILE;
    return readStackFile(resolve(io.cwd, file)).eiam.instanceId;
  } catch {
    return "<EIAM_INSTANCE_ID>";
  }
}

function indent(text: string, by: string): string {
  return text
    .split("\n")
    .map((line) => `${by}${line}`)
    .join("\n");
}

function printEvent(io: CliIo, event: PlannedEvent, index: number): void {
  const out = (text = "") => println(io.stdout, text);
  const name = event.eventId ?? `#${index + 1}`;
  const via = `${event.trigger} delivery ${event.deliveryId}`;
  if (event.status === "invalid") {
    out(`Event ${name} (${via}): REJECTED at ${event.stage}, ${event.problems.length} problem(s)`);
    for (const p of event.problems) out(`  - ${p.path || "(whole input)"}: ${p.message} [${p.code}]`);
    out();
    return;
  }
  const { change } = event;
  out(`Event ${name} (${via}): ready`);
  out("  Parsed change:");
  out(
    indent(
      JSON.stringify(
        { eventId: change.eventId, source: change.source, occurredAt: change.occurredAt, user: change.user },
        null,
        2,
      ),
      "    ",
    ),
  );
  out("  Normalized fields:");
  out(indent(JSON.stringify(change.fields, null, 2), "    "));
  for (const ignored of event.ignored) out(`  Ignored: ${ignored.path}: ${ignored.reason}`);
  out(`  User: ${event.userLookup}`);
  for (const p of event.rejected ?? [])
    out(`  Rejected (dead-lettered apart): ${p.path}: ${p.message} [${p.code}]`);
  if (event.operations.length === 0) out("  Operations: none");
  for (const [i, op] of event.operations.entries()) {
    out(`  Operation ${i + 1}: ${op.action}`);
    out(indent(JSON.stringify(op.params, null, 2), "    "));
  }
  out();
}

function printReport(io: CliIo, file: string, report: PlanReport): void {
  println(io.stdout, `${file}: ${report.shape}`);
  for (const note of report.notes) println(io.stdout, `note: ${note}`);
  println(io.stdout);
  for (const [i, event] of report.events.entries()) printEvent(io, event, i);
  const bad = report.events.filter((e) => e.status === "invalid").length;
  println(
    io.stdout,
    `${report.events.length} event(s): ${report.events.length - bad} ready, ${bad} rejected. Nothing was sent to EIAM.`,
  );
}

export const plan: Command = {
  name: "plan",
  help: `Usage: eiam-user-sync plan FILE [--json] [--instance-id ID] [--format canonical|scim|mapped] [--mapping FILE]

Reads FILE (\`-\` for standard input): a canonical event or an array of them, a SCIM body, an FC trigger event
(HTTP, MNS queue, …), a redrive envelope or a dead-letter record. It runs the function's own trigger decoding,
payload parsing, validation and normalization, and prints for each event the parsed change, the normalized
fields and every EIAM operation it makes, in order, with its exact parameters (UpdateUser, EnableUser,
DisableUser, DeleteUser, SetUserPrimaryOrganizationalUnit, Add/RemoveUserFromOrganizationalUnits), or every
problem with it (exit code 1).

It assumes nothing was applied before (the function also skips fields whose last applied value is equal or
newer) and does not check webhook signatures. The user id is shown as given, or as
<resolved by ListUsers on …> when the function would look the user up; an OU named by external id or name as
<resolved by ListOrganizationalUnits on …>. With UNKNOWN_USER=create, a user that is not found is created with
CreateUser instead; plan does not look users up, so it does not show that.

The function's settings are read from the environment: ${PARSING_SETTINGS.join(", ")}.

  --json                  print the plan as JSON
  --instance-id ID        the InstanceId to show (default EIAM_INSTANCE_ID, else the local stack's)
  --format NAME           PAYLOAD_FORMAT for this run: canonical, scim or mapped
  --mapping FILE          HR_MAPPING_FILE for this run (comma-separated for several)`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs("plan", argv, {
      json: { type: "boolean" },
      "instance-id": { type: "string" },
      format: { type: "string" },
      mapping: { type: "string" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      println(io.stdout, this.help);
      return 0;
    }
    const file = exactlyOnePositional("plan", positionals, "FILE (or - for standard input)");
    if (values.format !== undefined && !["canonical", "scim", "mapped"].includes(values.format)) {
      throw new UsageError(`plan: --format must be canonical, scim or mapped; got '${values.format}'`);
    }
    const env = {
      ...io.env,
      ...(values.format ? { PAYLOAD_FORMAT: values.format } : {}),
      ...(values.mapping
        ? {
            HR_MAPPING_FILE: values.mapping
              .split(",")
              .map((f) => resolve(io.cwd, f.trim()))
              .join(","),
          }
        : {}),
    };
    let settings: ReturnType<typeof planSettings>;
    try {
      settings = planSettings(env, instanceIdFor(values["instance-id"], io));
    } catch (err) {
      if (err instanceof ConfigError) throw new CliError(err.message);
      throw err;
    }
    const report = planInvocation(await readInput(file, io), settings);
    if (values.json) println(io.stdout, JSON.stringify(report, null, 2));
    else printReport(io, file === "-" ? "standard input" : file, report);
    return report.events.some((e) => e.status === "invalid") ? 1 : 0;
  },
};
