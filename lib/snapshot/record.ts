/**
 * The last step of a snapshot run: its run record (lib/store/runs.ts), written only
 * after every entry of the run is committed and durable.
 *
 * Order of steps, per anchor directory (lib/store/layout.ts `anchorDir`) of the run's
 * PATHs: create it in the store if needed; write the record to a temp name, fsync it,
 * rename it into place (the record's commit point); then one fsync of each directory.
 * Each copy lists the PATHs anchored in its directory; the counts are the whole run's.
 * `--no-fsync` skips the flushes. A record that cannot be written is returned as a
 * failure (the entries stay: they are versions without a run).
 */
import { fs } from "../fs/sys.ts";
import { type BPath, fsPath } from "../fs/bpath.ts";
import { lstatQuiet } from "../fs/stat.ts";
import { errnoOf, reasonOf } from "../errors.ts";
import { atomicWriteFile, writeTempFile } from "../fs/atomic_write.ts";
import type { SnapshotCounts } from "../events.ts";
import type { Io } from "../fs/io.ts";
import { anchorDir } from "../store/layout.ts";
import { encodeRunRecord, type RunRecord, runRecordPath } from "../store/runs.ts";

/** A run's record without its PATHs (each copy lists its own). */
export type RunCounts = Omit<RunRecord, "paths" | "schema">;

/**
 * The counts of the record of run `ts` from its summary, or undefined when the run covered
 * nothing (every target failed: no file saved, none compared) and leaves no record.
 */
export function runCounts(
  s: SnapshotCounts,
  ts: number,
  tag: string,
  origin: RunRecord["origin"],
): RunCounts | undefined {
  const covered = s.files + s.symlinks + s.absent + s.deleted + s.unchanged > 0 || s.failed === 0;
  if (!covered) return undefined;
  return {
    ts,
    tag,
    origin,
    outcome: s.failed > 0 ? "partial" : "complete",
    finishedAt: Date.now(),
    targets: s.targets,
    new: s.files + s.symlinks + s.absent,
    unchanged: s.unchanged,
    deleted: s.deleted,
    failed: s.failed,
    skipped: s.skipped,
    bytesAdded: s.bytes,
  };
}

/** Writes the run's record beside each PATH's entries; the failures, by file. */
export function writeRunRecords(
  paths: readonly BPath[],
  counts: RunCounts,
  store: BPath | undefined,
  durable: boolean,
  io: Io,
): { path: BPath; reason: string }[] {
  const byDir = new Map<BPath, BPath[]>();
  for (const p of paths) {
    const dir = anchorDir(p, isDirectory(p), store);
    const list = byDir.get(dir);
    if (list === undefined) byDir.set(dir, [p]);
    else if (!list.includes(p)) list.push(p);
  }
  const failures: { path: BPath; reason: string }[] = [];
  const written: BPath[] = [];
  for (const [dir, anchored] of byDir) {
    const file = runRecordPath(dir, counts.tag, counts.ts);
    const json = encodeRunRecord({ schema: "snapyard_run.v1", paths: anchored, ...counts });
    try {
      if (store !== undefined) fs.mkdirSync(fsPath(dir), { recursive: true, mode: 0o700 });
      if (durable) atomicWriteFile(file, json, 0o600, io);
      else io.rename(writeTempFile(file, json, 0o600, io), file);
      written.push(dir);
    } catch (e) {
      // Beside the entries: where the directory is gone (an absent target whose parent is
      // missing), no entry is anchored there either.
      if (store === undefined && (errnoOf(e) === "ENOENT" || errnoOf(e) === "ENOTDIR")) continue;
      failures.push({ path: file, reason: `cannot write run record: ${reasonOf(e)}` });
    }
  }
  if (durable) {
    for (const dir of written) {
      try {
        io.fsyncDir(dir);
      } catch (e) {
        failures.push({ path: dir, reason: `run record not durable: ${reasonOf(e)}` });
      }
    }
  }
  return failures;
}

/** Absent, or under a file (ENOTDIR): anchored like a file, beside its would-be entries. */
function isDirectory(p: BPath): boolean {
  return lstatQuiet(p)?.isDirectory() ?? false;
}
