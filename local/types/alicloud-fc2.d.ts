// @alicloud/fc2 2.6.6 ships no type declarations; these cover the part the local tooling uses
// (reference: mns-fc2.md §3; lib/client.js constructor and invokeFunction).
declare module "@alicloud/fc2" {
  interface FCClientConfig {
    /** Spelled `accessKeyID`; there is no `accessKeyId` alias. */
    accessKeyID: string;
    accessKeySecret: string;
    /** Only read when `accessKeyID` starts with `STS` (then it is required and signed as `x-fc-security-token`). */
    securityToken?: string;
    /** Required even with `endpoint`. */
    region: string;
    /** `http(s)://host[:port]`; the Host header becomes the hostname without the port. */
    endpoint?: string;
    secure?: boolean;
    internal?: boolean;
    /** Milliseconds; default 60000. */
    timeout?: number;
    headers?: Record<string, string>;
  }

  interface FCResponse {
    headers: Record<string, string | string[] | undefined>;
    /** Parsed JSON when the answer is `application/json`, else the text (or a Buffer with `rawBuf`). */
    data: unknown;
  }

  class FCClient {
    constructor(accountId: string, config: FCClientConfig);
    invokeFunction(
      serviceName: string,
      functionName: string,
      event: string | Buffer,
      headers?: Record<string, string>,
      qualifier?: string,
      opts?: { rawBuf?: boolean },
    ): Promise<FCResponse>;
    static getSignature(
      accessKeyID: string,
      accessKeySecret: string,
      method: string,
      path: string,
      headers: Record<string, string | number>,
      queries?: Record<string, string | string[]> | null,
    ): string;
  }

  export default FCClient;
}
