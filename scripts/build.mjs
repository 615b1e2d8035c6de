// Bundles each FC function (functions/<name>/index.ts) into one ESM file, dist/<name>/index.mjs,
// that runs with plain `node` and no node_modules (FC's nodejs20 handler `index.handler`).
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const functions = readdirSync("functions").filter((name) => statSync(join("functions", name)).isDirectory());

for (const name of functions) {
  const outfile = join("dist", name, "index.mjs");
  const result = await build({
    entryPoints: [join("functions", name, "index.ts")],
    outfile,
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
  writeFileSync(join("dist", name, "meta.json"), JSON.stringify(result.metafile));
  const bytes = statSync(outfile).size;
  console.log(`${outfile}  ${(bytes / 1024).toFixed(1)} KiB`);
}
