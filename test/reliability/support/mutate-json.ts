/**
 * Mutations of a real event, applied at a node chosen by index: replace it, delete it, add a forbidden key,
 * nest it deeply, stringify it, or Base64 it. The result is JSON text: nesting thousands of levels deep is
 * spliced in as text, since JSON.stringify itself runs out of stack a few thousand levels down.
 * The original is never touched.
 */
import { deeplyNested, FORBIDDEN_KEYS } from "./hostile-input.ts";

export type MutationKind = "replace" | "delete" | "forbidden-key" | "deepen" | "stringify" | "base64";

export interface Mutation {
  at: number;
  kind: MutationKind;
  value: unknown;
  /** For deepen: how many levels. */
  depth: number;
}

type Container = Record<string, unknown> | unknown[];
interface Slot {
  parent: Container;
  key: string | number;
}

function slots(value: unknown, out: Slot[] = []): Slot[] {
  if (typeof value !== "object" || value === null) return out;
  const container = value as Container;
  for (const key of Array.isArray(container) ? container.keys() : Object.keys(container)) {
    out.push({ parent: container, key });
    slots((container as Record<string | number, unknown>)[key], out);
  }
  return out;
}

function set(slot: Slot, value: unknown): void {
  Object.defineProperty(slot.parent, slot.key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export function mutateToJson(original: unknown, mutations: readonly Mutation[]): string {
  const root = structuredClone(original);
  const deep: Array<{ marker: string; text: string }> = [];
  for (const m of mutations) {
    const all = slots(root);
    if (all.length === 0) break;
    const slot = all[m.at % all.length]!;
    const current = (slot.parent as Record<string | number, unknown>)[slot.key];
    switch (m.kind) {
      case "replace":
        set(slot, m.value);
        break;
      case "delete":
        if (Array.isArray(slot.parent)) slot.parent.splice(Number(slot.key), 1);
        else delete slot.parent[slot.key as string];
        break;
      case "forbidden-key":
        if (typeof current === "object" && current !== null && !Array.isArray(current)) {
          const key = FORBIDDEN_KEYS[m.at % FORBIDDEN_KEYS.length]!;
          Object.defineProperty(current, key, {
            value: { polluted: "yes" },
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        break;
      case "deepen": {
        const marker = `@@deep-${deep.length}@@`;
        const inner = JSON.stringify(current) ?? "null";
        deep.push({ marker, text: deeplyNested(m.depth, m.at % 2 === 0 ? "array" : "object", inner) });
        set(slot, marker);
        break;
      }
      case "stringify":
        set(slot, JSON.stringify(current) ?? "null");
        break;
      case "base64":
        set(slot, Buffer.from(JSON.stringify(current) ?? "null").toString("base64"));
        break;
    }
  }
  let text = JSON.stringify(root) ?? "null";
  for (const { marker, text: nested } of deep) text = text.replace(JSON.stringify(marker), nested);
  return text;
}
