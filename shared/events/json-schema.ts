import * as z from "zod";
import { canonicalEventSchema } from "./canonical.ts";

/**
 * The JSON Schema (draft 2020-12) of the event as producers send it. It carries the shape and identifier
 * rules; value rules that need code (real dates, phone numbers, e-mail domains) are in the descriptions.
 */
export function canonicalEventJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(canonicalEventSchema, { io: "input", target: "draft-2020-12" });
}
