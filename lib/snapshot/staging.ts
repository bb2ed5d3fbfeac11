/**
 * One snapshot run's staging area: every entry passes through here on its way into the
 * commit batch (lib/snapshot/commit.ts), and every outcome of a target (saved, skipped,
 * failed) is counted into the run's summary and emitted here, exactly once.
 *
 * Order for an entry: its payload exists (written by a worker, or by
 * lib/snapshot/small_entries.ts); its sidecar temp is written (by the worker for files,
 * here for the others); it is staged; every `COMMIT_EVERY` entries the batch is sealed;
 * the renames follow in small turns (`commitSome`) or at `flush`, and only then is the
 * entry emitted as saved.
 */
import { posix } from "../fs/posix.ts";
import { baseName, type BPath, toText } from "../fs/bpath.ts";
import { entryPaths } from "../store/layout.ts";
import {
  buildSidecar,
  type ChangeReason,
  encodeSidecar,
  type Prior,
  type PriorKind,
  type SchemaChoice,
} from "../store/sidecar.ts";
import { type Facts, factsOf, fileFacts } from "../store/cache.ts";
import { CommitBatch } from "./commit.ts";
import type { Emit, SavedEvent, SnapshotCounts } from "../events.ts";
import type { Io } from "../fs/io.ts";
import type { CopyJob, FileEntry } from "../pool/protocol.ts";
import type { SnapshotProgress } from "./progress.ts";

/**
 * Entries staged before a flush: bounds memory and the work lost to a crash. Small
 * enough that staged entries rarely outlive a young-generation GC (peak RSS of a
 * 100,000-file run stays near a 10,000-file run's), large enough that syncfs calls
 * stay few (~50 for 100,000 files).
 */
export const COMMIT_EVERY = 2048;

/** What every entry of a run shares. */
export interface RunSpec {
  tag: string;
  /** The run's TS. */
  ts: number;
  schema: SchemaChoice;
}

/** An entry waiting for its commit: all the engine keeps of it until then. */
interface StagedEntry {
  path: BPath;
  /**
   * Its entry directory, what the version cache keeps of its sidecar and that file's stamp
   * head when its writer took one (both kept only for `onSaved`).
   */
  dir: BPath;
  facts: Facts | undefined;
  stamp: string | undefined;
  kind: PriorKind;
  ts: number;
  size: number;
  hash: string | undefined;
  change: ChangeReason;
}

/** An entry just committed, as the version cache takes it (lib/snapshot/versions.ts). */
export interface SavedEntry {
  dir: BPath;
  name: BPath;
  ts: number;
  /** What the version cache keeps of its sidecar (lib/store/cache.ts). */
  facts: Facts;
  /** lib/fs/stat.ts `stampHead` of the sidecar, taken by its writer; undefined when not. */
  stamp: string | undefined;
  /** The clock (ms) right after its rename: the latest ctime its sidecar file may have. */
  at: number;
}

/** The result of a run: its counts, and each failure. */
export interface SnapshotSummary extends SnapshotCounts {
  /** Each failure: path and reason. */
  failures: { path: BPath; reason: string }[];
}

/** A run's summary, entries staged and not yet committed, and where outcomes go. */
export class Staging {
  readonly spec: RunSpec;
  readonly summary: SnapshotSummary;
  readonly #emit: Emit;
  readonly #batch: CommitBatch<StagedEntry>;
  readonly #now: Date;
  /**
   * Told of each committed entry (the store's version cache). Unset, nothing of an entry's
   * sidecar is kept.
   */
  onSaved: ((saved: SavedEntry) => void) | undefined;
  /** Told of each target's outcome as it is known (the progress line). */
  progress: SnapshotProgress | undefined;
  /**
   * Whether each target's outcome (saved, unchanged) is emitted: only `--json` shows them;
   * text shows the counts. Problems are emitted always.
   */
  targetEvents = true;

  /** `durable`: false only for `--no-fsync`. */
  constructor(spec: RunSpec, io: Io, durable: boolean, emit: Emit) {
    this.spec = spec;
    this.#emit = emit;
    this.#now = new Date(spec.ts);
    this.summary = {
      run: spec.ts,
      targets: 0,
      files: 0,
      symlinks: 0,
      absent: 0,
      unchanged: 0,
      deleted: 0,
      skipped: 0,
      failed: 0,
      bytes: 0,
      seconds: 0,
      failures: [],
    };
    this.#batch = new CommitBatch<StagedEntry>(io, durable, {
      committed: (e) => this.#saved(e),
      // A staged entry whose commit failed: its progress was counted when it was staged.
      failed: (e, reason) => this.#fail(e.path, reason),
    });
  }

  /** A target that failed: counted, kept for the summary, emitted. */
  fail(path: BPath, reason: string): void {
    this.progress?.done(path, 0, true);
    this.#fail(path, reason);
  }

  #fail(path: BPath, reason: string): void {
    this.summary.failed++;
    this.summary.failures.push({ path, reason });
    this.#emit({ event: "error", command: "snapshot", path: toText(path), reason });
  }

  /** A target the walk skipped: it has no content to save. */
  skip(path: BPath, reason: string): void {
    this.summary.skipped++;
    this.progress?.done(path);
    this.#emit({ event: "skipped", command: "snapshot", path: toText(path), reason });
  }

  /** A target equal to its newest complete entry (of TS `ts`): counted, emitted, no entry. */
  unchanged(path: BPath, kind: PriorKind, ts: number): void {
    this.summary.unchanged++;
    this.progress?.done(path);
    if (this.targetEvents) {
      this.#emit({ event: "unchanged", command: "snapshot", path: toText(path), kind, ts });
    }
  }

  /** Stages a symlink or absent target whose payload was created at `ts` in `dir`. */
  stage(path: BPath, dir: BPath, ts: number, prior: Prior, change: ChangeReason): void {
    const sidecar = buildSidecar(prior, this.spec.schema, this.spec.ts, this.#now, change);
    const json = encodeSidecar(sidecar);
    const names = entryPaths(dir, baseName(path), this.spec.tag, ts);
    const size = prior.kind === "file" ? prior.size : 0;
    const hash = prior.kind === "file" ? prior.hash : undefined;
    this.#batch.stage(dir, names.sidecar, names.payload, json, {
      path,
      dir,
      facts: this.onSaved === undefined ? undefined : factsOf(sidecar),
      stamp: undefined,
      kind: prior.kind,
      ts,
      size,
      hash,
      change,
    });
    this.progress?.done(path);
    this.#sealWhenFull();
  }

  /** Stages a file a worker copied; the worker also wrote its sidecar temp. */
  stageCopied(job: CopyJob, r: FileEntry): void {
    const names = entryPaths(job.dir, job.name, job.tag, r.ts);
    // What the worker's sidecar records, from the same facts (lib/snapshot/file_entry.ts).
    const facts = this.onSaved === undefined
      ? undefined
      : fileFacts(r, this.spec.schema, this.spec.ts);
    this.#batch.stageWritten(job.dir, r.sidecarTemp, names.sidecar, names.payload, {
      path: job.src,
      dir: job.dir,
      facts,
      stamp: r.sidecarStamp,
      kind: "file",
      ts: r.ts,
      size: r.size,
      hash: r.hash,
      change: job.change,
    });
    this.progress?.done(job.src, r.size);
    this.#sealWhenFull();
  }

  /** Commits up to `limit` sealed entries. */
  commitSome(limit: number): void {
    this.#batch.commitReady(limit);
  }

  /** Commits everything staged. */
  flush(): void {
    this.#batch.flush();
  }

  #sealWhenFull(): void {
    if (this.#batch.size >= COMMIT_EVERY) this.#batch.seal();
  }

  #saved(e: StagedEntry): void {
    const s = this.summary;
    if (e.kind === "file") s.files++;
    else if (e.kind === "symlink") s.symlinks++;
    else if (e.change === "kind") s.deleted++;
    else s.absent++;
    s.bytes += e.size;
    if (this.targetEvents) {
      const ev: SavedEvent = {
        event: "saved",
        command: "snapshot",
        path: toText(e.path),
        kind: e.kind,
        ts: e.ts,
        size: e.size,
        change: e.change,
      };
      if (e.hash !== undefined) ev.hash = e.hash;
      this.#emit(ev);
    }
    if (this.onSaved === undefined || e.facts === undefined) return;
    this.onSaved({
      dir: e.dir,
      name: posix.basename(e.path),
      ts: e.ts,
      facts: e.facts,
      stamp: e.stamp,
      at: Date.now(),
    });
  }
}
