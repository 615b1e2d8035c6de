/** `eiam-user-sync plan` lists every operation of a joiner/mover/leaver event, in order, with exact parameters. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../local/cli/main.ts";
import type { PlanReport } from "../../local/cli/plan-event.ts";

let dir: string;

async function cli(argv: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  let text = "";
  stdout.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  const code = await main(argv, {
    stdout,
    stderr: new PassThrough(),
    stdin: Readable.from([""]),
    env: { EIAM_INSTANCE_ID: "idaas_plan_test", ...env },
    cwd: dir,
  });
  return { code, stdout: text };
}

const USER = "user_d6sbsuumeta4h66ec3il7yxxxx";
const LEAVER = {
  id: "evt-leaver-1",
  source: "workday",
  occurredAt: "2026-11-28T08:00:00Z",
  user: { userId: USER },
  changes: {
    displayName: "Zhang San",
    primaryOrganizationalUnit: { name: "Alumni" },
    organizationalUnits: { remove: [{ id: "ou_sales000000000000000000000" }] },
    status: "deleted",
  },
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eiam-cli-plan-lifecycle-"));
  writeFileSync(join(dir, "leaver.json"), JSON.stringify(LEAVER));
});

describe("plan of a lifecycle event", () => {
  it("lists every operation in order with its exact parameters", async () => {
    const res = await cli(["plan", "--json", "leaver.json"]);
    expect(res.code).toBe(0);
    const event = (JSON.parse(res.stdout) as PlanReport).events[0]!;
    if (event.status !== "ready") throw new Error("expected a ready event");
    const user = { InstanceId: "idaas_plan_test", UserId: USER };
    expect(event.operations).toEqual([
      { action: "UpdateUser", params: { ...user, DisplayName: "Zhang San" } },
      {
        action: "SetUserPrimaryOrganizationalUnit",
        params: { ...user, OrganizationalUnitId: '<resolved by ListOrganizationalUnits on name "Alumni">' },
      },
      {
        action: "RemoveUserFromOrganizationalUnits",
        params: { ...user, OrganizationalUnitIds: ["ou_sales000000000000000000000"] },
      },
      { action: "DisableUser", params: user },
    ]);
  });

  it("shows DeleteUser with DELETE_MEANS=delete, in the text output too", async () => {
    const res = await cli(["plan", "leaver.json"], { DELETE_MEANS: "delete" });
    expect(res.stdout).toContain("Operation 4: DeleteUser");
    expect(res.stdout).toContain("Operation 1: UpdateUser");
    expect(res.stdout).not.toContain("DisableUser");
  });
});
