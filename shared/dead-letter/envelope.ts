/**
 * How a dead-letter record fits into MNS messages (at most 64 KB each), losing nothing:
 * 1. the record's JSON as is, when it fits;
 * 2. else gzip + Base64 in one `…dead-letter.gz` message;
 * 3. else that Base64 text cut into `…dead-letter.part` messages that share a recordId, to be joined by readers.
 * Readers (the CLI) accept all three, and FC's own async-failure records too.
 */
import { gunzipSync, gzipSync } from "node:zlib";

export const MNS_MAX_BODY_BYTES = 64 * 1024;

export interface CompressedEnvelope {
  kind: "eiam-user-sync.dead-letter.gz";
  version: 1;
  recordId: string;
  data: string;
}

export interface PartEnvelope {
  kind: "eiam-user-sync.dead-letter.part";
  version: 1;
  recordId: string;
  part: number;
  parts: number;
  data: string;
}

/** The MNS message bodies for one record, in publishing order. */
export function encodeForMns(recordJson: string, recordId: string, maxBytes = MNS_MAX_BODY_BYTES): string[] {
  if (Buffer.byteLength(recordJson) <= maxBytes) return [recordJson];
  const data = gzipSync(Buffer.from(recordJson)).toString("base64");
  const compressed: CompressedEnvelope = {
    kind: "eiam-user-sync.dead-letter.gz",
    version: 1,
    recordId,
    data,
  };
  const single = JSON.stringify(compressed);
  if (Buffer.byteLength(single) <= maxBytes) return [single];

  const overhead = JSON.stringify({
    ...compressed,
    kind: "eiam-user-sync.dead-letter.part",
    part: 99999,
    parts: 99999,
    data: "",
  });
  const chunk = maxBytes - Buffer.byteLength(overhead);
  const parts = Math.ceil(data.length / chunk);
  return Array.from({ length: parts }, (_, i) =>
    JSON.stringify({
      kind: "eiam-user-sync.dead-letter.part",
      version: 1,
      recordId,
      part: i + 1,
      parts,
      data: data.slice(i * chunk, (i + 1) * chunk),
    } satisfies PartEnvelope),
  );
}

export function decompress(data: string): string {
  return gunzipSync(Buffer.from(data, "base64")).toString("utf8");
}

/** Joins the parts of one record (any order); undefined while some are missing. */
export function joinParts(parts: readonly PartEnvelope[]): string | undefined {
  const total = parts[0]?.parts;
  if (total === undefined) return undefined;
  const byNumber = new Map(parts.map((p) => [p.part, p.data]));
  if (byNumber.size !== total) return undefined;
  let data = "";
  for (let i = 1; i <= total; i++) {
    const piece = byNumber.get(i);
    if (piece === undefined) return undefined;
    data += piece;
  }
  return decompress(data);
}
