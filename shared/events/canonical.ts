import * as z from "zod";
import type { Problem } from "../change.ts";
import {
  CUSTOM_FIELD_NAME,
  CUSTOM_FIELD_NAME_RULE,
  CUSTOM_FIELDS_MAX_COUNT,
} from "../normalize/custom-fields.ts";
import type { ProblemCode } from "../normalize/problem.ts";
import { changesProblems, userKeyCountProblem } from "./cross-field-rules.ts";
import { parseRfc3339 } from "./rfc3339.ts";

/*
 * The canonical user-change event, version 1. This schema checks the shape (types, known keys, identifier
 * formats, the cross-field rules); the values of username, displayName, email, phone and custom fields are
 * checked and normalized afterwards by `normalizeChange` (shared/normalize/), which needs options.
 *
 * Messages of the checks below are phrases that parse.ts prefixes with the field's path.
 */

const NO_CONTROL_CHARS = /^[^\p{Cc}\p{Cs}]*$/u;

function withCode(code: ProblemCode) {
  return { code };
}

/** Non-empty, at most `max` characters, no control characters, not only whitespace. */
function printableText(max: number) {
  return z
    .string()
    .min(1, { error: "must not be empty", abort: true })
    .max(max, { error: `must be at most ${max} characters`, abort: true })
    .regex(NO_CONTROL_CHARS, { error: "must not contain control characters", abort: true })
    .refine((value) => value.trim().length > 0, {
      error: "must not be only whitespace",
      params: withCode("empty"),
    });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Adds shared cross-field problems as zod issues, with paths relative to the object at `base`. */
function addProblems(ctx: z.RefinementCtx, problems: readonly Problem[], base: string): void {
  for (const problem of problems) {
    const relative = problem.path === base ? [] : problem.path.slice(base.length + 1).split(".");
    ctx.addIssue({
      code: "custom",
      path: relative,
      message: problem.message,
      params: { code: problem.code, sentence: true },
    });
  }
}

export const externalIdObjectSchema = z.strictObject({
  id: printableText(128).meta({ description: "EIAM UserExternalId (at most 128 characters)." }),
  sourceType: printableText(64)
    .optional()
    .meta({ description: "EIAM UserSourceType, e.g. build_in, ding_talk, we_com, ad, ldap." }),
  sourceId: printableText(128).optional().meta({ description: "EIAM UserSourceId." }),
});

export const userSchema = z
  .strictObject({
    userId: z
      .string()
      .min(1, { error: "must not be empty", abort: true })
      .max(64, { error: "must be at most 64 characters", abort: true })
      .regex(/^[A-Za-z0-9_-]+$/, { error: "may contain only letters, digits, _ and -" })
      .optional()
      .meta({ description: "EIAM user id, e.g. user_d6sbsuumeta4h66ec3il7yxxxx." }),
    externalId: z
      .union([printableText(128), externalIdObjectSchema], {
        error: "must be a string or an object { id, sourceType?, sourceId? }",
      })
      .optional()
      .meta({ description: "The id in the source system; a string is the same as { id }." }),
    email: z.string().optional().meta({ description: "Normalized like changes.email." }),
    phone: z.string().optional().meta({ description: "Normalized like changes.phone." }),
    username: z.string().optional().meta({ description: "Normalized like changes.username." }),
  })
  .superRefine(
    (user, ctx) => {
      const problem = userKeyCountProblem(user, "user");
      if (problem) addProblems(ctx, [problem], "user");
    },
    { when: (payload) => isObject(payload.value) },
  )
  .meta({
    description: "Which EIAM user the event is about: exactly one key.",
    minProperties: 1,
    maxProperties: 1,
  });

const customFieldsRecordSchema = z
  .record(
    z.string().regex(CUSTOM_FIELD_NAME, { error: `must be ${CUSTOM_FIELD_NAME_RULE}` }),
    z.union([z.string(), z.number(), z.boolean(), z.null()], {
      error: "must be a string, a number, a boolean or null (null removes the field)",
    }),
  )
  .meta({
    description:
      "Custom field name → value. Numbers and booleans are sent as strings; null removes the field's value.",
    minProperties: 1,
    maxProperties: CUSTOM_FIELDS_MAX_COUNT,
  });

/** Counts the entries before the (per-entry, comparatively slow) record validation runs. */
const customFieldsSchema = z.preprocess((value, ctx) => {
  if (!isObject(value)) return value;
  const count = Object.keys(value).length;
  if (count === 0) {
    ctx.addIssue({
      code: "custom",
      message: "must name at least one field to change",
      params: withCode("no_changes"),
    });
  } else if (count > CUSTOM_FIELDS_MAX_COUNT) {
    ctx.addIssue({
      code: "custom",
      message: `must have at most ${CUSTOM_FIELDS_MAX_COUNT} entries; got ${count}`,
      params: withCode("too_many"),
    });
  }
  return value;
}, customFieldsRecordSchema);

/** At most this many organizational units in `add` plus `remove` (sent 100 per EIAM call). */
export const MAX_ORGANIZATIONAL_UNIT_CHANGES = 1000;

const OU_REF_KEYS = ["id", "externalId", "name"] as const;

export const organizationalUnitRefSchema = z
  .strictObject({
    id: z
      .string()
      .min(1, { error: "must not be empty", abort: true })
      .max(64, { error: "must be at most 64 characters", abort: true })
      .regex(/^[A-Za-z0-9_-]+$/, { error: "may contain only letters, digits, _ and -" })
      .optional()
      .meta({ description: "EIAM organizational unit id, e.g. ou_…" }),
    externalId: printableText(128).optional().meta({ description: "The OU's OrganizationalUnitExternalId." }),
    name: printableText(128).optional().meta({ description: "The OU's exact OrganizationalUnitName." }),
  })
  .superRefine(
    (ref, ctx) => {
      const keys = OU_REF_KEYS.filter((key) => ref[key] !== undefined);
      if (keys.length !== 1) {
        ctx.addIssue({
          code: "custom",
          message: `must have exactly one of id, externalId, name; got ${keys.length === 0 ? "none" : keys.join(", ")}`,
          params: withCode(keys.length === 0 ? "required" : "not_allowed"),
        });
      }
    },
    { when: (payload) => isObject(payload.value) },
  )
  .transform((ref) => {
    if (ref.id !== undefined) return { id: ref.id };
    if (ref.externalId !== undefined) return { externalId: ref.externalId };
    return { name: ref.name as string };
  })
  .meta({
    description:
      "An organizational unit: by id, or by external id or exact name (looked up with ListOrganizationalUnits; no match or several is an error). Exactly one key.",
    minProperties: 1,
    maxProperties: 1,
  });

const organizationalUnitListSchema = z
  .array(organizationalUnitRefSchema)
  .max(MAX_ORGANIZATIONAL_UNIT_CHANGES, {
    error: `must have at most ${MAX_ORGANIZATIONAL_UNIT_CHANGES} entries`,
  });

export const changesSchema = z
  .strictObject({
    username: z
      .string()
      .optional()
      .meta({ description: "Letters, digits, _ . @ -; 1–256 characters after trimming." }),
    displayName: z
      .string()
      .optional()
      .meta({ description: "NFC, whitespace collapsed, no control characters; at most 128 code points." }),
    email: z.string().optional().meta({
      description: "Local part: letters, digits, . _ -; domain lower-cased and converted to punycode.",
    }),
    emailVerified: z.boolean().optional().meta({
      description:
        "Only with email. When absent: true if EMAIL_VERIFIED_SOURCES names the event's source (or *), else false.",
    }),
    phone: z.string().optional().meta({
      description: "E.164 (+8615612345678), 00 prefix, or national notation with DEFAULT_PHONE_REGION.",
    }),
    phoneVerified: z.boolean().optional().meta({
      description:
        "Only with phone. When absent: true if PHONE_VERIFIED_SOURCES names the event's source (or *), else false.",
    }),
    customFields: customFieldsSchema.optional(),
    status: z
      .enum(["enabled", "disabled", "deleted"], { error: 'must be "enabled", "disabled" or "deleted"' })
      .optional()
      .meta({
        description:
          "enabled: EnableUser; disabled: DisableUser; deleted: the source deleted the user, applied as DisableUser (or DeleteUser with DELETE_MEANS=delete). Other changes of a leaver are written before the user is disabled; a re-hire is enabled before the rest.",
      }),
    primaryOrganizationalUnit: organizationalUnitRefSchema
      .optional()
      .meta({ description: "Made the user's primary OU with SetUserPrimaryOrganizationalUnit." }),
    organizationalUnits: z
      .strictObject({
        add: organizationalUnitListSchema.optional().meta({ description: "AddUserToOrganizationalUnits." }),
        remove: organizationalUnitListSchema
          .optional()
          .meta({ description: "RemoveUserFromOrganizationalUnits (not the primary OU)." }),
      })
      .refine((units) => (units.add?.length ?? 0) + (units.remove?.length ?? 0) > 0, {
        error: "must name at least one organizational unit in add or remove",
        params: withCode("no_changes"),
      })
      .optional()
      .meta({ description: "Memberships to add and to remove; the same unit may not be in both." }),
  })
  .superRefine((changes, ctx) => addProblems(ctx, changesProblems(changes, "changes"), "changes"), {
    when: (payload) => isObject(payload.value),
  })
  .meta({
    description: "The fields to change; at least one. A field that is absent is not touched.",
    minProperties: 1,
    dependentRequired: { emailVerified: ["email"], phoneVerified: ["phone"] },
  });

export const canonicalEventSchema = z
  .strictObject({
    id: printableText(128).meta({ description: "The producer's event id, stable across redeliveries." }),
    source: z
      .string()
      .min(1, { error: "must not be empty", abort: true })
      .max(64, { error: "must be at most 64 characters", abort: true })
      .regex(/^[A-Za-z0-9._:/-]+$/, { error: "may contain only letters, digits and . _ : / -" })
      .optional()
      .meta({ description: "The producer, e.g. workday." }),
    occurredAt: z
      .string()
      .refine((value) => parseRfc3339(value) !== undefined, {
        error:
          "must be an RFC 3339 date-time with a time-zone offset or Z (e.g. 2026-11-28T08:00:00Z) naming a real date and time",
        params: withCode("invalid_date"),
      })
      .meta({ format: "date-time", description: "When the change happened at the source." }),
    user: userSchema,
    changes: changesSchema,
  })
  .meta({
    title: "Canonical user-change event v1",
    description:
      "One change to one EIAM user: UpdateUser for its fields, and EnableUser/DisableUser/DeleteUser and the organizational-unit actions for status and memberships.",
  });

export type CanonicalEvent = z.output<typeof canonicalEventSchema>;
export type CanonicalUser = CanonicalEvent["user"];
export type CanonicalChanges = CanonicalEvent["changes"];
