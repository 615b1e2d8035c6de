/** MNS error codes the emulator can answer with, and their HTTP statuses (MNS error-code table). */
export const MNS_ERROR_STATUS = {
  AccessDenied: 403,
  InvalidAccessKeyId: 403,
  SignatureDoesNotMatch: 403,
  InvalidArgument: 400,
  MalformedXML: 400,
  InvalidDegist: 400,
  MissingAuthorizationHeader: 400,
  MissingDateHeader: 400,
  InvalidAuthorizationHeader: 400,
  InvalidDateHeader: 400,
  InvalidRequestURL: 400,
  InvalidQueryString: 400,
  MissingReceiptHandle: 400,
  MissingVisibilityTimeout: 400,
  ReceiptHandleError: 400,
  QueueNotExist: 404,
  TopicNotExist: 404,
  MessageNotExist: 404,
  SubscriptionNotExist: 404,
  QueueAlreadyExist: 409,
  TopicAlreadyExist: 409,
  SubscriptionAlreadyExist: 409,
  TimeExpired: 408,
  InternalError: 500,
  InternalServerError: 500,
  ServiceUnavailable: 503,
} as const;

export type MnsErrorCode = keyof typeof MNS_ERROR_STATUS;

export function isMnsErrorCode(code: string): code is MnsErrorCode {
  return Object.hasOwn(MNS_ERROR_STATUS, code);
}

/** An error the emulator answers with an `<Error>` document; thrown anywhere below the HTTP layer. */
export class MnsError extends Error {
  readonly code: MnsErrorCode;
  readonly status: number;

  constructor(code: MnsErrorCode, message: string) {
    super(message);
    this.name = "MnsError";
    this.code = code;
    this.status = MNS_ERROR_STATUS[code];
  }
}

export const queueNotExist = (name: string): MnsError =>
  new MnsError("QueueNotExist", `The queue name you provided is not exist: ${name}.`);

export const topicNotExist = (name: string): MnsError =>
  new MnsError("TopicNotExist", `The topic you provided does not exist: ${name}.`);

export const messageNotExist = (detail = "Message not exist."): MnsError =>
  new MnsError("MessageNotExist", detail);

export const invalidArgument = (message: string): MnsError => new MnsError("InvalidArgument", message);

/** The doc wording for range errors: "The value of X should between Low and High". */
export function checkIntegerRange(field: string, value: number, low: number, high: number, unit = ""): void {
  if (!Number.isInteger(value) || value < low || value > high) {
    const suffix = unit ? ` ${unit}` : "";
    throw invalidArgument(`The value of ${field} should between ${low} and ${high}${suffix}; got ${value}.`);
  }
}
