#!/usr/bin/env node
// Launcher for `npx eiam-user-sync …`: registers tsx's ESM loader, then runs the TypeScript CLI (main.ts).
import { register } from "tsx/esm/api";

// A reader that stops early (`… | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

register();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
