/**
 * Runs made as data for the runs and prune tests: today's `snapshot` makes the entries,
 * which are then moved to a chosen TS, and the run record is written by hand with
 * `encodeRunRecord` (any record the snapshot itself wrote is replaced), so a test controls
 * the days its runs fall on and which targets each run covers without an entry.
 */
import * as fs from "node:fs";
import { posix } from "node:path";
import { encodeRunRecord, type RunRecord } from "../../lib/store/runs.ts";
import { runRecordName } from "../../lib/store/layout.ts";
import { retime, snap } from "./entry_fixture.ts";

/** The record of a run of `paths` at `ts` (counts as given, the rest zero). */
export function recordOf(ts: number, paths: string[], more: Partial<RunRecord> = {}): RunRecord {
  return {
    schema: "snapyard_run.v1",
    ts,
    tag: "snapyard",
    paths,
    origin: "snapshot",
    outcome: "complete",
    finishedAt: ts + 5,
    targets: 0,
    new: 0,
    unchanged: 0,
    deleted: 0,
    failed: 0,
    skipped: 0,
    bytesAdded: 0,
    ...more,
  };
}

/** Writes `record` as the run record file in directory `anchor`; its path. */
export function writeRecord(anchor: string, record: RunRecord): string {
  fs.mkdirSync(anchor, { recursive: true });
  const file = posix.join(anchor, runRecordName(record.tag, record.ts));
  fs.writeFileSync(file, encodeRunRecord(record));
  return file;
}

/**
 * One run over directory `root` at `ts`: snapshots only `changed` (absolute file PATHs
 * below `root`; an absent one becomes a tombstone), as an incremental run would, moves
 * their entries to `ts` and writes a record covering `root` into its anchor in `store`.
 */
export async function incrementalRun(
  work: string,
  store: string,
  root: string,
  changed: string[],
  ts: number,
): Promise<void> {
  const made = await snap(work, ["--store", store, ...changed]);
  for (const p of changed) {
    retime(posix.join(store, posix.dirname(p)), posix.basename(p), "snapyard", made, ts);
  }
  // A snapshot that writes run records left one at its own TS: this run replaces it.
  for (const p of [root, ...changed.map((c) => posix.dirname(c))]) {
    fs.rmSync(posix.join(store, p, runRecordName("snapyard", made)), { force: true });
  }
  writeRecord(posix.join(store, root), recordOf(ts, [root], { new: changed.length }));
}
