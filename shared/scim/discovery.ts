/** /ServiceProviderConfig, /ResourceTypes and /Schemas (RFC 7643 §5–7): exactly what this service supports. */
import type { ResolvedScimOptions } from "./options.ts";
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from "./render.ts";

export const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const REPORT_SCHEMA = "urn:eiam-user-sync:params:scim:schemas:extension:report:1.0:User";

export function serviceProviderConfig(options: ResolvedScimOptions): Record<string, unknown> {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: options.maxResults },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "Bearer token",
        description:
          "A static bearer token in the Authorization header, checked against the configured list.",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${options.baseUrl}/ServiceProviderConfig` },
  };
}

export function userResourceType(options: ResolvedScimOptions): Record<string, unknown> {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
    id: "User",
    name: "User",
    endpoint: "/Users",
    description: "An EIAM account",
    schema: USER_SCHEMA,
    schemaExtensions: [
      { schema: ENTERPRISE_SCHEMA, required: false },
      { schema: REPORT_SCHEMA, required: false },
    ],
    meta: { resourceType: "ResourceType", location: `${options.baseUrl}/ResourceTypes/User` },
  };
}

type Attribute = Record<string, unknown>;

function attr(name: string, extra: Attribute = {}): Attribute {
  return {
    name,
    type: "string",
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    ...extra,
  };
}

function complex(name: string, subAttributes: Attribute[], extra: Attribute = {}): Attribute {
  const { caseExact: _caseExact, uniqueness: _uniqueness, ...base } = attr(name, extra);
  return { ...base, type: "complex", subAttributes };
}

/** Core User attributes this service reads or writes (the rest are reported as not applied). */
function userAttributes(): Attribute[] {
  const entry = (typeDefault: string) => [
    attr("value"),
    attr("type", { canonicalValues: [typeDefault] }),
    attr("primary", { type: "boolean" }),
  ];
  return [
    attr("id", { mutability: "readOnly", returned: "always", caseExact: true, uniqueness: "server" }),
    attr("externalId", { caseExact: true, mutability: "immutable" }),
    attr("userName", { required: true, uniqueness: "server" }),
    attr("displayName"),
    complex("name", [attr("formatted"), attr("givenName"), attr("familyName")]),
    attr("active", { type: "boolean" }),
    complex("emails", entry("work"), { multiValued: true }),
    complex("phoneNumbers", entry("mobile"), { multiValued: true }),
  ];
}

function enterpriseAttributes(options: ResolvedScimOptions): Attribute[] {
  const prefix = `${ENTERPRISE_SCHEMA.toLowerCase()}:`;
  const names = Object.keys(options.customFieldMap)
    .filter((key) => key.toLowerCase().startsWith(prefix))
    .map((key) => key.slice(prefix.length).split(".", 1)[0] ?? "");
  return [...new Set(names)].map((name) =>
    name === "manager" ? complex("manager", [attr("value")]) : attr(name),
  );
}

export function schemas(options: ResolvedScimOptions): Record<string, unknown>[] {
  const meta = (id: string) => ({ resourceType: "Schema", location: `${options.baseUrl}/Schemas/${id}` });
  return [
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
      id: USER_SCHEMA,
      name: "User",
      description: "User account (the attributes EIAM holds)",
      attributes: userAttributes(),
      meta: meta(USER_SCHEMA),
    },
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
      id: ENTERPRISE_SCHEMA,
      name: "EnterpriseUser",
      description: "Enterprise User attributes mapped to EIAM custom fields",
      attributes: enterpriseAttributes(options),
      meta: meta(ENTERPRISE_SCHEMA),
    },
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
      id: REPORT_SCHEMA,
      name: "Report",
      description: "Attributes of the request that were not applied, with the reason",
      attributes: [
        complex(
          "ignored",
          [attr("path", { mutability: "readOnly" }), attr("reason", { mutability: "readOnly" })],
          {
            multiValued: true,
            mutability: "readOnly",
            returned: "request",
          },
        ),
      ],
      meta: meta(REPORT_SCHEMA),
    },
  ];
}

export function listResponse(
  resources: unknown[],
  totalResults: number,
  startIndex: number,
): Record<string, unknown> {
  return {
    schemas: [LIST_SCHEMA],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
