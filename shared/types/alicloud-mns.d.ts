// @alicloud/mns ships no type declarations; these cover the part we use (reference: mns-fc2.md §2).
declare module "@alicloud/mns" {
  interface MnsResponse<T = Record<string, unknown>> {
    code: number;
    headers: Record<string, string>;
    body?: T;
  }
  class MNSClient {
    constructor(
      accountId: string,
      opts: {
        accessKeyId: string;
        accessKeySecret: string;
        securityToken?: string;
        endpoint?: string;
        region?: string;
        secure?: boolean;
        readTimeout?: number;
        connectTimeout?: number;
      },
    );
    publishMessage(
      topic: string,
      params: { MessageBody: string; MessageTag?: string },
    ): Promise<MnsResponse<{ MessageId?: string }>>;
    sendMessage(
      queue: string,
      params: { MessageBody: string; DelaySeconds?: number; Priority?: number },
    ): Promise<MnsResponse<{ MessageId?: string }>>;
    receiveMessage(queue: string, waitSeconds?: number): Promise<MnsResponse<Record<string, string>>>;
    batchReceiveMessage(
      queue: string,
      numOfMessages: number,
      waitSeconds?: number,
    ): Promise<MnsResponse<Array<Record<string, string>>>>;
    peekMessage(queue: string): Promise<MnsResponse<Record<string, string>>>;
    batchPeekMessage(
      queue: string,
      numOfMessages: number,
    ): Promise<MnsResponse<Array<Record<string, string>>>>;
    deleteMessage(queue: string, receiptHandle: string): Promise<MnsResponse>;
    changeMessageVisibility(
      queue: string,
      receiptHandle: string,
      visibilityTimeout: number,
    ): Promise<MnsResponse<Record<string, string>>>;
  }
  export default MNSClient;
}
