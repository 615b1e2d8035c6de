/**
 * Payloads shaped like each supported format. Half are realistic throughout (accepted or refused on a value
 * rule, so the accept paths and normalization get fuzzed), half mix in hostile values and foreign shapes (so the
 * rejection paths do). Either way the fuzzer reaches the deeper code: normalization, SCIM paths, JMESPath.
 */
import fc from "fast-check";
import { hostileJson, hostileKey, hostileString } from "./hostile-input.ts";
import * as real from "./realistic-values.ts";

const CORE = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

type Arb = fc.Arbitrary<unknown>;

/** How a field's value is chosen: as is (realistic), or now and then replaced by something hostile. */
interface Mix {
  /** Mostly the right type, sometimes anything at all. */
  value(arb: Arb): Arb;
  /** Mostly the realistic value, sometimes a hostile string. */
  field(arb: Arb): Arb;
  /** An extra member that usually is not there. */
  rarely(arb: Arb): Arb;
  scalar: Arb;
  hostile: boolean;
}

const REALISTIC: Mix = {
  value: (arb) => arb,
  field: (arb) => arb,
  rarely: () => fc.constant(undefined),
  scalar: fc.oneof(real.plausibleId, fc.integer(), fc.boolean(), fc.constant(null)),
  hostile: false,
};

const HOSTILE: Mix = {
  value: (arb) => fc.oneof({ weight: 8, arbitrary: arb }, { weight: 1, arbitrary: hostileJson }),
  field: (arb) =>
    HOSTILE.value(fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: hostileString })),
  rarely: (arb) => fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb }),
  scalar: fc.oneof(hostileString, fc.integer(), fc.boolean(), fc.constant(null)),
  hostile: true,
};

const maybe = (arb: Arb) => fc.option(arb, { nil: undefined });

function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

function canonical(m: Mix) {
  const userKey = fc.oneof(
    { weight: 3, arbitrary: m.field(real.eiamUserId).map((userId) => ({ userId })) },
    { weight: 1, arbitrary: m.field(real.email).map((email) => ({ email })) },
    { weight: 1, arbitrary: m.field(real.phone).map((phone) => ({ phone })) },
    { weight: 1, arbitrary: m.field(real.username).map((username) => ({ username })) },
    {
      weight: 1,
      arbitrary: m
        .field(
          fc.oneof(
            real.plausibleId,
            fc.record({ id: real.plausibleId, sourceType: maybe(real.plausibleId) }),
          ),
        )
        .map((externalId) => ({ externalId })),
    },
    ...(m.hostile ? [{ weight: 1, arbitrary: fc.dictionary(hostileKey, hostileJson, { maxKeys: 3 }) }] : []),
  );
  const customFields = m.hostile
    ? fc.oneof(
        { weight: 4, arbitrary: real.customFields },
        {
          weight: 1,
          arbitrary: fc.dictionary(fc.oneof(hostileKey, fc.constant("nick_name")), m.scalar, { maxKeys: 4 }),
        },
      )
    : real.customFields;
  const changes = fc
    .record({
      username: maybe(m.field(real.username)),
      displayName: maybe(m.field(real.displayName)),
      email: maybe(m.field(real.email)),
      emailVerified: maybe(m.value(fc.boolean())),
      phone: maybe(m.field(real.phone)),
      phoneVerified: maybe(m.value(fc.boolean())),
      customFields: maybe(m.value(customFields)),
      extra: m.rarely(hostileJson),
    })
    .map(compact);
  return fc
    .record({
      id: m.field(real.plausibleId),
      source: maybe(m.field(real.plausibleId)),
      occurredAt: m.field(real.isoTime),
      user: m.value(userKey),
      changes: m.value(changes),
    })
    .map(compact);
}

function cloudEvent(m: Mix) {
  const event = canonical(m);
  return fc
    .record({
      specversion: m.value(m.hostile ? fc.constantFrom("1.0", "1.0", "1.0", "0.3", "1") : fc.constant("1.0")),
      id: maybe(m.field(real.plausibleId)),
      source: maybe(m.field(real.plausibleId)),
      type: maybe(m.field(real.plausibleId)),
      time: maybe(m.field(real.isoTime)),
      data: maybe(m.value(event)),
      data_base64: maybe(
        fc.oneof(
          event.map((e) => Buffer.from(JSON.stringify(e)).toString("base64")),
          ...(m.hostile ? [hostileString] : []),
        ),
      ),
    })
    .map(compact);
}

function scimPut(m: Mix) {
  const multiValued = fc.array(
    fc
      .record({
        value: maybe(m.field(fc.oneof(real.email, real.phone))),
        type: maybe(m.value(fc.constantFrom("work", "home", "mobile", "other", "Work"))),
        primary: maybe(m.value(fc.boolean())),
      })
      .map(compact),
    { maxLength: 3 },
  );
  return fc
    .record({
      schemas: m.value(fc.constantFrom([CORE], [CORE, ENTERPRISE], [ENTERPRISE], [CORE.toUpperCase()])),
      id: maybe(m.field(fc.oneof(real.eiamUserId, real.plausibleId))),
      externalId: maybe(m.field(real.plausibleId)),
      userName: maybe(m.field(real.username)),
      displayName: maybe(m.field(real.displayName)),
      name: maybe(
        m.value(
          fc
            .record({
              formatted: maybe(m.field(real.displayName)),
              givenName: maybe(m.field(real.displayName)),
              familyName: maybe(m.field(real.displayName)),
            })
            .map(compact),
        ),
      ),
      emails: maybe(m.value(multiValued)),
      phoneNumbers: maybe(m.value(multiValued)),
      active: maybe(m.value(fc.boolean())),
      [ENTERPRISE]: maybe(
        m.value(
          fc
            .record({
              employeeNumber: maybe(m.value(fc.oneof(m.scalar, real.plausibleId))),
              costCenter: maybe(m.value(fc.oneof(m.scalar, real.plausibleId))),
              department: maybe(m.value(fc.oneof(m.scalar, real.displayName))),
              manager: maybe(m.value(fc.record({ value: m.field(real.plausibleId) }))),
            })
            .map(compact),
        ),
      ),
      meta: maybe(m.value(fc.record({ lastModified: m.field(real.isoTime) }))),
      extra: m.rarely(hostileJson),
    })
    .map(compact);
}

const SCIM_PATHS = [
  "userName",
  "displayName",
  "name.formatted",
  "name.givenName",
  'emails[type eq "work"].value',
  "emails[primary eq true].value",
  'phoneNumbers[type eq "mobile"].value',
  "emails",
  "phoneNumbers",
  "active",
  `${ENTERPRISE}:costCenter`,
  `${ENTERPRISE}:employeeNumber`,
  `${ENTERPRISE}:manager`,
];
const ODD_SCIM_PATHS = [
  'emails[value co "x"].value',
  'emails[type eq "work" and primary eq true].value',
  "emails[type eq ].value",
  "name..formatted",
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:",
];

function scimPatch(m: Mix) {
  const path = m.hostile
    ? fc.oneof(fc.constantFrom(...SCIM_PATHS, ...ODD_SCIM_PATHS), hostileString)
    : fc.constantFrom(...SCIM_PATHS);
  const op = m.hostile
    ? fc.constantFrom("add", "replace", "remove", "Replace", "REMOVE", "move", "")
    : fc.constantFrom("add", "replace", "remove", "Replace");
  return fc
    .record({
      schemas: m.value(fc.constant([PATCH_OP])),
      id: m.field(real.eiamUserId),
      Operations: m.value(
        fc.array(
          fc
            .record({
              op: m.value(op),
              path: maybe(m.value(path)),
              value: maybe(
                fc.oneof(
                  real.email,
                  real.phone,
                  real.displayName,
                  real.customFields,
                  scimPut(m),
                  ...(m.hostile ? [hostileJson] : []),
                ),
              ),
            })
            .map(compact),
          { minLength: 1, maxLength: 4 },
        ),
      ),
    })
    .map(compact);
}

const BAMBOO_FIELDS = ["firstName", "lastName", "workEmail", "mobilePhone", "employeeNumber"];

function bamboo(m: Mix) {
  const employee = fc
    .record({
      id: m.field(fc.oneof(real.plausibleId, fc.integer({ min: 0 }))),
      timestamp: m.field(real.isoTime),
      fields: m.value(
        fc
          .record({
            firstName: maybe(m.field(real.displayName)),
            lastName: maybe(m.field(real.displayName)),
            workEmail: maybe(m.field(real.email)),
            mobilePhone: maybe(m.field(real.phone)),
            employeeNumber: maybe(m.value(fc.oneof(m.scalar, real.plausibleId))),
          })
          .map(compact),
      ),
      changedFields: maybe(
        m.value(
          fc.array(
            m.hostile
              ? fc.oneof(fc.constantFrom(...BAMBOO_FIELDS), hostileString)
              : fc.constantFrom(...BAMBOO_FIELDS),
          ),
        ),
      ),
    })
    .map(compact);
  return fc.record({ employees: m.value(fc.array(employee, { maxLength: 3 })) });
}

function feishu(m: Mix) {
  const user = fc
    .record({
      user_id: maybe(m.field(real.plausibleId)),
      name: maybe(m.field(real.displayName)),
      email: maybe(m.field(real.email)),
      mobile: maybe(m.field(real.phone)),
      employee_no: maybe(m.value(fc.oneof(m.scalar, real.plausibleId))),
      en_name: maybe(m.value(fc.oneof(m.scalar, real.displayName))),
    })
    .map(compact);
  return fc.record({
    schema: m.value(fc.constant("2.0")),
    header: m.value(
      fc.record({
        event_id: m.field(real.plausibleId),
        event_type: m.value(fc.constant("contact.user.updated_v3")),
        create_time: m.field(fc.oneof(real.epochMillisText, fc.integer({ min: 0 }))),
      }),
    ),
    event: m.value(fc.record({ object: m.value(user), old_object: maybe(m.value(user)) }).map(compact)),
  });
}

const both = (build: (m: Mix) => Arb) => fc.oneof(build(REALISTIC), build(HOSTILE));

export const canonicalShaped = both(canonical);
export const cloudEventShaped = both(cloudEvent);
export const scimPutShaped = both(scimPut);
export const scimPatchShaped = both(scimPatch);
export const bambooShaped = both(bamboo);
export const feishuShaped = both(feishu);

export const anyPayload: Arb = fc.oneof(
  canonicalShaped,
  fc.array(canonicalShaped, { minLength: 1, maxLength: 3 }),
  cloudEventShaped,
  fc.array(cloudEventShaped, { minLength: 1, maxLength: 3 }),
  scimPutShaped,
  scimPatchShaped,
  bambooShaped,
  feishuShaped,
  hostileJson,
);
