/**
 * The snapshot engine: one run, one timestamp, many targets.
 *
 * Order of work:
 * 1. Pick the run's TS (ms since the epoch). Create the store directory if any.
 * 2. Walk the PATHs (lib/snapshot/walk.ts), streaming. Regular files go to the worker pool in
 *    batches: copy + hash (one read per byte) and the sidecar temp, in parallel
 *    (lib/snapshot/file_entry.ts); symlinks and absent targets are small and handled here
 *    (symlink payload / tombstone, sidecar temp).
 * 3. As results arrive the main thread stages each entry (lib/snapshot/commit.ts), and every
 *    `COMMIT_EVERY` entries (and at the end) flushes the batch: syncfs, rename, fsync
 *    of each directory. Memory stays bounded by the batch, not the tree.
 * 4. Before returning, wait until the clock has passed TS, so a later run (serialised
 *    by the lock) never gets the same TS.
 * A target that fails is reported with its path and reason; the rest is committed.
 */
import { InflightWindow } from "../pool/inflight.ts";
import * as fs from "node:fs";
import { posix } from "node:path";
import { type BPath, fromBytes, fsPath, isUtf8, toText } from "../fs/bpath.ts";
import { errnoOf, failureReason, reasonOf } from "../errors.ts";
import { compileExcludes } from "./glob.ts";
import { entryDir, longestEntryName, NAME_MAX, payloadName, sidecarName } from "../store/layout.ts";
import { createSymlinkPayload, createTombstone } from "./payload.ts";
import { CommitBatch } from "./commit.ts";
import { type Io, realIo } from "../fs/io.ts";
import type { WorkerPool } from "../pool/pool.ts";
import type { Reporter } from "../cli/report.ts";
import { buildSidecar, encodeSidecar, type Prior, type SchemaChoice } from "../store/sidecar.ts";
import { handlesNonUtf8Names } from "../fs/runtime.ts";
import { walkTargets } from "./walk.ts";
import type { CopyJob, CopyResult } from "../pool/protocol.ts";

/**
 * Entries staged before a flush: bounds memory and the work lost to a crash. Small
 * enough that staged entries rarely outlive a young-generation GC (peak RSS of a
 * 100,000-file run stays near a 10,000-file run's), large enough that syncfs calls
 * stay few (~50 for 100,000 files).
 */
export const COMMIT_EVERY = 2048;
/** Most files per worker message, and batches in flight per worker. */
const JOBS_PER_BATCH = 64;
const BATCHES_PER_WORKER = 8;
/**
 * Bytes a batch should hold. The walk does not know sizes, so a batch's job count
 * follows the mean size of the files copied so far (one file per batch until the
 * first result): small files travel 64 to a message, large ones one by one so that
 * every worker gets a share (16 files of 64 MiB in one batch kept one worker busy
 * and the other idle).
 */
const BATCH_BYTES = 8 << 20;
/** Renames done per worker result while workers run: keeps the commit off the critical path. */
const RENAMES_PER_TURN = 256;

/** What to snapshot and how. */
export interface SnapshotOptions {
  /** Absolute byte paths. */
  paths: BPath[];
  tag: string;
  store?: BPath | undefined;
  schema: SchemaChoice;
  exclude?: readonly string[];
  /** false only for `--no-fsync`. */
  durable: boolean;
  pool: WorkerPool;
  reporter: Reporter;
  io?: Io;
  /** Force the run's TS (tests); default: the clock. */
  ts?: number;
}

/** One committed entry. */
export interface SavedEntry {
  path: BPath;
  kind: "file" | "symlink" | "none";
  ts: number;
  size: number;
}

/** An entry waiting for its commit: all the engine keeps of it until then. */
interface StagedEntry extends SavedEntry {
  hash: string | undefined;
}

/** The result of a run. */
export interface SnapshotSummary {
  run: number;
  files: number;
  symlinks: number;
  absent: number;
  skipped: number;
  failed: number;
  bytes: number;
  seconds: number;
  /** Each failure: path and reason. */
  failures: { path: BPath; reason: string }[];
}

const DENO_LINK = "link text is not valid UTF-8 and cannot be recorded in the sidecar";

/**
 * Runs one snapshot. Never throws for a target's failure (it is counted and reported);
 * throws only for a failure of the run itself (the store cannot be created).
 */
export async function snapshot(opts: SnapshotOptions): Promise<SnapshotSummary> {
  const t0 = performance.now();
  const ts = opts.ts ?? Date.now();
  const { tag, store, reporter, pool } = opts;
  const now = new Date(ts);
  const sum: SnapshotSummary = {
    run: ts,
    files: 0,
    symlinks: 0,
    absent: 0,
    skipped: 0,
    failed: 0,
    bytes: 0,
    seconds: 0,
    failures: [],
  };
  const skipDirs = new Set<string>();
  if (store !== undefined) {
    fs.mkdirSync(fsPath(store), { recursive: true });
    const st = fs.statSync(fsPath(store));
    skipDirs.add(`${st.dev}:${st.ino}`);
  }
  const readyDirs = new Set<BPath>();

  const fail = (path: BPath, reason: string) => {
    sum.failed++;
    sum.failures.push({ path, reason });
    reporter.error(`Cannot snapshot "${toText(path)}": ${reason}`, {
      event: "error",
      path: toText(path),
      reason,
    });
  };
  const saved = (e: StagedEntry) => {
    if (e.kind === "file") sum.files++;
    else if (e.kind === "symlink") sum.symlinks++;
    else sum.absent++;
    sum.bytes += e.size;
    const ev: Record<string, unknown> = {
      event: "saved",
      path: toText(e.path),
      kind: e.kind,
      ts: e.ts,
      size: e.size,
    };
    if (e.hash !== undefined) ev.hash = e.hash;
    reporter.event(ev);
  };
  const batch = new CommitBatch<StagedEntry>(opts.io ?? realIo, opts.durable, {
    committed: saved,
    failed: (e, reason) => fail(e.path, reason),
  });
  const stage = (path: BPath, dir: BPath, ets: number, prior: Prior) => {
    const name = posix.basename(path);
    const json = encodeSidecar(buildSidecar(prior, opts.schema, ts, now));
    const size = prior.kind === "file" ? prior.size : 0;
    batch.stage(
      dir,
      posix.join(dir, sidecarName(name, tag, ets)),
      posix.join(dir, payloadName(name, tag, ets)),
      json,
      {
        path,
        kind: prior.kind,
        ts: ets,
        size,
        hash: prior.kind === "file" ? prior.hash : undefined,
      },
    );
    if (batch.size >= COMMIT_EVERY) batch.seal();
  };
  /** The entry directory of a target, created in the store if needed; undefined on failure. */
  let lastDir = "";
  const dirFor = (path: BPath): BPath | undefined => {
    // One string per directory, not per file: staged entries share it until their flush.
    const computed = entryDir(path, store);
    const dir = computed === lastDir ? lastDir : (lastDir = computed);
    if (longestEntryName(posix.basename(path), tag, ts) > NAME_MAX) {
      // Checked up front for a clear message and so no orphan payload is left behind.
      fail(
        path,
        `name too long for the filesystem: its entry names would exceed ${NAME_MAX} bytes`,
      );
      return undefined;
    }
    if (store !== undefined && !readyDirs.has(dir)) {
      try {
        fs.mkdirSync(fsPath(dir), { recursive: true, mode: 0o700 });
      } catch (e) {
        fail(path, `cannot create store directory "${toText(dir)}": ${reasonOf(e)}`);
        return undefined;
      }
      readyDirs.add(dir);
    }
    return dir;
  };

  // Regular files: batched to the pool, results staged as they come back.
  let jobs: CopyJob[] = [];
  let jobPaths: BPath[] = [];
  let jobsPerBatch = 1;
  let copiedFiles = 0;
  let copiedBytes = 0;
  const inflight = new InflightWindow(pool.size * BATCHES_PER_WORKER);
  const onCopied = (paths: BPath[], batchJobs: CopyJob[], results: CopyResult[]) => {
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      const path = paths[i]!;
      if (!r.ok) {
        fail(path, failureReason(r.error));
        continue;
      }
      copiedFiles++;
      copiedBytes += r.size;
      const dir = batchJobs[i]!.dir;
      const name = posix.basename(path);
      const ets = r.ts;
      batch.stageWritten(
        dir,
        r.sidecarTemp,
        posix.join(dir, sidecarName(name, tag, ets)),
        posix.join(dir, payloadName(name, tag, ets)),
        { path, kind: "file", ts: ets, size: r.size, hash: r.hash },
      );
      if (batch.size >= COMMIT_EVERY) batch.seal();
    }
    if (copiedFiles > 0) {
      const fit = Math.floor(BATCH_BYTES / Math.max(1, copiedBytes / copiedFiles));
      jobsPerBatch = Math.min(JOBS_PER_BATCH, Math.max(1, fit));
    }
    batch.commitReady(RENAMES_PER_TURN);
    reporter.progress(
      `snapshot: ${sum.files + sum.symlinks + sum.absent} saved, ${sum.failed} failed`,
    );
  };
  const dispatch = async () => {
    const batchJobs = jobs;
    const paths = jobPaths;
    jobs = [];
    jobPaths = [];
    const p = pool.copy(batchJobs, { schema: opts.schema, run: ts }).then(
      (results) => onCopied(paths, batchJobs, results),
      (e) => {
        for (const path of paths) fail(path, `worker failed: ${reasonOf(e)}`);
      },
    );
    await inflight.add(p);
  };

  const walk = walkTargets(opts.paths, { exclude: compileExcludes(opts.exclude ?? []), skipDirs });
  for (const item of walk) {
    if (item.kind === "error") {
      fail(item.path, item.reason);
      continue;
    }
    if (item.kind === "skip") {
      sum.skipped++;
      reporter.warn(`Skipped "${toText(item.path)}": ${item.reason}`, {
        event: "skipped",
        path: toText(item.path),
        reason: item.reason,
      });
      continue;
    }
    const dir = dirFor(item.path);
    if (dir === undefined) continue;
    const name = posix.basename(item.path);
    if (item.kind === "file") {
      jobs.push({ src: item.path, dir, name, tag, ts });
      jobPaths.push(item.path);
      if (jobs.length >= jobsPerBatch) await dispatch();
    } else if (item.kind === "symlink") {
      snapshotSymlink(item.path, dir, name);
    } else {
      try {
        const ets = createTombstone(dir, name, tag, ts);
        stage(item.path, dir, ets, { kind: "none" });
      } catch (e) {
        fail(item.path, `cannot create tombstone: ${reasonOf(e)}`);
      }
    }
  }
  if (jobs.length > 0) await dispatch();
  await inflight.drain();
  batch.flush();
  reporter.clearProgress();

  function snapshotSymlink(path: BPath, dir: BPath, name: BPath): void {
    let text: BPath;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(fsPath(path));
      if (!st.isSymbolicLink()) {
        fail(path, "was replaced during the run (no longer a symlink)");
        return;
      }
      text = fromBytes(fs.readlinkSync(fsPath(path), { encoding: "buffer" }));
    } catch (e) {
      if (errnoOf(e) === "ENOENT") fail(path, "vanished before it could be read");
      // Deno throws a code-less error for link text it cannot decode (runtime-facts §4).
      else if (!handlesNonUtf8Names && errnoOf(e) === undefined) fail(path, DENO_LINK);
      else fail(path, reasonOf(e));
      return;
    }
    if (!isUtf8(text)) {
      fail(path, DENO_LINK);
      return;
    }
    try {
      const ets = createSymlinkPayload(dir, name, tag, ts, text);
      stage(path, dir, ets, {
        kind: "symlink",
        dest: toText(text),
        mtimeMs: st.mtimeMs,
        uid: st.uid,
        gid: st.gid,
      });
    } catch (e) {
      fail(path, `cannot create symlink payload: ${reasonOf(e)}`);
    }
  }

  // A later run must get a later TS, even in the same millisecond.
  while (Date.now() <= ts) await new Promise((r) => setTimeout(r, 1));
  sum.seconds = (performance.now() - t0) / 1000;
  return sum;
}
