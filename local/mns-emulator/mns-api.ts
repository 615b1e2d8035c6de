/** Routes a signed MNS request to its operation and runs it against the state. */
import { invalidArgument, MnsError, messageNotExist } from "./errors.ts";
import type { MnsOperation } from "./failures.ts";
import { MAX_BATCH_MESSAGES } from "./limits.ts";
import {
  expectRoot,
  parseBatchSendMessage,
  parsePublishMessage,
  parseQueueAttributes,
  parseReceiptHandles,
  parseSendMessage,
  parseTopicAttributes,
} from "./request-bodies.ts";
import { integerParam, parseRequestTarget, type RequestTarget } from "./request-target.ts";
import {
  batchDeleteErrorsDocument,
  changeVisibilityDocument,
  messageDocument,
  messagesDocument,
  peekedMessageFields,
  queueAttributesDocument,
  type ReceiptHandleFailure,
  receivedMessageFields,
  sentMessageFields,
  topicAttributesDocument,
} from "./responses.ts";
import type { MnsState } from "./state.ts";
import { parseXml, type XmlElement, XmlSyntaxError } from "./xml.ts";

export interface MnsApiRequest {
  method: string;
  rawUrl: string;
  body: Buffer;
  /** Used for the Location header of CreateQueue / CreateTopic. */
  baseUrl: string;
  /** Aborted when the client goes away, so a long poll stops without taking a message. */
  signal: AbortSignal;
}

export interface MnsApiResponse {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

interface Route {
  operation: MnsOperation;
  run: () => MnsApiResponse | Promise<MnsApiResponse>;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The request body as XML; undefined when empty. Not well-formed → MalformedXML. */
function xmlBody(body: Buffer): XmlElement | undefined {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new MnsError(
      "MalformedXML",
      "The XML you provided was not well-formed: the body is not valid UTF-8.",
    );
  }
  if (text.trim() === "") return undefined;
  try {
    return parseXml(text);
  } catch (error) {
    if (error instanceof XmlSyntaxError) {
      throw new MnsError("MalformedXML", `The XML you provided was not well-formed: ${error.message}.`);
    }
    throw error;
  }
}

function requiredXmlBody(body: Buffer, root: string): XmlElement {
  const element = xmlBody(body);
  if (!element) throw invalidArgument(`The request body must be a <${root}> document.`);
  return element;
}

const created = (location: string): MnsApiResponse => ({ status: 201, headers: { location } });
const noContent: MnsApiResponse = { status: 204 };

function queueRoute(state: MnsState, req: MnsApiRequest, name: string, target: RequestTarget): Route {
  switch (req.method) {
    case "PUT": {
      const element = xmlBody(req.body);
      if (element) expectRoot(element, "Queue");
      const attributes = element ? parseQueueAttributes(element) : {};
      if (target.query.get("metaoverride") === "true") {
        return {
          operation: "SetQueueAttributes",
          run: () => {
            state.setQueueAttributes(name, attributes);
            return noContent;
          },
        };
      }
      return {
        operation: "CreateQueue",
        run: () =>
          state.createQueue({ name, ...attributes }).created
            ? created(`${req.baseUrl}/queues/${name}`)
            : noContent,
      };
    }
    case "GET":
      return {
        operation: "GetQueueAttributes",
        run: () => ({ status: 200, body: queueAttributesDocument(state.queueInfo(name)) }),
      };
    case "DELETE":
      return {
        operation: "DeleteQueue",
        run: () => {
          state.deleteQueue(name);
          return noContent;
        },
      };
    default:
      throw unsupported(req);
  }
}

function sendRoute(state: MnsState, req: MnsApiRequest, name: string): Route {
  const element = requiredXmlBody(req.body, "Message");
  if (element.name === "Messages") {
    const inputs = parseBatchSendMessage(element);
    if (inputs.length < 1 || inputs.length > MAX_BATCH_MESSAGES) {
      throw invalidArgument(
        `A batch should hold between 1 and ${MAX_BATCH_MESSAGES} messages; got ${inputs.length}.`,
      );
    }
    return {
      operation: "BatchSendMessage",
      run: () => ({
        status: 201,
        body: messagesDocument(
          state.sendMessages(name, inputs).map((m) => sentMessageFields(m.messageId, m.bodyMd5)),
        ),
      }),
    };
  }
  expectRoot(element, "Message");
  const input = parseSendMessage(element);
  return {
    operation: "SendMessage",
    run: () => {
      const m = state.sendMessage(name, input);
      const delayed = m.visibleAt > m.enqueueTime;
      return {
        status: 201,
        body: messageDocument(
          sentMessageFields(m.messageId, m.bodyMd5, delayed ? m.receiptHandle : undefined),
        ),
      };
    },
  };
}

function receiveRoute(state: MnsState, req: MnsApiRequest, name: string, target: RequestTarget): Route {
  const numOfMessages = integerParam(target.query, "numOfMessages");
  const batch = numOfMessages !== undefined;
  if (target.query.get("peekonly") === "true") {
    return {
      operation: batch ? "BatchPeekMessage" : "PeekMessage",
      run: () => {
        const peeked = state.peekMessages(name, numOfMessages ?? 1);
        if (peeked.length === 0) throw messageNotExist();
        return {
          status: 200,
          body: batch
            ? messagesDocument(peeked.map(peekedMessageFields))
            : messageDocument(peekedMessageFields(peeked[0]!)),
        };
      },
    };
  }
  const waitSeconds = integerParam(target.query, "waitseconds");
  return {
    operation: batch ? "BatchReceiveMessage" : "ReceiveMessage",
    run: async () => {
      const wait = waitSeconds ?? state.queueInfo(name).attributes.pollingWaitSeconds;
      const received = await state.receiveMessages(name, numOfMessages ?? 1, wait, req.signal);
      if (received.length === 0) throw messageNotExist();
      return {
        status: 200,
        body: batch
          ? messagesDocument(received.map(receivedMessageFields))
          : messageDocument(receivedMessageFields(received[0]!)),
      };
    },
  };
}

function deleteRoute(state: MnsState, req: MnsApiRequest, name: string, target: RequestTarget): Route {
  const handle = target.query.get("receipthandle");
  if (handle !== undefined) {
    return {
      operation: "DeleteMessage",
      run: () => {
        if (handle === "")
          throw new MnsError("MissingReceiptHandle", "The ReceiptHandle parameter is empty.");
        state.deleteMessage(name, handle);
        return noContent;
      },
    };
  }
  const element = requiredXmlBody(req.body, "ReceiptHandles");
  expectRoot(element, "ReceiptHandles");
  const handles = parseReceiptHandles(element);
  if (handles.length < 1 || handles.length > MAX_BATCH_MESSAGES) {
    throw invalidArgument(
      `A batch should hold between 1 and ${MAX_BATCH_MESSAGES} receipt handles; got ${handles.length}.`,
    );
  }
  return {
    operation: "BatchDeleteMessage",
    run: () => {
      const failures: ReceiptHandleFailure[] = [];
      for (const receiptHandle of handles) {
        try {
          state.deleteMessage(name, receiptHandle);
        } catch (error) {
          if (!(error instanceof MnsError) || error.code === "QueueNotExist") throw error;
          failures.push({ receiptHandle, error });
        }
      }
      // The doc example answers a partial failure with 404 and an <Errors> list.
      return failures.length === 0 ? noContent : { status: 404, body: batchDeleteErrorsDocument(failures) };
    },
  };
}

function changeVisibilityRoute(state: MnsState, name: string, target: RequestTarget): Route {
  const handle = target.query.get("receipthandle");
  if (handle === undefined || handle === "") {
    throw new MnsError("MissingReceiptHandle", "ChangeMessageVisibility needs the receiptHandle parameter.");
  }
  const visibilityTimeout = integerParam(target.query, "visibilityTimeout");
  if (visibilityTimeout === undefined) {
    throw new MnsError(
      "MissingVisibilityTimeout",
      "ChangeMessageVisibility needs the visibilityTimeout parameter.",
    );
  }
  return {
    operation: "ChangeMessageVisibility",
    run: () => {
      const m = state.changeMessageVisibility(name, handle, visibilityTimeout);
      return { status: 200, body: changeVisibilityDocument(m.receiptHandle ?? "", m.visibleAt) };
    },
  };
}

function topicRoute(state: MnsState, req: MnsApiRequest, name: string, target: RequestTarget): Route {
  switch (req.method) {
    case "PUT": {
      const element = xmlBody(req.body);
      if (element) expectRoot(element, "Topic");
      const attributes = element ? parseTopicAttributes(element) : {};
      if (target.query.get("metaoverride") === "true") {
        return {
          operation: "SetTopicAttributes",
          run: () => {
            state.setTopicAttributes(name, attributes);
            return noContent;
          },
        };
      }
      return {
        operation: "CreateTopic",
        run: () =>
          state.createTopic({ name, ...attributes }).created
            ? created(`${req.baseUrl}/topics/${name}`)
            : noContent,
      };
    }
    case "GET":
      return {
        operation: "GetTopicAttributes",
        run: () => ({ status: 200, body: topicAttributesDocument(state.topicInfo(name)) }),
      };
    case "DELETE":
      return {
        operation: "DeleteTopic",
        run: () => {
          state.deleteTopic(name);
          return noContent;
        },
      };
    default:
      throw unsupported(req);
  }
}

function publishRoute(state: MnsState, req: MnsApiRequest, name: string): Route {
  const element = requiredXmlBody(req.body, "Message");
  expectRoot(element, "Message");
  const input = parsePublishMessage(element);
  return {
    operation: "PublishMessage",
    run: () => {
      const record = state.publishMessage(name, input);
      return { status: 201, body: messageDocument(sentMessageFields(record.messageId, record.bodyMd5)) };
    },
  };
}

function unsupported(req: MnsApiRequest): MnsError {
  return new MnsError(
    "InvalidRequestURL",
    `The emulator does not serve ${req.method} ${req.rawUrl.split("?")[0]}.`,
  );
}

function route(state: MnsState, req: MnsApiRequest): Route {
  const target = parseRequestTarget(req.rawUrl);
  const [collection, name, sub, ...rest] = target.segments;
  if (name === undefined || rest.length > 0) throw unsupported(req);
  if (collection === "queues" && sub === undefined) return queueRoute(state, req, name, target);
  if (collection === "queues" && sub === "messages") {
    if (req.method === "POST") return sendRoute(state, req, name);
    if (req.method === "GET") return receiveRoute(state, req, name, target);
    if (req.method === "DELETE") return deleteRoute(state, req, name, target);
    if (req.method === "PUT") return changeVisibilityRoute(state, name, target);
  }
  if (collection === "topics" && sub === undefined) return topicRoute(state, req, name, target);
  if (collection === "topics" && sub === "messages" && req.method === "POST")
    return publishRoute(state, req, name);
  throw unsupported(req);
}

/** Runs one authenticated MNS request; MnsError thrown here becomes an `<Error>` answer. */
export async function handleMnsApi(state: MnsState, req: MnsApiRequest): Promise<MnsApiResponse> {
  const { operation, run } = route(state, req);
  const injected = state.takeInjectedFailure(operation);
  if (injected) throw injected;
  return run();
}
