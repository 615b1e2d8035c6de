/** EIAM 2021-12-01 wire shapes that this project uses (names as on the wire). */

export interface EiamCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export type CustomFieldOperation = "add" | "replace" | "remove";

export interface UpdateUserParams {
  InstanceId: string;
  UserId: string;
  Username?: string;
  DisplayName?: string;
  PhoneRegion?: string;
  PhoneNumber?: string;
  PhoneNumberVerified?: boolean;
  Email?: string;
  EmailVerified?: boolean;
  CustomFields?: Array<{ FieldName: string; FieldValue?: string; Operation: CustomFieldOperation }>;
}

export interface EiamUserSummary {
  UserId: string;
  Username?: string;
  DisplayName?: string;
  Email?: string;
  EmailVerified?: boolean;
  PhoneRegion?: string;
  PhoneNumber?: string;
  PhoneNumberVerified?: boolean;
  Status?: string;
  UserExternalId?: string;
  UserSourceType?: string;
  UserSourceId?: string;
  InstanceId?: string;
  CreateTime?: number;
  UpdateTime?: number;
}

export interface EiamUser extends EiamUserSummary {
  CustomFields?: Array<{ FieldName: string; FieldValue: string }>;
  PrimaryOrganizationalUnitId?: string;
  OrganizationalUnits?: Array<{
    OrganizationalUnitId: string;
    OrganizationalUnitName?: string;
    Primary?: boolean;
  }>;
}

export interface ListUsersFilter {
  UsernameStartsWith?: string;
  DisplayNameStartsWith?: string;
  Email?: string;
  PhoneRegion?: string;
  PhoneNumber?: string;
  Status?: "enabled" | "disabled";
  UserExternalId?: string;
  UserSourceType?: string;
  UserSourceId?: string;
  UserIds?: string[];
}

export interface ListUsersPage {
  totalCount: number;
  users: EiamUserSummary[];
  requestId: string;
}

export interface CreateUserParams {
  InstanceId: string;
  Username: string;
  PrimaryOrganizationalUnitId: string;
  DisplayName?: string;
  Email?: string;
  EmailVerified?: boolean;
  PhoneRegion?: string;
  PhoneNumber?: string;
  PhoneNumberVerified?: boolean;
  UserExternalId?: string;
  OrganizationalUnitIds?: string[];
  CustomFields?: Array<{ FieldName: string; FieldValue: string }>;
  /** Idempotence: the same token answers the user created the first time (ASCII, at most 64). */
  ClientToken?: string;
}

/** EnableUser, DisableUser and DeleteUser. */
export interface UserRef {
  InstanceId: string;
  UserId: string;
}

export interface SetPrimaryOrganizationalUnitParams extends UserRef {
  OrganizationalUnitId: string;
}

/** AddUserToOrganizationalUnits and RemoveUserFromOrganizationalUnits: at most 100 ids a call. */
export interface OrganizationalUnitsParams extends UserRef {
  OrganizationalUnitIds: string[];
}

export interface ListOrganizationalUnitsFilter {
  OrganizationalUnitName?: string;
  OrganizationalUnitIds?: string[];
  ParentId?: string;
}

export interface EiamOrganizationalUnit {
  OrganizationalUnitId: string;
  OrganizationalUnitName?: string;
  OrganizationalUnitExternalId?: string;
  ParentId?: string;
}

export interface ListOrganizationalUnitsPage {
  totalCount: number;
  organizationalUnits: EiamOrganizationalUnit[];
  requestId: string;
}
