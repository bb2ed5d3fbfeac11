/**
 * The snapshot engine: one run, one timestamp, many targets.
 *
 * Order of work:
 * 1. Pick the run's TS (ms since the epoch). Create the store directory if any.
 * 2. Walk the PATHs (lib/snapshot/walk.ts), streaming. Each target gets its entry
 *    directory (created in the store if needed) and is judged against its newest
 *    complete entry (lib/snapshot/versions.ts): an unchanged target gets no entry, only
 *    an `unchanged` event (`--full`: every target is written). Below a directory PATH,
 *    a target that had entries and is gone gets a tombstone (deletions), unless an exclude
 *    left it out. A PATH that is absent, a directory PATH that yields no target and an
 *    exclude pattern that matched nothing are each a warning. Changed regular files go to
 *    the worker pool (started only then) in batches (lib/snapshot/schedule.ts): copy +
 *    hash (one read per byte) and the sidecar temp, in parallel (lib/snapshot/file_entry.ts);
 *    symlinks and absent targets are small and made here (lib/snapshot/small_entries.ts).
 * 3. Every entry is staged for the batch commit (lib/snapshot/staging.ts,
 *    lib/snapshot/commit.ts): syncfs, rename, fsync of each directory, every
 *    `COMMIT_EVERY` entries and at the end. Memory stays bounded by the batch, not the tree.
 *    An entry directory's version cache is written once the walk has left it and its
 *    entries are committed (lib/snapshot/versions.ts).
 * 4. The run record (lib/snapshot/record.ts), after every entry is durable.
 * 5. Before returning, wait until the clock has passed TS, so a later run (serialised
 *    by the lock) never gets the same TS.
 * Each target's outcome is emitted as an event (lib/events.ts): saved, skipped, or an
 * error with its path and reason; the rest is committed.
 */
import { fs } from "../fs/sys.ts";
import { baseName, type BPath, fsPath, toText } from "../fs/bpath.ts";
import { reasonOf } from "../errors.ts";
import type { Emit, WarningEvent } from "../events.ts";
import { type Io, realIo } from "../fs/io.ts";
import { holdDirFds } from "../fs/statx.ts";
import type { WorkerPool } from "../pool/pool.ts";
import type { RunRecord } from "../store/runs.ts";
import type { ChangeReason, SchemaChoice } from "../store/sidecar.ts";
import { runCounts, writeRunRecords } from "./record.ts";
import { type Verdict, Versions } from "./versions.ts";
import { EntryDirs } from "./entry_dirs.ts";
import { Excludes } from "./exclude.ts";
import { CopyScheduler } from "./schedule.ts";
import { snapshotAbsent, snapshotSymlink } from "./small_entries.ts";
import { type RunSpec, type SnapshotSummary, Staging } from "./staging.ts";
import { walkTargets } from "./walk.ts";
import { SnapshotProgress } from "./progress.ts";

export type { SnapshotSummary } from "./staging.ts";

/** What a command line sets of a snapshot run (lib/commands/context.ts `snapshotSettings`). */
export interface SnapshotSettings {
  tag: string;
  store?: BPath | undefined;
  schema: SchemaChoice;
  /** `--exclude` patterns (checked by lib/snapshot/exclude.ts `checkPattern`). */
  exclude?: readonly string[];
  /** `--exclude-if-present` names. */
  excludeIfPresent?: readonly string[];
  /** `--one-file-system`. */
  oneFileSystem?: boolean;
  /** false only for `--no-fsync`. */
  durable: boolean;
  /** `--full`: write an entry for every target, changed or not. */
  full?: boolean;
  /** `--ignore-inode`: leave dev and ino out of the comparison. */
  ignoreInode?: boolean;
}

/** What to snapshot and how. */
export interface SnapshotOptions extends SnapshotSettings {
  /** Absolute byte paths. */
  paths: BPath[];
  /** The pool, or how to start it: it is started only when a file must be copied. */
  pool: WorkerPool | (() => WorkerPool);
  /** Where each target's outcome (and progress) goes. */
  emit: Emit;
  /** false: saved and unchanged targets are counted, not emitted (text shows the counts). */
  targetEvents?: boolean;
  io?: Io;
  /** Force the run's TS (tests); default: the clock. */
  ts?: number;
  /**
   * Measure each file queued to copy, for the progress line's byte total (one lstat more per
   * changed file): set when a progress line is drawn.
   */
  measure?: boolean;
  /** What makes this run, for its record (default: a snapshot). */
  origin?: RunRecord["origin"];
}

/**
 * Runs one snapshot. Never throws for a target's failure (it is counted and emitted);
 * throws only for a failure of the run itself (the store cannot be created).
 */
export async function snapshot(opts: SnapshotOptions): Promise<SnapshotSummary> {
  // A run replaces no directory: its stats may resolve names from open directories.
  const release = holdDirFds();
  try {
    return await snapshotHeld(opts);
  } finally {
    release();
  }
}

async function snapshotHeld(opts: SnapshotOptions): Promise<SnapshotSummary> {
  const t0 = performance.now();
  const spec: RunSpec = { tag: opts.tag, ts: opts.ts ?? Date.now(), schema: opts.schema };
  const skipDirs = new Set<string>();
  if (opts.store !== undefined) {
    fs.mkdirSync(fsPath(opts.store), { recursive: true });
    const st = fs.statSync(fsPath(opts.store));
    skipDirs.add(`${st.dev}:${st.ino}`);
  }
  const io = opts.io ?? realIo;
  const staging = new Staging(spec, io, opts.durable, opts.emit);
  const progress = new SnapshotProgress(opts.emit, opts.measure ?? false);
  staging.progress = progress;
  staging.targetEvents = opts.targetEvents ?? true;
  let scheduler: CopyScheduler | undefined;
  const files = () =>
    scheduler ??= new CopyScheduler(
      typeof opts.pool === "function" ? opts.pool() : opts.pool,
      { schema: spec.schema, run: spec.ts },
      staging,
    );
  const dirs = new EntryDirs(spec, opts.store, staging);
  const versions = new Versions(spec.tag, opts.store);
  // The version cache is kept in the store layout only (lib/snapshot/versions.ts).
  if (opts.store !== undefined) staging.onSaved = (saved) => versions.remember(saved);
  // Two option objects made once, not one per target.
  const judging = {
    tag: spec.tag,
    full: opts.full ?? false,
    ignoreInode: opts.ignoreInode ?? false,
  };
  const notFull = { ...judging, full: false };
  /** The verdict on a target in entry directory `dir`; undefined when it failed (reported). */
  const judge = (
    path: BPath,
    dir: BPath,
    kind: "file" | "symlink" | "none",
    full = judging.full,
  ): Verdict | undefined => {
    try {
      return versions.of(dir).judge(path, kind, full ? judging : notFull);
    } catch (e) {
      staging.fail(path, `cannot compare with its newest entry: ${reasonOf(e)}`);
      return undefined;
    }
  };
  const save = async (
    path: BPath,
    dir: BPath,
    kind: "file" | "symlink" | "none",
    why: ChangeReason,
  ) => {
    if (!dirs.ready(path, dir)) return;
    versions.expect(dir);
    const name = baseName(path);
    if (kind === "file") {
      progress.queued(path);
      await files().add({ src: path, dir, name, tag: spec.tag, ts: spec.ts, change: why });
    } else if (kind === "symlink") snapshotSymlink(staging, { path, dir, name, change: why });
    else snapshotAbsent(staging, { path, dir, name, change: why });
  };

  const explicit = new Set(opts.paths);
  const exclude = new Excludes(opts.exclude ?? []);
  // About the PATHs and options an operator gave: not said for a restore's own snapshots,
  // whose targets (absent ones included) the restore chose.
  const origin = opts.origin ?? "snapshot";
  const warn = (w: Omit<WarningEvent, "event" | "command">) => {
    if (origin === "snapshot" || origin === "run") opts.emit({ ...WARNING, ...w });
  };
  const walk = walkTargets(opts.paths, {
    exclude,
    skipDirs,
    listDirs: true,
    ifPresent: new Set(opts.excludeIfPresent ?? []),
    oneFileSystem: opts.oneFileSystem ?? false,
  });
  for (const item of walk) {
    if (item.kind === "empty") {
      const detail = "no file or symlink below it (empty, or all of it excluded)";
      warn({ what: "path_empty", reason: detail, path: toText(item.path), detail });
      continue;
    }
    if (item.kind === "dir") {
      // Deletions: a target that had entries here and is gone gets a tombstone.
      let gone: { target: BPath; index: { dir: BPath } }[];
      try {
        if (opts.store === undefined) versions.of(item.path, item.names);
        gone = [...versions.vanished(item.path, item.names)];
      } catch (e) {
        staging.fail(item.path, `cannot read its entries: ${reasonOf(e)}`);
        continue;
      }
      for (const { target, index } of gone) {
        // A PATH given explicitly is judged as itself; `--full` does not repeat tombstones.
        if (explicit.has(target)) continue;
        // Left out of the walk by --exclude: not gone, only not looked at.
        if (exclude.coversGone(target, item.path, item.rel)) continue;
        const v = judge(target, index.dir, "none", false);
        if (v === undefined || v.unchanged) continue;
        staging.summary.targets++;
        progress.seen();
        await save(target, index.dir, "none", v.reason);
      }
      continue;
    }
    staging.summary.targets++;
    progress.seen();
    if (item.kind === "error") {
      staging.fail(item.path, item.reason);
      continue;
    }
    if (item.kind === "skip") {
      staging.skip(item.path, item.reason);
      continue;
    }
    if (item.kind === "none") {
      // Only a PATH given is ever absent: said loudly, since a typo looks just like this.
      const reason = "no such file or directory; recorded as absent";
      warn({ what: "path_absent", reason, path: toText(item.path) });
    }
    const dir = dirs.of(item.path);
    if (dir === undefined) continue;
    const v = judge(item.path, dir, item.kind);
    if (v === undefined) continue;
    if (v.unchanged) staging.unchanged(item.path, item.kind, v.ts);
    else await save(item.path, dir, item.kind, v.reason);
  }
  for (const pattern of exclude.unmatched()) {
    warn({ what: "exclude_unmatched", reason: "matched nothing", pattern });
  }
  await scheduler?.finish();
  progress.finish();
  staging.flush();
  versions.writeCaches();
  const counts = runCounts(staging.summary, spec.ts, spec.tag, origin);
  const failures = counts === undefined
    ? []
    : writeRunRecords(opts.paths, counts, opts.store, opts.durable, io);
  for (const f of failures) staging.fail(f.path, f.reason);

  // A later run must get a later TS, even in the same millisecond.
  while (Date.now() <= spec.ts) await new Promise((r) => setTimeout(r, 1));
  staging.summary.seconds = (performance.now() - t0) / 1000;
  return staging.summary;
}

const WARNING = { event: "warning", command: "snapshot" } as const;
