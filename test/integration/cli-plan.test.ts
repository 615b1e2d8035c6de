/**
 * `eiam-user-sync plan`: the function's own decoding, validation and normalization, shown without calling EIAM.
 * Driven in-process through `main(argv, io)`; event files are written to a temporary directory.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../local/cli/main.ts";
import type { PlanReport } from "../../local/cli/plan-event.ts";
import { mnsQueueCloudEvents } from "../helpers/fc-events.ts";

let dir: string;

function collector() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
}

async function cli(argv: string[], options: { env?: Record<string, string>; stdin?: string } = {}) {
  const stdout = collector();
  const stderr = collector();
  const code = await main(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: Readable.from([options.stdin ?? ""]),
    env: { EIAM_INSTANCE_ID: "idaas_plan_test", ...options.env },
    cwd: dir,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function file(name: string, content: unknown): string {
  writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
  return name;
}

async function planJson(name: string, env?: Record<string, string>): Promise<PlanReport> {
  const res = await cli(["plan", "--json", name], { env });
  return JSON.parse(res.stdout) as PlanReport;
}

const GOOD = {
  id: "evt-plan-1",
  source: "workday",
  occurredAt: "2026-11-28T08:00:00Z",
  user: { userId: "user_d6sbsuumeta4h66ec3il7yxxxx" },
  changes: {
    displayName: "Zhang  San\t(Platform)",
    phone: "+86 156 1234 5678",
    email: "Zhang.San@Example.com",
    customFields: { nick_name: "zs", cost_center: null },
  },
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eiam-cli-plan-"));
});

describe("plan", () => {
  it("prints the parsed change, the normalized fields and the exact UpdateUser parameters", async () => {
    const res = await cli(["plan", file("good.json", GOOD)]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("Event evt-plan-1 (direct delivery evt-plan-1): ready");
    expect(res.stdout).toContain("Normalized fields:");
    expect(res.stdout).toContain("User: userId (as given)");
    expect(res.stdout).toContain("1 event(s): 1 ready, 0 rejected. Nothing was sent to EIAM.");

    const report = await planJson("good.json");
    expect(report.events).toHaveLength(1);
    const event = report.events[0]!;
    expect(event.status).toBe("ready");
    if (event.status !== "ready") return;
    expect(event.updateUser).toEqual({
      InstanceId: "idaas_plan_test",
      UserId: "user_d6sbsuumeta4h66ec3il7yxxxx",
      DisplayName: "Zhang San (Platform)",
      Email: "Zhang.San@example.com",
      EmailVerified: false,
      PhoneRegion: "86",
      PhoneNumber: "15612345678",
      PhoneNumberVerified: false,
      CustomFields: [
        { FieldName: "nick_name", FieldValue: "zs", Operation: "replace" },
        { FieldName: "cost_center", Operation: "remove" },
      ],
    });
  });

  it("shows the ListUsers lookup when the event names the user by email", async () => {
    const byEmail = {
      ...GOOD,
      id: "evt-plan-2",
      user: { email: "li.si@EXAMPLE.com" },
      changes: { displayName: "Li Si" },
    };
    const report = await planJson(file("by-email.json", byEmail));
    const event = report.events[0]!;
    expect(event.status === "ready" && event.updateUser).toEqual({
      InstanceId: "idaas_plan_test",
      UserId: "<resolved by ListUsers on email li.si@example.com>",
      DisplayName: "Li Si",
    });
  });

  it("lists every problem of an invalid event and exits 1", async () => {
    const bad = {
      id: "evt-plan-bad",
      occurredAt: "2026-11-28T08:00:00Z",
      user: { userId: "user_d6sbsuumeta4h66ec3il7yxxxx" },
      changes: { displayName: "x".repeat(140), phone: "12", email: "a b@example.com" },
    };
    const res = await cli(["plan", file("bad.json", bad)]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("REJECTED at validate, 3 problem(s)");
    for (const path of ["changes.displayName", "changes.email", "changes.phone"]) {
      expect(res.stdout).toContain(`  - ${path}: `);
    }
    expect(res.stdout).toContain("[too_long]");
    const report = await planJson("bad.json");
    const event = report.events[0]!;
    expect(event.status === "invalid" && event.problems.map((p) => p.path).sort()).toEqual([
      "changes.displayName",
      "changes.email",
      "changes.phone",
    ]);
  });

  it("reads an MNS-queue trigger event with several messages, from standard input", async () => {
    const second = { ...GOOD, id: "evt-plan-3", changes: { displayName: "Li" } };
    const event = mnsQueueCloudEvents([JSON.stringify(GOOD), JSON.stringify(second)]).toString();
    const res = await cli(["plan", "--json", "-"], { stdin: event });
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as PlanReport;
    expect(report.shape).toBe("2 mns-queue deliveries");
    expect(report.events.map((e) => [e.trigger, e.eventId, e.status])).toEqual([
      ["mns-queue", "evt-plan-1", "ready"],
      ["mns-queue", "evt-plan-3", "ready"],
    ]);
  });

  it("reads a SCIM body with the function's SCIM mapping", async () => {
    const scim = {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      id: "user_d6sbsuumeta4h66ec3il7yxxxx",
      userName: "zhang.san",
      displayName: "Zhang San",
      meta: { lastModified: "2026-11-28T08:00:00Z" },
    };
    const report = await planJson(file("scim.json", scim));
    const event = report.events[0]!;
    expect(event.status).toBe("ready");
    expect(event.status === "ready" && event.updateUser).toMatchObject({
      UserId: "user_d6sbsuumeta4h66ec3il7yxxxx",
      Username: "zhang.san",
      DisplayName: "Zhang San",
    });
  });

  it("rejects an unrecognised file as a decode problem", async () => {
    const res = await cli(["plan", file("nonsense.json", { hello: "world" })]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("REJECTED at decode");
    expect(res.stdout).toContain("unknown_event_shape");
  });

  it("uses the function's settings from the environment, and names a bad one", async () => {
    const national = { ...GOOD, id: "evt-plan-4", changes: { phone: "156 1234 5678" } };
    const name = file("national.json", national);
    expect((await cli(["plan", name])).code).toBe(1);
    const withRegion = await planJson(name, { DEFAULT_PHONE_REGION: "CN" });
    expect(withRegion.events[0]!.status).toBe("ready");

    const bad = await cli(["plan", name], { env: { DEFAULT_PHONE_REGION: "China" } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("DEFAULT_PHONE_REGION");
  });

  it("exits 2 on usage errors and 1 on a missing file", async () => {
    expect((await cli(["plan"])).code).toBe(2);
    expect((await cli(["plan", "a.json", "b.json"])).code).toBe(2);
    const unknown = await cli(["plan", "--bogus", "x.json"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--bogus");
    expect(unknown.stderr).toContain("eiam-user-sync plan --help");
    expect((await cli(["plan", "--format", "xml", "good.json"])).code).toBe(2);
    const missing = await cli(["plan", "missing.json"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot read missing.json: no such file");
  });

  it("prints help with exit code 0", async () => {
    const res = await cli(["plan", "--help"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("Usage: eiam-user-sync plan FILE");
    const top = await cli(["--help"]);
    expect(top.stdout).toContain("dlq redrive");
    expect((await cli([])).code).toBe(2);
  });
});
