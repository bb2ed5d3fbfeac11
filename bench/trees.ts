/**
 * The benchmark's input trees, made by the bench itself and cached between runs.
 *
 * Order of work for each tree: if `<trees>/<name>.ok` records the same spec, reuse the
 * tree; otherwise park any half-made tree in the trash (never delete it now: see the
 * header of bench/bench.ts), build it, `sync -f` it so its dirty pages do not leak into the
 * first measurement, then write the marker with the tree's counts.
 */
import * as fs from "node:fs";
import { randomFillSync } from "node:crypto";
import { spawnSync } from "node:child_process";
import { dirname, join, relative } from "node:path";

/** What a tree holds; the tools' results are checked against it. */
export interface TreeStats {
  files: number;
  symlinks: number;
  dirs: number;
  bytes: number;
}

/** One input tree. `key` changes whenever the recipe changes, forcing a rebuild. */
export interface TreeSpec {
  name: string;
  title: string;
  key: string;
  build(root: string): TreeStats;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** A small seeded PRNG (mulberry32): the mixed tree's shape is the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error("pick() from an empty list");
  return item;
}

/** Writes `size` random bytes (random content: not compressible, not sparse). */
function writeRandomFile(path: string, size: number, scratch: Uint8Array, mode = 0o644): void {
  const fd = fs.openSync(path, "wx", mode);
  try {
    let left = size;
    while (left > 0) {
      const n = Math.min(left, scratch.length);
      const chunk = scratch.subarray(0, n);
      randomFillSync(chunk);
      let done = 0;
      while (done < n) done += fs.writeSync(fd, chunk, done, n - done);
      left -= n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** `dirs` directories of `perDir` files of `size` bytes each. */
export function uniformTree(name: string, dirs: number, perDir: number, size: number): TreeSpec {
  const title = `${dirs * perDir} files of ${formatSize(size)} in ${dirs} dirs`;
  return {
    name,
    title,
    key: `uniform-v1 ${dirs} ${perDir} ${size}`,
    build(root) {
      const scratch = new Uint8Array(Math.min(size, 8 * MiB));
      for (let d = 0; d < dirs; d++) {
        const dir = join(root, `d${String(d).padStart(4, "0")}`);
        fs.mkdirSync(dir);
        for (let f = 0; f < perDir; f++) {
          writeRandomFile(join(dir, `f${String(f).padStart(4, "0")}.dat`), size, scratch);
        }
      }
      return { files: dirs * perDir, symlinks: 0, dirs: dirs + 1, bytes: dirs * perDir * size };
    },
  };
}

const DIR_WORDS = ["apt", "ssh", "systemd", "network", "security", "default", "cron.d", "ssl"];
const FILE_WORDS = ["conf", "rules", "list", "key", "profile", "hosts", "service", "policy"];
const EXTS = ["", ".conf", ".d.conf", ".pem", ".json", ".xml", ".sh"];
const MODES = [0o644, 0o644, 0o644, 0o600, 0o640, 0o755];

/**
 * An /etc-like tree: `files` files of 100 B–1 MiB (log-uniform sizes) in nested
 * directories (depth ≤ 4), plus symlinks: relative to files and to directories,
 * absolute into the tree and out of it, and dangling ones.
 */
export function mixedTree(name: string, files: number, seed: number): TreeSpec {
  const nDirs = Math.max(4, Math.round(files / 17));
  const nLinks = Math.max(8, Math.round(files / 25));
  return {
    name,
    title: `mixed /etc-like: ${files} files 100 B-1 MiB, ${nDirs} dirs, ${nLinks} symlinks`,
    key: `mixed-v1 ${files} ${seed}`,
    build(root) {
      const rand = prng(seed);
      const scratch = new Uint8Array(MiB);
      const dirs = [""];
      for (let i = 0; i < nDirs; i++) {
        let parent = pick(rand, dirs);
        if (parent.split("/").length >= 4) parent = "";
        const dir = join(parent, `${pick(rand, DIR_WORDS)}${i}`);
        fs.mkdirSync(join(root, dir));
        dirs.push(dir);
      }
      const made: string[] = [];
      let bytes = 0;
      for (let i = 0; i < files; i++) {
        const path = join(pick(rand, dirs), `${pick(rand, FILE_WORDS)}${i}${pick(rand, EXTS)}`);
        const size = Math.round(Math.exp(Math.log(100) + rand() * Math.log(MiB / 100)));
        writeRandomFile(join(root, path), size, scratch, pick(rand, MODES));
        made.push(path);
        bytes += size;
      }
      for (let i = 0; i < nLinks; i++) {
        const at = join(pick(rand, dirs), `link${i}`);
        const from = dirname(join(root, at));
        const kind = i % 6;
        let dest: string;
        if (kind <= 1) dest = relative(from, join(root, pick(rand, made))) || ".";
        else if (kind === 2) dest = relative(from, join(root, pick(rand, dirs))) || ".";
        else if (kind === 3) dest = join(root, pick(rand, made));
        else if (kind === 4) dest = pick(rand, ["/usr/bin/env", "/bin/sh", "/etc/hostname"]);
        else dest = pick(rand, [`../missing${i}.conf`, `/nonexistent/bench/${i}`, `gone${i}`]);
        fs.symlinkSync(dest, join(root, at));
      }
      return { files, symlinks: nLinks, dirs: dirs.length, bytes };
    },
  };
}

function formatSize(n: number): string {
  return n >= MiB ? `${n / MiB} MiB` : n >= KiB ? `${n / KiB} KiB` : `${n} B`;
}

/**
 * The tree at `<trees>/<spec.name>`, built unless a marker says it is already there.
 * @throws when the build or `sync -f` fails
 */
export function ensureTree(trees: string, spec: TreeSpec, park: (path: string) => void): TreeStats {
  const root = join(trees, spec.name);
  const marker = `${root}.ok`;
  try {
    const saved = JSON.parse(fs.readFileSync(marker, "utf8")) as { key: string; stats: TreeStats };
    if (saved.key === spec.key && fs.existsSync(root)) return saved.stats;
  } catch (e) {
    // No marker (first run) or a torn one: rebuild. Anything else is a real error.
    if (!(e instanceof SyntaxError) && (e as { code?: string }).code !== "ENOENT") throw e;
  }
  if (fs.existsSync(root)) park(root);
  fs.mkdirSync(trees, { recursive: true });
  const started = performance.now();
  fs.mkdirSync(root);
  const stats = spec.build(root);
  const sync = spawnSync("sync", ["-f", root], { stdio: "inherit" });
  if (sync.status !== 0) throw new Error(`Cannot sync tree "${root}": sync -f failed`);
  fs.writeFileSync(marker, JSON.stringify({ key: spec.key, stats }));
  const s = ((performance.now() - started) / 1000).toFixed(1);
  console.error(`bench: built ${spec.name} (${spec.title}) in ${s} s`);
  return stats;
}
