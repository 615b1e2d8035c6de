/** An access key the emulator accepts. With `securityToken` it is an STS key: requests must carry that token. */
export interface EmulatorCredential {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export const DEFAULT_CREDENTIALS: readonly EmulatorCredential[] = [
  { accessKeyId: "LTAI_local_demo", accessKeySecret: "local-demo-secret" },
];
