/** The demo tenant that `npm start` and the examples in the README use. */
export const DEMO_INSTANCE_ID = "idaas_local_demo";
export const DEMO_CREDENTIALS = { accessKeyId: "LTAI_local_demo", accessKeySecret: "local-demo-secret" };

export const DEMO_USERS = [
  {
    userId: "user_d6sbsuumeta4h66ec3il7yxxxx",
    username: "zhang.san",
    displayName: "Zhang San",
    email: "zhang.san@example.com",
    emailVerified: true,
    userExternalId: "hr-1001",
    userSourceType: "build_in",
    userSourceId: DEMO_INSTANCE_ID,
  },
  {
    userId: "user_li4si0000000000000000000",
    username: "li.si",
    displayName: "Li Si",
    email: "li.si@example.com",
    emailVerified: true,
    phoneRegion: "86",
    phoneNumber: "15612340000",
    phoneNumberVerified: true,
    userExternalId: "hr-1002",
    userSourceType: "build_in",
    userSourceId: DEMO_INSTANCE_ID,
  },
  // Known to the sample HR payloads (BambooHR employee ids 123 and 124, test/fixtures/formats/mapped/).
  { userId: "user_ada0000000000000000000000", username: "ada", displayName: "Ada", userExternalId: "123" },
  {
    userId: "user_grace000000000000000000000",
    username: "grace",
    displayName: "Grace",
    userExternalId: "124",
  },
];

/** Organizational units under the demo instance's root; ids fixed so the README and the mapping examples can name them. */
export const DEMO_ORGANIZATIONAL_UNITS = [
  { organizationalUnitId: "ou_engineering000000000000000", name: "Engineering", externalId: "dept-eng" },
  { organizationalUnitId: "ou_sales000000000000000000000", name: "Sales", externalId: "dept-sales" },
  { organizationalUnitId: "ou_finance0000000000000000000", name: "Finance", externalId: "dept-fin" },
  {
    organizationalUnitId: "ou_platform000000000000000000",
    name: "Platform",
    externalId: "dept-eng-platform",
    parentId: "ou_engineering000000000000000",
  },
];

export const DEMO_CUSTOM_FIELDS = [
  { fieldName: "nick_name", maxLength: 64 },
  { fieldName: "cost_center", maxLength: 32 },
  { fieldName: "employee_number", maxLength: 32 },
  { fieldName: "department", maxLength: 128 },
];
