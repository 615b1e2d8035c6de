import type { EiamCredentials } from "./types.ts";

/**
 * The credential object `@alicloud/openapi-client` asks for (`config.credential`), for keys we already hold:
 * the invocation's STS keys or static AccessKeys. Same answers as the SDK's own static providers, including
 * the provider name it signs into `x-acs-credentials-provider`.
 */
export class StaticCredential {
  private readonly type: "sts" | "access_key";
  private readonly providerName: "static_sts" | "static_ak";

  constructor(private readonly keys: EiamCredentials) {
    this.type = keys.securityToken ? "sts" : "access_key";
    this.providerName = keys.securityToken ? "static_sts" : "static_ak";
  }

  async getCredential() {
    return {
      accessKeyId: this.keys.accessKeyId,
      accessKeySecret: this.keys.accessKeySecret,
      securityToken: this.keys.securityToken,
      bearerToken: undefined,
      type: this.type,
      providerName: this.providerName,
    };
  }
  async getAccessKeyId() {
    return this.keys.accessKeyId;
  }
  async getAccessKeySecret() {
    return this.keys.accessKeySecret;
  }
  async getSecurityToken() {
    return this.keys.securityToken;
  }
  getBearerToken() {
    return undefined;
  }
  getType() {
    return this.type;
  }
}
