/** A measured figure, its target, and the two ways the benchmark prints them: a table and one JSON line. */

export interface Target {
  op: ">=" | "<=" | "=";
  value: number;
}

export interface Figure {
  /** The JSON key, `<scenario>.<name>`, e.g. `throughput.ratio_to_limit`. */
  key: string;
  label: string;
  value: number;
  unit?: string;
  target?: Target;
}

export function figure(key: string, label: string, value: number, unit?: string, target?: Target): Figure {
  return { key, label, value, ...(unit !== undefined ? { unit } : {}), ...(target ? { target } : {}) };
}

export const atLeast = (value: number): Target => ({ op: ">=", value });
export const atMost = (value: number): Target => ({ op: "<=", value });
export const exactly = (value: number): Target => ({ op: "=", value });

export function passes(f: Figure): boolean | undefined {
  if (f.target === undefined) return undefined;
  const { op, value } = f.target;
  if (op === ">=") return f.value >= value;
  if (op === "<=") return f.value <= value;
  return f.value === value;
}

export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function formatValue(f: Figure): string {
  // Figures are rounded where they are measured; print them as they are.
  return f.unit ? `${f.value} ${f.unit}` : String(f.value);
}

function formatTarget(f: Figure): string {
  if (f.target === undefined) return "";
  return `${f.target.op === "=" ? "=" : f.target.op} ${f.target.value}${f.unit ? ` ${f.unit}` : ""}`;
}

export function renderTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => {
    const ok = passes(f);
    return [f.key, f.label, formatValue(f), formatTarget(f), ok === undefined ? "" : ok ? "pass" : "MISS"];
  });
  const header = ["figure", "what", "value", "target", "result"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export interface BenchReport {
  scale: number;
  /** load_before / load_after: the 1-minute load average; above nproc ÷ 2, other work distorts the timings. */
  machine: { nproc: number; node: string; cpu: string; load_before: number; load_after: number };
  /** Extra node flags the function's processes ran with ("" normally). */
  node_flags: string;
  settings: Record<string, Record<string, number | string>>;
  figures: Record<string, number>;
  targets: Record<string, { target: string; pass: boolean }>;
  /** Scenarios that could not finish, with why. */
  errors: Record<string, string>;
  pass: boolean;
}

export function buildReport(
  base: Pick<BenchReport, "scale" | "machine" | "node_flags" | "settings" | "errors">,
  figures: readonly Figure[],
): BenchReport {
  const targets: BenchReport["targets"] = {};
  for (const f of figures) {
    const ok = passes(f);
    if (ok !== undefined) targets[f.key] = { target: formatTarget(f), pass: ok };
  }
  return {
    ...base,
    figures: Object.fromEntries(figures.map((f) => [f.key, f.value])),
    targets,
    pass: Object.keys(base.errors).length === 0 && Object.values(targets).every((t) => t.pass),
  };
}
