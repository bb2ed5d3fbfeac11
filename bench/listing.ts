/**
 * Microbenchmark of directory listings: `readDirents` (or `readNames`) of every directory
 * under ROOTs, through the runtime's reader ("runtime") or getdents64 via the FFI
 * ("getdents", after `initRuntime`; on Deno only, Bun keeps its reader). Run both modes
 * interleaved in separate processes (the listing is installed once per process) and
 * compare the medians.
 *
 * Usage: `deno run -A bench/listing.ts runtime|getdents dirents|names ROOT...` (or `bun ...`).
 * Prints one JSON line: directories, names per round, median and minimum ms per round.
 */
import * as fs from "node:fs";
import { join } from "node:path";
import { fromText, readDirents, readNames } from "../lib/fs/bpath.ts";
import { initRuntime, runtimeName } from "../lib/fs/runtime.ts";

const ROUNDS = 15;
const WARMUP = 3;

function allDirs(root: string, out: string[]): string[] {
  out.push(root);
  for (const d of fs.readdirSync(root, { withFileTypes: true })) {
    if (d.isDirectory()) allDirs(join(root, d.name), out);
  }
  return out;
}

async function main(): Promise<void> {
  const [mode, what, ...roots] = process.argv.slice(2);
  if ((mode !== "runtime" && mode !== "getdents") || (what !== "dirents" && what !== "names")) {
    throw new Error("usage: listing.ts runtime|getdents dirents|names ROOT...");
  }
  const dirs = roots.flatMap((r) => allDirs(r, [])).map(fromText);
  if (mode === "getdents") await initRuntime();
  const times: number[] = [];
  let names = 0;
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const t0 = performance.now();
    names = 0;
    for (const d of dirs) {
      names += what === "dirents" ? readDirents(d).length : readNames(d).length;
    }
    if (round >= WARMUP) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const ms = (x: number) => Math.round(x * 100) / 100;
  console.log(JSON.stringify({
    runtime: runtimeName,
    mode,
    what,
    dirs: dirs.length,
    names,
    medianMs: ms(times[Math.floor(times.length / 2)]!),
    minMs: ms(times[0]!),
  }));
}

await main();
