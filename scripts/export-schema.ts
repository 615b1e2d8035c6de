/**
 * Writes the JSON Schemas of the documents we publish, from their zod schemas:
 * docs/canonical-event.schema.json (what producers send) and docs/dead-letter-record.schema.json (what
 * operators read from the dead-letter topic), docs/senders.schema.json (SENDERS_FILE). Run: npx tsx scripts/export-schema.ts
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as z from "zod";
import { DeadLetterRecord } from "../shared/dead-letter/record.ts";
import { SendersFile } from "../shared/door/routes.ts";
import { canonicalEventJsonSchema } from "../shared/events/json-schema.ts";

const write = (name: string, schema: unknown) => {
  const target = fileURLToPath(new URL(`../docs/${name}`, import.meta.url));
  writeFileSync(target, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${target}`);
};

write("canonical-event.schema.json", canonicalEventJsonSchema());
write("dead-letter-record.schema.json", z.toJSONSchema(DeadLetterRecord, { target: "draft-2020-12" }));
write("senders.schema.json", z.toJSONSchema(SendersFile, { target: "draft-2020-12" }));
