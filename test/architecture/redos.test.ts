/**
 * Every regular expression in the function's code runs in linear time: each literal (and each `new RegExp` of a
 * literal string) under shared/ and functions/ is checked by recheck, a ReDoS analyzer, instead of a timer.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { checkSync } from "recheck";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

interface Found {
  where: string;
  source: string;
  flags: string;
}

function regexesIn(file: string): Found[] {
  const text = readFileSync(file, "utf8");
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Found[] = [];
  const where = (node: ts.Node) =>
    `${relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node) => {
    if (ts.isRegularExpressionLiteral(node)) {
      const literal = node.text;
      const end = literal.lastIndexOf("/");
      found.push({ where: where(node), source: literal.slice(1, end), flags: literal.slice(end + 1) });
    } else if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "RegExp" &&
      node.arguments?.[0] !== undefined
    ) {
      const [pattern, flags] = node.arguments;
      // A pattern built at run time cannot be checked here: the code must not build one.
      expect(ts.isStringLiteralLike(pattern!), `${where(node)}: RegExp from a non-literal`).toBe(true);
      found.push({
        where: where(node),
        source: (pattern as ts.StringLiteralLike).text,
        flags: flags && ts.isStringLiteralLike(flags) ? flags.text : "",
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const regexes = ["shared", "functions"].flatMap((dir) => sourceFiles(join(ROOT, dir))).flatMap(regexesIn);

describe("regular expressions", () => {
  it("finds the ones it checks", () => {
    expect(regexes.length).toBeGreaterThan(20);
    expect(regexes.some((r) => r.where.startsWith("shared/log.ts"))).toBe(true);
  });

  it("flags a pattern that backtracks (the check itself works)", () => {
    // The email pattern the logger used before: quadratic on "@" + "a" × n.
    const old = checkSync("([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]*)", "g");
    expect(old.status).toBe("vulnerable");
  });

  it.each(regexes.map((r) => [r.where, r] as const))("%s is safe", { timeout: 60_000 }, (_where, r) => {
    const result = checkSync(r.source, r.flags, { timeout: 30_000 });
    expect({ source: r.source, status: result.status }).toEqual({ source: r.source, status: "safe" });
  });
});
