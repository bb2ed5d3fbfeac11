/**
 * Baseline (c) of the benchmark: the naive, single-thread snapshot that switchyard-fs
 * does per file, written with the `*Sync` node:fs API (the fastest naive JS here).
 *
 * Usage: `deno run -A bench/naive_snapshot.ts TREE STORE` or `bun bench/naive_snapshot.ts ...`
 *
 * Per regular file: readFileSync, SHA-256, write the payload (0600, exclusive create),
 * fsync it; write the sidecar JSON, fsync it; fsync the directory once (switchyard-fs
 * does it twice; once is the minimum for the new names to be durable, so this baseline
 * is a little kinder than the original). Per symlink: a symlink payload, the sidecar,
 * its fsync, the directory fsync. Layout as `snapyard --store`:
 * `STORE/<absolute dir>/.<name>.naive.<TS>.bak[.meta.json]`. Prints one JSON summary line.
 */
import * as fs from "node:fs";
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";

interface Counts {
  files: number;
  symlinks: number;
  bytes: number;
}

const TAG = "naive";

function writeDurable(path: string, data: string | Uint8Array): void {
  const fd = fs.openSync(path, "wx", 0o600);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function fsyncPath(path: string): void {
  const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Creates `dir` (and parents) and fsyncs the parent of each directory it created. */
function makeStoreDir(dir: string): void {
  const first = fs.mkdirSync(dir, { recursive: true });
  if (first === undefined) return;
  for (let d = dir; d.length >= first.length; d = resolve(d, "..")) fsyncPath(resolve(d, ".."));
}

function snapshotDir(src: string, store: string, ts: number, counts: Counts): void {
  const out = join(store, src);
  let outReady = false;
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    const path = join(src, entry.name);
    if (entry.isDirectory()) {
      snapshotDir(path, store, ts, counts);
      continue;
    }
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    if (!outReady) {
      makeStoreDir(out);
      outReady = true;
    }
    const payload = join(out, `.${entry.name}.${TAG}.${ts}.bak`);
    let sidecar: Record<string, string>;
    if (entry.isFile()) {
      const mode = fs.lstatSync(path).mode;
      const data = fs.readFileSync(path);
      const hash = createHash("sha256").update(data).digest("hex");
      writeDurable(payload, data);
      sidecar = {
        schema: "backup_meta.v2",
        prior_kind: "file",
        mode: mode.toString(8),
        payload_hash: hash,
      };
      counts.files++;
      counts.bytes += data.length;
    } else {
      const dest = fs.readlinkSync(path);
      fs.symlinkSync(dest, payload);
      sidecar = { schema: "backup_meta.v1", prior_kind: "symlink", prior_dest: dest };
      counts.symlinks++;
    }
    writeDurable(`${payload}.meta.json`, JSON.stringify(sidecar, null, 2));
    fsyncPath(out);
  }
}

function main(args: string[]): number {
  const [tree, store] = args;
  if (tree === undefined || store === undefined) {
    console.error("usage: naive_snapshot.ts TREE STORE");
    return 2;
  }
  const started = performance.now();
  const counts: Counts = { files: 0, symlinks: 0, bytes: 0 };
  snapshotDir(resolve(tree), resolve(store), Date.now(), counts);
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ event: "summary", ...counts, failed: 0, seconds }));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
