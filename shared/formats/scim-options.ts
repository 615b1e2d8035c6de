/** How SCIM attributes map to EIAM fields (the SCIM format's settings). */
export interface ScimOptions {
  /**
   * SCIM attribute path → EIAM custom field name. When given it replaces the defaults
   * (spread `DEFAULT_SCIM_CUSTOM_FIELD_MAP` to extend them). Paths are case-insensitive; core attributes may be
   * written short (`title`) and extension attributes in full (`urn:…:enterprise:2.0:User:costCenter`).
   */
  customFieldMap?: Record<string, string>;
  /** Default `name.formatted`. `givenName`/`familyName` are used only when this says so. */
  displayNameFrom?: "name.formatted" | "givenName familyName" | "familyName givenName";
  /** Which `emails` entry to apply: this `type` (default `work`), else the `primary` one. */
  emailType?: string;
  /** Which `phoneNumbers` entry to apply: this `type` (default `mobile`), else the `primary` one. */
  phoneType?: string;
  /** The canonical `source` of SCIM events (part of the idempotency key). Default `scim`. */
  source?: string;
}
