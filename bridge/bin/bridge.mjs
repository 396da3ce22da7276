#!/usr/bin/env node
// Runs the bridge CLI (TypeScript, ESM) through tsx's loader: `bridge <command>`; see bridge/src/cli.ts.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bridge: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
