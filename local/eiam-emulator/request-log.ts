import type { FaultKind, FaultReason } from "./faults.ts";

/** One signed-API request as the emulator saw and answered it. */
export interface RequestLogEntry {
  /** ISO time the request arrived. */
  time: string;
  requestId: string;
  /** "" when the request named no action. */
  action: string;
  /** The decoded business parameters, flat as on the wire (`CustomFields.1.FieldName`). */
  params: Record<string, string>;
  /** HTTP status answered; 0 when no answer was sent (drop, timeout). */
  status: number;
  code?: string;
  accessKeyId?: string;
  signatureMethod?: string;
  fault?: FaultKind;
  faultReason?: FaultReason;
  /** Sequence number of the TCP connection (equal numbers = a reused keep-alive socket). */
  connection: number;
  durationMs: number;
}

export function formatLogLine(entry: RequestLogEntry): string {
  const outcome = entry.status === 0 ? `no-answer(${entry.fault ?? "?"})` : String(entry.status);
  const fault = entry.fault && entry.status !== 0 ? ` fault=${entry.fault}` : "";
  return `${entry.time} ${entry.action || "-"} ${outcome}${entry.code ? ` ${entry.code}` : ""}${fault} key=${entry.accessKeyId ?? "-"} conn=${entry.connection} ${entry.durationMs}ms`;
}
