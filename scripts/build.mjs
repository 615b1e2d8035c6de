// Bundles each FC function (functions/<name>/index.ts) into dist/<name>/: an ESM entry, index.mjs (FC's nodejs20
// handler `index.handler`, initializer `index.initializer`), and the chunks it imports on demand, side by side.
// Code splitting keeps the entry small, so that importing it (FC's instance start) parses only the middy chain;
// the core and its SDKs are compiled when the instance is built (initializer or first invocation), and Redis,
// MNS or the mapper only when configured. The folder runs with plain `node` and no node_modules.
import { readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const functions = readdirSync("functions").filter((name) => statSync(join("functions", name)).isDirectory());

for (const name of functions) {
  const outdir = join("dist", name);
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { index: join("functions", name, "index.ts") },
    outdir,
    splitting: true,
    chunkNames: "[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    minify: true,
    sourcemap: "linked",
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
    // @alicloud/mns picks an ES5 build at run time when async functions are missing (never on Node 20);
    // point the bundler at the modern one so the ES5 build and its babel-runtime stay out.
    alias: {
      "@alicloud/mns": "@alicloud/mns/lib/client.js",
      // Stand-ins for code the function never runs; see each file for why.
      "@alicloud/credentials": "./scripts/shims/alicloud-credentials.cjs",
      debug: "./scripts/shims/debug.cjs",
      xmlbuilder: "./scripts/shims/xmlbuilder.cjs",
    },
    // Bundled CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  writeFileSync(join(outdir, "meta.json"), JSON.stringify(result.metafile));
  const files = readdirSync(outdir).filter((f) => f.endsWith(".mjs"));
  const total = files.reduce((sum, f) => sum + statSync(join(outdir, f)).size, 0);
  const entry = statSync(join(outdir, "index.mjs")).size;
  console.log(
    `${outdir}/  index.mjs ${(entry / 1024).toFixed(1)} KiB + ${files.length - 1} chunks, ${(total / 1024).toFixed(1)} KiB in all`,
  );
}
