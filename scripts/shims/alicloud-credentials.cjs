// Build-time stand-in for `@alicloud/credentials` inside the function bundle. Our EIAM client hands
// `@alicloud/openapi-client` a ready credential object (shared/eiam/static-credential.ts), so the package's
// provider chain (ECS role, OIDC, CLI profiles, …: 63 KB) is never used; constructing it is a bug.
class Credential {
  constructor() {
    throw new Error(
      "@alicloud/credentials is not bundled: pass config.credential (shared/eiam/static-credential.ts)",
    );
  }
}
class Config {
  constructor(map) {
    Object.assign(this, map);
  }
}
module.exports = { __esModule: true, default: Credential, Config };
