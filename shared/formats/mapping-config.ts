/**
 * The mapping file of the `mapped` payload format: JMESPath expressions that turn an HR system's webhook
 * into canonical events. Validated with zod; every expression is compiled once here, so a typo fails at
 * load time with an error that names the mapping and the key.
 */
import { compile } from "@jmespath-community/jmespath";
import * as z from "zod";

const expression = z.string().trim().min(1, "must be a non-empty JMESPath expression");

const fieldRule = z.union([
  expression,
  z.strictObject({
    expr: expression,
    /** Map the field only when this is truthy (e.g. "the HR system says this field changed"). */
    when: expression.optional(),
  }),
]);

const customFieldRule = z.union([
  expression,
  z.strictObject({
    expr: expression,
    when: expression.optional(),
    /** `absent` (default): a null result leaves the field alone. `remove`: a null result clears it. */
    nullMeans: z.enum(["absent", "remove"]).optional(),
  }),
]);

const organizationalUnitRef = z.union([
  z.strictObject({ id: z.string().min(1) }),
  z.strictObject({ externalId: z.string().min(1) }),
  z.strictObject({ name: z.string().min(1) }),
]);

const USER_KEYS = ["userId", "externalId", "username", "email", "phone"] as const;
const CHANGE_FIELDS = [
  "username",
  "displayName",
  "email",
  "emailVerified",
  "phone",
  "phoneVerified",
] as const;

const mappingSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be 1–64 letters, digits, '.', '_' or '-'"),
  description: z.string().optional(),
  match: expression.optional(),
  each: expression.optional(),
  eventId: expression,
  occurredAt: expression,
  occurredAtFormat: z.enum(["rfc3339", "epoch-ms", "epoch-s"]).optional(),
  source: z.string().trim().min(1).optional(),
  user: z
    .strictObject(
      Object.fromEntries(USER_KEYS.map((key) => [key, expression.optional()])) as Record<
        (typeof USER_KEYS)[number],
        z.ZodOptional<typeof expression>
      >,
    )
    .refine(
      (user) => Object.values(user).some((value) => value !== undefined),
      "needs at least one user key expression",
    ),
  changes: z
    .strictObject({
      ...(Object.fromEntries(CHANGE_FIELDS.map((key) => [key, fieldRule.optional()])) as Record<
        (typeof CHANGE_FIELDS)[number],
        z.ZodOptional<typeof fieldRule>
      >),
      customFields: z.record(z.string().min(1), customFieldRule).optional(),
      /** Must give "enabled", "disabled" or "deleted" (or null: no status change). */
      status: fieldRule.optional(),
      /** Gives one HR unit key (a string), turned into an OU reference by `organizationalUnits`. */
      primaryOrganizationalUnit: fieldRule.optional(),
      /** Each gives a list of HR unit keys (or one key). */
      organizationalUnits: z
        .strictObject({ add: fieldRule.optional(), remove: fieldRule.optional() })
        .optional(),
    })
    .refine(
      (changes) => Object.values(changes).some((value) => value !== undefined),
      "needs at least one field",
    ),
  skipIfMissing: z.boolean().optional(),
  /**
   * How HR unit keys (department ids…) become EIAM OU references: `table` maps a key to `{id}`, `{externalId}` or
   * `{name}`; a key not in the table is refused when `table` is given, else used as `{[key]: value}` (default
   * `externalId`).
   */
  organizationalUnitLookup: z
    .strictObject({
      table: z.record(z.string().min(1), organizationalUnitRef).optional(),
      key: z.enum(["id", "externalId", "name"]).optional(),
    })
    .optional(),
});

const listSchema = z.array(mappingSchema).min(1, "needs at least one mapping");

type RawMapping = z.infer<typeof mappingSchema>;
type ExpressionNode = ReturnType<typeof compile>;

export type UserKeyName = (typeof USER_KEYS)[number];
export type ChangeFieldName = (typeof CHANGE_FIELDS)[number];

export interface CompiledExpression {
  /** As written in the file. */
  source: string;
  /** Compiled as `let $root = root in item | (source)`: `@` is the element (or the payload), `$root` the payload. */
  node: ExpressionNode;
}

export interface CompiledRule {
  expr: CompiledExpression;
  when?: CompiledExpression;
  nullMeans: "absent" | "remove";
}

export interface CompiledMapping {
  name: string;
  match?: CompiledExpression;
  each?: CompiledExpression;
  eventId: CompiledExpression;
  occurredAt: CompiledExpression;
  occurredAtFormat: "rfc3339" | "epoch-ms" | "epoch-s";
  /** The canonical `source`; defaults to the mapping's name. */
  source: string;
  /** Tried in the fixed order userId, externalId, username, email, phone; the first non-null result wins. */
  user: { key: UserKeyName; expr: CompiledExpression }[];
  changes: { field: ChangeFieldName; rule: CompiledRule }[];
  customFields: { name: string; rule: CompiledRule }[];
  lifecycle: {
    status?: CompiledRule;
    primaryOrganizationalUnit?: CompiledRule;
    add?: CompiledRule;
    remove?: CompiledRule;
  };
  organizationalUnitLookup: {
    table?: Readonly<Record<string, { id: string } | { externalId: string } | { name: string }>>;
    key: "id" | "externalId" | "name";
  };
  skipIfMissing: boolean;
}

export interface MappingConfig {
  mappings: CompiledMapping[];
}

export { CHANGE_FIELDS, USER_KEYS };

export class MappingConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MappingConfigError";
  }
}

function compileExpression(source: string, where: string): CompiledExpression {
  try {
    compile(source);
    // Compiled on its own first for a precise message; the wrapper can still fail (e.g. an unclosed quote
    // that swallows its closing parenthesis), and that is the same mistake in the file.
    return { source, node: compile(`let $root = root in item | (${source})`) };
  } catch (error) {
    throw new MappingConfigError(`${where}: invalid JMESPath expression: ${(error as Error).message}`);
  }
}

function compileRule(
  rule: string | { expr: string; when?: string; nullMeans?: "absent" | "remove" },
  where: string,
): CompiledRule {
  if (typeof rule === "string") return { expr: compileExpression(rule, where), nullMeans: "absent" };
  return {
    expr: compileExpression(rule.expr, `${where}.expr`),
    ...(rule.when === undefined ? {} : { when: compileExpression(rule.when, `${where}.when`) }),
    nullMeans: rule.nullMeans ?? "absent",
  };
}

function compileMapping(raw: RawMapping, where: string): CompiledMapping {
  const at = (key: string) => `${where} '${raw.name}': ${key}`;
  const optional = (key: string, source: string | undefined) =>
    source === undefined ? undefined : compileExpression(source, at(key));
  const match = optional("match", raw.match);
  const each = optional("each", raw.each);
  const {
    customFields = {},
    status,
    primaryOrganizationalUnit,
    organizationalUnits,
    ...fields
  } = raw.changes;
  const lifecycleRule = (key: string, rule: Parameters<typeof compileRule>[0] | undefined) =>
    rule === undefined ? undefined : compileRule(rule, at(`changes.${key}`));
  const lifecycle: CompiledMapping["lifecycle"] = {};
  const statusRule = lifecycleRule("status", status);
  if (statusRule) lifecycle.status = statusRule;
  const primaryRule = lifecycleRule("primaryOrganizationalUnit", primaryOrganizationalUnit);
  if (primaryRule) lifecycle.primaryOrganizationalUnit = primaryRule;
  const addRule = lifecycleRule("organizationalUnits.add", organizationalUnits?.add);
  if (addRule) lifecycle.add = addRule;
  const removeRule = lifecycleRule("organizationalUnits.remove", organizationalUnits?.remove);
  if (removeRule) lifecycle.remove = removeRule;
  return {
    name: raw.name,
    ...(match === undefined ? {} : { match }),
    ...(each === undefined ? {} : { each }),
    eventId: compileExpression(raw.eventId, at("eventId")),
    occurredAt: compileExpression(raw.occurredAt, at("occurredAt")),
    occurredAtFormat: raw.occurredAtFormat ?? "rfc3339",
    source: raw.source ?? raw.name,
    user: USER_KEYS.flatMap((key) => {
      const source = raw.user[key];
      return source === undefined ? [] : [{ key, expr: compileExpression(source, at(`user.${key}`)) }];
    }),
    changes: CHANGE_FIELDS.flatMap((field) => {
      const rule = fields[field];
      return rule === undefined ? [] : [{ field, rule: compileRule(rule, at(`changes.${field}`)) }];
    }),
    customFields: Object.entries(customFields).map(([name, rule]) => ({
      name,
      rule: compileRule(rule, at(`changes.customFields.${name}`)),
    })),
    lifecycle,
    organizationalUnitLookup: {
      ...(raw.organizationalUnitLookup?.table ? { table: raw.organizationalUnitLookup.table } : {}),
      key: raw.organizationalUnitLookup?.key ?? "externalId",
    },
    skipIfMissing: raw.skipIfMissing ?? false,
  };
}

type Issue = z.core.$ZodIssue;

/**
 * Flatten issues; for a union (string expression | rule object) keep the branch that matched the input's
 * type, so the message says what is wrong inside the object instead of zod's bare "Invalid input".
 */
function flattenIssues(
  issues: readonly Issue[],
  prefix: readonly PropertyKey[],
): { path: PropertyKey[]; message: string }[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const relevant = issue.errors.filter(
        (branch) => !branch.every((inner) => inner.code === "invalid_type" && inner.path.length === 0),
      );
      const branches = relevant.length > 0 ? relevant : issue.errors;
      if (branches.length === 1 && branches[0] !== undefined) return flattenIssues(branches[0], path);
    }
    return [{ path, message: issue.message }];
  });
}

function describeIssues(error: z.ZodError): string {
  return flattenIssues(error.issues, [])
    .slice(0, 10)
    .map(
      (issue) =>
        `${issue.path.length === 0 ? "(top level)" : issue.path.map(String).join(".")}: ${issue.message}`,
    )
    .join("; ");
}

/**
 * Validate and compile a mapping file's parsed JSON: one mapping object or an array of them (names unique).
 * Throws `MappingConfigError` naming the key at fault.
 */
export function loadMappingConfig(json: unknown): MappingConfig {
  if (typeof json !== "object" || json === null) {
    throw new MappingConfigError("invalid mapping config: expected a mapping object or an array of mappings");
  }
  // Parse the two forms separately so errors point into the mapping rather than at a union.
  const parsed = Array.isArray(json) ? listSchema.safeParse(json) : mappingSchema.safeParse(json);
  if (!parsed.success)
    throw new MappingConfigError(`invalid mapping config: ${describeIssues(parsed.error)}`);
  const raws = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const seen = new Set<string>();
  const mappings = raws.map((raw, index) => {
    if (seen.has(raw.name))
      throw new MappingConfigError(`invalid mapping config: the name '${raw.name}' is used twice`);
    seen.add(raw.name);
    return compileMapping(raw, Array.isArray(parsed.data) ? `mapping [${index}]` : "mapping");
  });
  return { mappings };
}
