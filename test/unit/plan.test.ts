import { describe, expect, it } from "vitest";
import type { NormalizedChange } from "../../shared/change.ts";
import { createMemoryStore } from "../../shared/idempotency/memory-store.ts";
import { fieldVersionOf, planChange, toUpdateUserParams } from "../../shared/pipeline/plan.ts";

function change(fields: NormalizedChange["fields"], occurredAtMs = 1_000, eventId = "e1"): NormalizedChange {
  return {
    eventId,
    occurredAt: new Date(occurredAtMs).toISOString(),
    occurredAtMs,
    user: { userId: "user_1" },
    fields,
  };
}

describe("toUpdateUserParams", () => {
  it("maps every field to its wire name, custom fields to replace/remove", () => {
    const params = toUpdateUserParams("idaas_1", "user_1", {
      username: "zhang.san",
      displayName: "Zhang San",
      email: "Zhang.San@example.com",
      emailVerified: true,
      phone: { region: "86", number: "15612345678" },
      phoneVerified: false,
      customFields: { nick_name: "zs", cost_center: null },
    });
    expect(params).toEqual({
      InstanceId: "idaas_1",
      UserId: "user_1",
      Username: "zhang.san",
      DisplayName: "Zhang San",
      Email: "Zhang.San@example.com",
      EmailVerified: true,
      PhoneRegion: "86",
      PhoneNumber: "15612345678",
      PhoneNumberVerified: false,
      CustomFields: [
        { FieldName: "nick_name", FieldValue: "zs", Operation: "replace" },
        { FieldName: "cost_center", Operation: "remove" },
      ],
    });
  });

  it("sends the verified flags as false when not given", () => {
    const params = toUpdateUserParams("i", "u", {
      email: "a@b.cn",
      phone: { region: "1", number: "2025550123" },
    });
    expect([params.EmailVerified, params.PhoneNumberVerified]).toEqual([false, false]);
  });
});

describe("planChange", () => {
  it("writes everything when nothing was applied before", () => {
    const plan = planChange(change({ displayName: "A", customFields: { x: "1" } }), {});
    expect(plan.written).toEqual(["displayName", "customFields.x"]);
    expect(plan.write).toEqual({ displayName: "A", customFields: { x: "1" } });
    expect(Object.keys(plan.versions)).toEqual(["displayName", "customFields.x"]);
  });

  it("skips fields a newer change wrote, keeps the others (field-level last writer wins)", () => {
    const newer = planChange(change({ displayName: "New" }, 2_000, "e2"), {});
    const older = planChange(
      change({ displayName: "Old", customFields: { x: "1" } }, 1_000, "e1"),
      newer.versions,
    );
    expect(older.stale).toEqual(["displayName"]);
    expect(older.write).toEqual({ customFields: { x: "1" } });
  });

  it("breaks ties of time by event id", () => {
    const b = planChange(change({ displayName: "B" }, 1_000, "b"), {});
    const a = planChange(change({ displayName: "A" }, 1_000, "a"), b.versions);
    expect(a.stale).toEqual(["displayName"]);
    const c = planChange(change({ displayName: "C" }, 1_000, "c"), b.versions);
    expect(c.written).toEqual(["displayName"]);
  });

  it("does not resend a value equal to the last applied one, but moves its version forward", () => {
    const first = planChange(change({ displayName: "A" }, 1_000, "e1"), {});
    const again = planChange(change({ displayName: "A" }, 2_000, "e2"), first.versions);
    expect(again.written).toEqual([]);
    expect(again.unchanged).toEqual(["displayName"]);
    expect(again.versions.displayName?.version).toBe(fieldVersionOf({ occurredAtMs: 2_000, eventId: "e2" }));
  });

  it("treats a changed verified flag as a change of the email", () => {
    const first = planChange(change({ email: "a@b.cn", emailVerified: true }), {});
    const second = planChange(change({ email: "a@b.cn", emailVerified: false }, 2_000, "e2"), first.versions);
    expect(second.written).toEqual(["email"]);
  });

  it("keeps removal (null) distinct from a value", () => {
    const set = planChange(change({ customFields: { x: "1" } }), {});
    const remove = planChange(change({ customFields: { x: null } }, 2_000, "e2"), set.versions);
    expect(remove.write).toEqual({ customFields: { x: null } });
  });

  it("orders versions by time across digit lengths", () => {
    expect(
      fieldVersionOf({ occurredAtMs: 999, eventId: "z" }) <
        fieldVersionOf({ occurredAtMs: 1000, eventId: "a" }),
    ).toBe(true);
  });

  // Same millisecond, ids whose UTF-16 order and UTF-8 byte order disagree: "😀" (D83D… / F0 9F…) and "｡"
  // (FF61 / EF BD A1). The stores order by bytes, so "chg-😀" is the newer one, and the plan must agree.
  it("orders versions by UTF-8 bytes, as the stores do", async () => {
    const older = change({ displayName: "Older" }, 5_000, "chg-｡");
    const newer = change({ displayName: "Newer" }, 5_000, "chg-😀");
    const store = createMemoryStore();
    await store.writeFields("user_1", planChange(older, {}).versions, 60);
    const stored = await store.readFields("user_1", ["displayName"]);
    const plan = planChange(newer, stored);
    expect(plan.stale).toEqual([]);
    expect(plan.write).toEqual({ displayName: "Newer" });
    // And the other way round: the older one after the newer is stale, in the plan and in the store.
    await store.writeFields("user_1", plan.versions, 60);
    const again = planChange(older, await store.readFields("user_1", ["displayName"]));
    expect(again.stale).toEqual(["displayName"]);
    expect(await store.writeFields("user_1", planChange(older, {}).versions, 60)).toEqual(["displayName"]);
  });
});
