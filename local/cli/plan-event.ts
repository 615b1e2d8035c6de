/**
 * What an invocation would do, without calling EIAM: the function's own trigger decoding, payload parsing,
 * validation and normalization (from shared/, with the function's settings built the function's way), then the
 * exact UpdateUser parameters. Unlike the function, it assumes nothing was applied before (no stale/noop
 * suppression) and does not check webhook signatures.
 */
import type { NormalizedChange, OrganizationalUnitRef, Problem } from "../../shared/change.ts";
import type { DeadLetterPublisher } from "../../shared/dead-letter/publisher.ts";
import { DeadLetterRecord } from "../../shared/dead-letter/record.ts";
import type { UpdateUserParams } from "../../shared/eiam/types.ts";
import type { IgnoredAttribute } from "../../shared/formats/index.ts";
import { parseRedrive, redriveEnvelope, redriveInput } from "../../shared/handler/redrive.ts";
import { createRuntime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";
import { type OperationAction, operationsForUser, unitsOf } from "../../shared/pipeline/operations.ts";
import { planChange, toUpdateUserParams } from "../../shared/pipeline/plan.ts";
import { type PrepareOptions, prepareDelivery } from "../../shared/pipeline/prepare.ts";
import { describeOrganizationalUnitRef } from "../../shared/resolve/ou-resolver.ts";
import { describeUserKey } from "../../shared/resolve/user-resolver.ts";
import {
  type DecodeOptions,
  type Delivery,
  decodeInvocation,
  UnknownEventShapeError,
} from "../../shared/triggers/detect.ts";

/** The function's settings that change how events are read (README's configuration table). */
export const PARSING_SETTINGS = [
  "PAYLOAD_FORMAT",
  "HR_MAPPING_FILE",
  "DEFAULT_PHONE_REGION",
  "DISPLAY_NAME_OVERFLOW",
  "USERNAME_RULE",
  "ALLOWED_CUSTOM_FIELDS",
  "MNS_BODY_ENCODING",
  "DELETE_MEANS",
] as const;

export interface PlanSettings {
  instanceId: string;
  prepare: PrepareOptions;
  decode: DecodeOptions;
}

const unused: DeadLetterPublisher = {
  name: "plan",
  publish: () => Promise.reject(new Error("plan publishes nothing")),
};

/** Builds the function's runtime from the parsing settings only; errors name the variable (ConfigError). */
export function planSettings(env: Record<string, string | undefined>, instanceId: string): PlanSettings {
  const picked: Record<string, string | undefined> = {};
  for (const key of PARSING_SETTINGS) picked[key] = env[key];
  const runtime = createRuntime(
    { ...picked, EIAM_INSTANCE_ID: instanceId, EIAM_ENDPOINT: "eiam.plan.invalid", DEAD_LETTER_FILE: "plan" },
    { logger: createLogger({ sink: () => undefined }), deadLetters: unused },
  );
  return {
    instanceId,
    prepare: runtime.prepare,
    // As shared/handler/handle-invocation.ts decodes.
    decode: {
      mnsBodyEncoding: runtime.config.mnsBodyEncoding,
      acceptAnyJsonAsDirect: runtime.prepare.format !== undefined || runtime.prepare.mapping !== undefined,
    },
  };
}

export type PlannedEvent =
  | {
      status: "ready";
      deliveryId: string;
      trigger: string;
      eventId: string;
      change: NormalizedChange;
      ignored: IgnoredAttribute[];
      /** How the user is found: `userId` (as given) or the ListUsers lookup. */
      userLookup: string;
      updateUser: UpdateUserParams;
      /** Every EIAM call the event makes, in order, with its exact parameters. */
      operations: Array<{ action: OperationAction; params: unknown }>;
      /** A leaver's fields that broke a rule: dead-lettered apart, the rest applied. */
      rejected?: Problem[];
    }
  | {
      status: "invalid";
      deliveryId: string;
      trigger: string;
      stage: "decode" | "validate";
      eventId?: string;
      problems: Problem[];
    };

export interface PlanReport {
  /** What the file was read as. */
  shape: string;
  notes: string[];
  events: PlannedEvent[];
}

function lookupText(change: NormalizedChange): { userId: string; lookup: string } {
  const key = change.user;
  if (key.userId !== undefined) return { userId: key.userId, lookup: "userId (as given)" };
  const how = describeUserKey(key);
  const value =
    how === "externalId"
      ? `${key.externalId?.id}${key.externalId?.sourceType ? ` (source type ${key.externalId.sourceType})` : ""}`
      : how === "email"
        ? key.email
        : how === "phone"
          ? `+${key.phone?.region} ${key.phone?.number}`
          : how === "username"
            ? key.username
            : "nothing";
  const text = `<resolved by ListUsers on ${how} ${value}>`;
  return { userId: text, lookup: text };
}

function planDelivery(delivery: Delivery, settings: PlanSettings): PlannedEvent[] {
  return prepareDelivery(delivery, settings.prepare).map((prepared): PlannedEvent => {
    const base = { deliveryId: delivery.deliveryId, trigger: delivery.trigger };
    if (prepared.kind === "invalid") {
      return {
        ...base,
        status: "invalid",
        stage: prepared.stage,
        ...(prepared.eventId !== undefined ? { eventId: prepared.eventId } : {}),
        problems: prepared.problems,
      };
    }
    const { userId, lookup } = lookupText(prepared.change);
    const lifecycle = prepared.change.lifecycle;
    const ouId = (ref: OrganizationalUnitRef) =>
      "id" in ref ? ref.id : `<resolved by ListOrganizationalUnits on ${describeOrganizationalUnitRef(ref)}>`;
    const resolved = {
      ...(lifecycle?.status !== undefined ? { status: lifecycle.status } : {}),
      ...(lifecycle?.delete ? { delete: true as const } : {}),
      ...(lifecycle?.primaryOrganizationalUnit !== undefined
        ? { primaryOrganizationalUnitId: ouId(lifecycle.primaryOrganizationalUnit) }
        : {}),
      add: (lifecycle?.organizationalUnits?.add ?? []).map(ouId),
      remove: (lifecycle?.organizationalUnits?.remove ?? []).map(ouId),
    };
    const plan = planChange(prepared.change, {}, unitsOf(prepared.change, resolved));
    const operations = operationsForUser(settings.instanceId, userId, plan, resolved).map((op) => ({
      action: op.action,
      params: op.params,
    }));
    return {
      ...base,
      status: "ready",
      eventId: prepared.change.eventId,
      change: prepared.change,
      ignored: prepared.ignored,
      userLookup: lookup,
      updateUser: toUpdateUserParams(settings.instanceId, userId, prepared.change.fields),
      operations,
      ...(prepared.rejected !== undefined ? { rejected: prepared.rejected.problems } : {}),
    };
  });
}

function asDeadLetterRecord(bytes: Buffer): DeadLetterRecord | undefined {
  if (!bytes.includes("eiam-user-sync.dead-letter")) return undefined;
  try {
    const parsed = DeadLetterRecord.safeParse(JSON.parse(bytes.toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function planInvocation(bytes: Buffer, settings: PlanSettings, now = Date.now()): PlanReport {
  const notes: string[] = [];
  const record = asDeadLetterRecord(bytes);
  const redrive = record ? redriveEnvelope("plan", record) : parseRedrive(bytes);
  if (redrive !== undefined) {
    const input = redriveInput(redrive);
    let redecoded: ReturnType<typeof decodeInvocation>;
    try {
      redecoded = decodeInvocation(input.bytes, input.receivedAt, settings.decode);
    } catch (err) {
      if (!(err instanceof UnknownEventShapeError)) throw err;
      const problem = { path: "", code: "unknown_event_shape", message: err.message };
      return {
        shape: "a redrive of an unrecognised event",
        notes,
        events: [{ status: "invalid", deliveryId: "-", trigger: "-", stage: "decode", problems: [problem] }],
      };
    }
    const deliveries = redecoded.kind === "http" ? [redecoded.delivery] : redecoded.deliveries;
    const shape = record ? "a dead-letter record (planned as its redrive)" : "a redrive envelope";
    return { shape, notes, events: deliveries.flatMap((d) => planDelivery(d, settings)) };
  }
  let decoded: ReturnType<typeof decodeInvocation>;
  try {
    decoded = decodeInvocation(bytes, now, settings.decode);
  } catch (err) {
    if (!(err instanceof UnknownEventShapeError)) throw err;
    const problem = { path: "", code: "unknown_event_shape", message: err.message };
    return {
      shape: "unrecognised",
      notes,
      events: [{ status: "invalid", deliveryId: "-", trigger: "-", stage: "decode", problems: [problem] }],
    };
  }
  if (decoded.kind === "http") {
    const method = decoded.delivery.http?.method.toUpperCase() ?? "POST";
    notes.push("webhook authentication is not checked by plan");
    if (method !== "POST") notes.push(`the function answers ${method} with 405: only POST applies changes`);
    return { shape: "an FC HTTP-trigger event", notes, events: planDelivery(decoded.delivery, settings) };
  }
  const triggers = [...new Set(decoded.deliveries.map((d) => d.trigger))].join(", ");
  return {
    shape: `${decoded.deliveries.length} ${triggers} deliver${decoded.deliveries.length === 1 ? "y" : "ies"}`,
    notes,
    events: decoded.deliveries.flatMap((d) => planDelivery(d, settings)),
  };
}
