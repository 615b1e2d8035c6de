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
