import type { EmulatorUser } from "./users.ts";

/** ListUsers item: GetUser's fields minus CustomFields, Groups, OrganizationalUnits, PrimaryOrganizationalUnitId, PreferredLanguage. */
export function userSummaryView(user: EmulatorUser): Record<string, unknown> {
  return {
    InstanceId: user.instanceId,
    UserId: user.userId,
    Username: user.username,
    DisplayName: user.displayName,
    Description: user.description,
    Email: user.email,
    EmailVerified: user.emailVerified,
    PhoneRegion: user.phoneRegion,
    PhoneNumber: user.phoneNumber,
    PhoneNumberVerified: user.phoneNumberVerified,
    PasswordSet: user.passwordSet,
    Status: user.status,
    UserExternalId: user.userExternalId,
    UserSourceType: user.userSourceType,
    UserSourceId: user.userSourceId,
    CreateTime: user.createTime,
    UpdateTime: user.updateTime,
    RegisterTime: user.registerTime,
    PasswordExpireTime: user.passwordExpireTime,
  };
}

/** GetUser `User`. Fields without a value are left out (JSON drops undefined). */
export function userDetailView(user: EmulatorUser, ouName: (id: string) => string): Record<string, unknown> {
  return {
    ...userSummaryView(user),
    PrimaryOrganizationalUnitId: user.primaryOrganizationalUnitId,
    OrganizationalUnits: user.organizationalUnitIds.map((id) => ({
      OrganizationalUnitId: id,
      OrganizationalUnitName: ouName(id),
      Primary: id === user.primaryOrganizationalUnitId,
    })),
    Groups: [],
    CustomFields: Object.entries(user.customFields).map(([FieldName, FieldValue]) => ({
      FieldName,
      FieldValue,
    })),
  };
}
