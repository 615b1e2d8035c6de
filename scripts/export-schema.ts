/**
 * Writes docs/canonical-event.schema.json from the zod schema of the canonical event.
 * Run: npx tsx scripts/export-schema.ts
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { canonicalEventJsonSchema } from "../shared/events/json-schema.ts";

const target = fileURLToPath(new URL("../docs/canonical-event.schema.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(canonicalEventJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
