/**
 * The shape of the code, checked: no import cycle anywhere (type-only imports count: a cycle of types is still
 * two modules that cannot be understood apart), the function's code never reaches into `local/`, and the
 * emulators (which play the cloud) never use the function's code.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const CODE_DIRS = ["shared", "functions", "local", "bench", "scripts"];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === "node_modules") continue;
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|mjs)$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** Every relative import, export-from and dynamic import of a file, resolved to repo-relative paths. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith("."))
    .map((name) => relative(ROOT, resolve(dirname(file), name)));
}

function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const dir of CODE_DIRS) {
    for (const file of sourceFiles(join(ROOT, dir))) g.set(relative(ROOT, file), importsOf(file));
  }
  return g;
}

/** Each cycle once, as the list of files around it (Tarjan's strongly connected components). */
function cycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  function visit(v: string): void {
    indices.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = (g.get(v) ?? []).includes(v);
      if (component.length > 1 || selfLoop) found.push(component.sort());
    }
  }
  for (const v of g.keys()) if (!indices.has(v)) visit(v);
  return found;
}

describe("architecture", () => {
  const g = graph();

  it("finds the code it checks", () => {
    expect(g.size).toBeGreaterThan(100);
    expect(g.get("shared/pipeline/process.ts")).toContain("shared/pipeline/apply-change.ts");
  });

  it("has no import cycle, type-only imports included", () => {
    expect(cycles(g)).toEqual([]);
  });

  it("keeps the function's code out of local/", () => {
    const offending = [...g]
      .filter(([file]) => file.startsWith("shared/") || file.startsWith("functions/"))
      .flatMap(([file, deps]) => deps.filter((d) => d.startsWith("local/")).map((d) => `${file} → ${d}`));
    expect(offending).toEqual([]);
  });

  it("keeps the emulators apart from the function's code", () => {
    const emulators = ["local/eiam-emulator/", "local/mns-emulator/"];
    const offending = [...g]
      .filter(([file]) => emulators.some((e) => file.startsWith(e)))
      .flatMap(([file, deps]) =>
        deps
          .filter((d) => d.startsWith("shared/") || d.startsWith("functions/"))
          .map((d) => `${file} → ${d}`),
      );
    expect(offending).toEqual([]);
  });
});
