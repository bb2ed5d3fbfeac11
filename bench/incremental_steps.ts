/**
 * The single steps of the incremental bench (bench/incremental.ts): a timed command, the
 * untimed chores around it (private tree copy, store size, the 1% change) and the check
 * that a snapyard run did what its step expects.
 *
 * Order of one timed step: `du -sb` the output (store or restic repository; 0 when it does
 * not exist yet), spawn the command under `/usr/bin/time -f '%M %U %S'` and time it from
 * spawn to exit with the monotonic clock, check its exit status, `sync -f` the output
 * (untimed, so no dirty pages leak into the next measurement), `du -sb` the output again:
 * the difference is the bytes the step added.
 */
import * as fs from "node:fs";
import { randomFillSync } from "node:crypto";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { timedRun } from "./tools.ts";

/** One measured step: wall clock, CPU, peak RSS, and bytes added to the output. */
export interface StepSample {
  seconds: number;
  user: number;
  sys: number;
  rssKiB: number;
  bytesAdded: number;
}

/** What the 1% change rewrote. */
export interface Change {
  files: number;
  bytes: number;
}

/** Apparent size of everything under `path` in bytes (`du -sb`), 0 when it is absent. */
export function duBytes(path: string): number {
  if (!fs.existsSync(path)) return 0;
  const r = spawnSync("du", ["-sb", path], { encoding: "utf8" });
  const n = Number((r.stdout ?? "").split("\t")[0]);
  if (r.status !== 0 || !Number.isFinite(n)) throw new Error(`Cannot measure "${path}": du failed`);
  return n;
}

function mustRun(cmd: string, args: string[], what: string, env?: NodeJS.ProcessEnv): void {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "inherit"], env });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`Cannot ${what}: ${cmd} exited with ${r.status}`);
}

/** `cp -a TREE COPY && sync -f COPY`: the series' private tree, settled on disk. */
export function privateCopy(tree: string, copy: string): void {
  mustRun("cp", ["-a", "--", tree, copy], `copy "${tree}"`);
  mustRun("sync", ["-f", "--", copy], `sync "${copy}"`);
}

/** `sync -f PATH`: flushes the filesystem holding `path`. */
export function syncFs(path: string): void {
  mustRun("sync", ["-f", "--", path], `sync "${path}"`);
}

/**
 * A checkout of commit `rev` of `repo` at `dir`: a detached git worktree that uses the
 * repository's node_modules (for the first runs of an earlier snapyard, `--against`).
 * @throws when git cannot check `rev` out
 */
export function checkoutAt(repo: string, rev: string, dir: string): void {
  mustRun(
    "git",
    ["-C", repo, "worktree", "add", "--quiet", "--detach", dir, rev],
    `check out ${rev}`,
  );
  fs.symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
}

/** Removes a checkout made by `checkoutAt`: its files and git's record of it. */
export function removeCheckout(repo: string, dir: string): void {
  mustRun("git", ["-C", repo, "worktree", "remove", "--force", dir], `remove "${dir}"`);
}

/** `restic init` of a fresh repository (untimed). */
export function resticInit(env: NodeJS.ProcessEnv): void {
  mustRun("restic", ["init", "--quiet"], "init the restic repository", env);
}

/** Whether `restic` is on PATH, with its version line. */
export function resticVersion(): string | undefined {
  const r = spawnSync("restic", ["version"], { encoding: "utf8" });
  if (r.error && (r.error as { code?: string }).code === "ENOENT") return undefined;
  if (r.error) throw r.error;
  return (r.stdout ?? "").trim() || undefined;
}

/**
 * Runs `argv` once, timed; `output` is the store or repository whose growth is counted.
 * @throws when the command fails: a timing of a failed run would be meaningless
 */
export function timedStep(
  argv: string[],
  output: string,
  logBase: string,
  env: NodeJS.ProcessEnv,
): StepSample {
  const before = duBytes(output);
  const [outPath, errPath, rssPath] = [`${logBase}.out`, `${logBase}.err`, `${logBase}.rss`];
  const { seconds, status } = timedRun(
    ["-f", "%M %U %S", "-o", rssPath, ...argv],
    outPath,
    errPath,
    {
      env,
    },
  );
  if (status !== 0) {
    throw new Error(`${argv.join(" ")} failed with exit ${status}: see "${errPath}"`);
  }
  syncFs(output);
  // /usr/bin/time writes "Command exited with non-zero status" first on failure: last line.
  const lines = fs.readFileSync(rssPath, "utf8").trim().split("\n");
  const [rssKiB, user, sys] = (lines[lines.length - 1] ?? "").split(" ").map(Number);
  if (rssKiB === undefined || user === undefined || sys === undefined || !(rssKiB > 0)) {
    throw new Error(`Cannot read peak RSS and CPU times in "${rssPath}"`);
  }
  return { seconds, user, sys, rssKiB, bytesAdded: duBytes(output) - before };
}

/** Every regular file under `root`, as paths sorted by code unit (the same on every run). */
function regularFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, d.name);
      if (d.isDirectory()) walk(path);
      else if (d.isFile()) found.push(path);
    }
  };
  walk(root);
  return found.sort();
}

/**
 * Rewrites ceil(1%) of the regular files under `root` in place with new random bytes of
 * the same size (same inode, new mtime), chosen evenly spaced over the sorted paths, then
 * settles them with `sync -f`.
 */
export function changeOnePercent(root: string): Change {
  const files = regularFiles(root);
  const count = Math.ceil(files.length / 100);
  const scratch = new Uint8Array(8 * 1024 * 1024);
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const path = files[Math.floor(((i + 0.5) * files.length) / count)];
    if (path === undefined) throw new Error(`No file to change under "${root}"`);
    const fd = fs.openSync(path, "r+");
    try {
      const size = fs.fstatSync(fd).size;
      for (let at = 0; at < size;) {
        const chunk = scratch.subarray(0, Math.min(scratch.length, size - at));
        randomFillSync(chunk);
        at += fs.writeSync(fd, chunk, 0, chunk.length, at);
      }
      bytes += size;
    } finally {
      fs.closeSync(fd);
    }
  }
  syncFs(root);
  return { files: count, bytes };
}

/** The newest run's counts from `snapyard runs --json` (untimed); `snapyard` is its argv. */
export function newestRun(
  snapyard: string[],
  store: string,
): { new: number; unchanged: number; failed: number } {
  const r = spawnSync(
    snapyard[0] ?? "",
    [...snapyard.slice(1), "runs", "--store", store, "--json"],
    {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    },
  );
  if (r.status !== 0) {
    throw new Error(`Cannot list the runs of "${store}": exit ${r.status}: ${r.stderr ?? ""}`);
  }
  const first = (r.stdout ?? "").split("\n").find((line) => line.includes('"event":"run"'));
  if (!first) throw new Error(`Cannot list the runs of "${store}": no run event`);
  return JSON.parse(first) as { new: number; unchanged: number; failed: number };
}
