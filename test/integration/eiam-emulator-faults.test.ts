import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EiamEmulator, startEiamEmulator } from "../../local/eiam-emulator/server.ts";
import {
  adminFetch,
  callEiam,
  callEiamError,
  INSTANCE_ID,
  makeClient,
  sendRaw,
  signV3,
} from "./eiam-emulator.support.ts";

const USER_ID = "user_fault0000000000000000000000";
const getUser = { InstanceId: INSTANCE_ID, UserId: USER_ID };

let emulator: EiamEmulator;
let client: ReturnType<typeof makeClient>;

beforeAll(async () => {
  emulator = await startEiamEmulator({
    users: [{ userId: USER_ID, username: "fault.user", displayName: "Before" }],
  });
  client = makeClient(emulator);
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.state.reset();
});

describe("faults as the real client sees them", () => {
  it("5xx: ServiceUnavailable 503", async () => {
    emulator.state.setFaults({ failNext: [{ kind: "5xx", count: 1 }] });
    const error = await callEiamError(client, "GetUser", getUser);
    expect(error.code).toBe("ServiceUnavailable");
    expect(error.statusCode).toBe(503);
    expect((await callEiam(client, "GetUser", getUser)).statusCode).toBe(200);
  });

  it("throttle: Throttling.User 400 with an x-acs-retry-after header (ms)", async () => {
    emulator.state.setFaults({ failNext: [{ kind: "throttle", count: 2 }], retryAfterMs: 1500 });
    const error = await callEiamError(client, "GetUser", getUser);
    expect(error.code).toBe("Throttling.User");
    expect(error.statusCode).toBe(400);
    const raw = await sendRaw(signV3({ endpoint: emulator.endpoint, action: "GetUser", query: getUser }));
    expect(raw.status).toBe(400);
    expect(raw.json.Code).toBe("Throttling.User");
    expect(raw.headers.get("x-acs-retry-after")).toBe("1500");
  });

  it("drop: the socket is destroyed without an answer and nothing is applied", async () => {
    emulator.state.setFaults({ failNext: [{ kind: "drop", count: 1 }] });
    const error = await callEiamError(client, "UpdateUser", { ...getUser, DisplayName: "Dropped" });
    expect(error.code).toBe("ECONNRESET");
    expect(error.statusCode).toBeUndefined();
    expect(emulator.state.getUser(USER_ID)?.displayName).toBe("Before");
    expect(emulator.state.requestLog.at(-1)).toMatchObject({
      status: 0,
      fault: "drop",
      action: "UpdateUser",
    });
  });

  it("drop-after-apply: the change is applied, but the caller gets a socket error", async () => {
    emulator.state.setFaults({ failNext: [{ kind: "drop-after-apply", count: 1 }] });
    const error = await callEiamError(client, "UpdateUser", { ...getUser, DisplayName: "Applied" });
    expect(error.code).toBe("ECONNRESET");
    expect(emulator.state.getUser(USER_ID)?.displayName).toBe("Applied");
  });

  it("timeout: the request is held until the client's read timeout fires", async () => {
    emulator.state.setFaults({ failNext: [{ kind: "timeout", count: 1 }], timeoutHoldMs: 10_000 });
    const error = await callEiamError(client, "GetUser", getUser, { readTimeout: 200 });
    expect(error.name).toBe("RequestTimeoutError");
    expect(error.message).toContain("ReadTimeout(200)");
    expect(emulator.state.requestLog.at(-1)).toMatchObject({ status: 0, fault: "timeout" });
    expect((await callEiam(client, "GetUser", getUser)).statusCode).toBe(200);
  });

  it("failNext entries run in order and are used up", async () => {
    emulator.state.setFaults({
      failNext: [
        { kind: "5xx", count: 2 },
        { kind: "throttle", count: 1 },
      ],
    });
    const codes = [];
    for (let i = 0; i < 4; i += 1) {
      try {
        await callEiam(client, "GetUser", getUser);
        codes.push("ok");
      } catch (error) {
        codes.push((error as { code?: string }).code);
      }
    }
    expect(codes).toEqual(["ServiceUnavailable", "ServiceUnavailable", "Throttling.User", "ok"]);
    expect(emulator.state.faults.failNext).toEqual([]);
  });

  it("failureRate 1 fails every request with one of failureKinds; 0 fails none", async () => {
    emulator.state.setFaults({ failureRate: 1, failureKinds: ["throttle"] });
    for (let i = 0; i < 3; i += 1) {
      expect((await callEiamError(client, "GetUser", getUser)).code).toBe("Throttling.User");
    }
    emulator.state.setFaults({ failureRate: 0, failureKinds: ["throttle"] });
    expect((await callEiam(client, "GetUser", getUser)).statusCode).toBe(200);
  });

  it("latencyMs delays every signed API request", async () => {
    emulator.state.setFaults({ latencyMs: 150 });
    const started = performance.now();
    await callEiam(client, "GetUser", getUser);
    // A lower bound only (timers never fire early by more than a millisecond).
    expect(performance.now() - started).toBeGreaterThanOrEqual(149);
  });

  it("records failed and throttled requests in the request log", async () => {
    emulator.state.setFaults({
      failNext: [
        { kind: "throttle", count: 1 },
        { kind: "5xx", count: 1 },
      ],
    });
    await callEiamError(client, "GetUser", getUser);
    await callEiamError(client, "GetUser", getUser);
    expect(
      emulator.state.requestLog.map((entry) => [entry.status, entry.code, entry.fault, entry.faultReason]),
    ).toEqual([
      [400, "Throttling.User", "throttle", "failNext"],
      [503, "ServiceUnavailable", "5xx", "failNext"],
    ]);
  });

  it("never applies faults to the admin API", async () => {
    emulator.state.setFaults({ failureRate: 1, failureKinds: ["drop"] });
    const health = await adminFetch(emulator.url, "GET", "/health");
    expect(health.status).toBe(200);
    const users = await adminFetch(emulator.url, "GET", "/users");
    expect(users.status).toBe(200);
  });

  it("refuses bad fault settings with a message naming the field", () => {
    expect(() => emulator.state.setFaults({ failureRate: 2 })).toThrow(/failureRate/);
    expect(() => emulator.state.setFaults({ failNext: [{ kind: "explode" as "5xx", count: 1 }] })).toThrow(
      /failNext\[0\]\.kind/,
    );
  });
});

describe("qpsCap", () => {
  let clock = Date.now();
  let capped: EiamEmulator;

  beforeAll(async () => {
    // A frozen, hand-advanced clock makes the rolling one-second window deterministic.
    capped = await startEiamEmulator({
      users: [{ userId: USER_ID, username: "fault.user" }],
      now: () => clock,
    });
  });
  afterAll(async () => {
    await capped.close();
  });

  it("throttles requests above N per rolling second, and admits again once the second has passed", async () => {
    capped.state.setFaults({ qpsCap: 2 });
    const cappedClient = makeClient(capped);
    const outcome = async (): Promise<string> => {
      try {
        await callEiam(cappedClient, "GetUser", getUser);
        return "ok";
      } catch (error) {
        return String((error as { code?: string }).code);
      }
    };
    const burst = [await outcome(), await outcome(), await outcome(), await outcome()];
    expect(burst).toEqual(["ok", "ok", "Throttling.User", "Throttling.User"]);
    clock += 1001;
    expect(await outcome()).toBe("ok");
    expect(capped.state.requestLog.filter((entry) => entry.faultReason === "qpsCap")).toHaveLength(2);
  });
});
