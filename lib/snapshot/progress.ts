/**
 * A snapshot's progress, for the terminal progress line (lib/cli/report.ts draws it; never
 * JSON): targets done out of the targets the walk has seen so far, bytes copied out of the bytes
 * of the files queued to copy, the elapsed time (for the rate) and the path last done.
 *
 * Counted as each target's outcome is known (a worker finished its copy, a symlink or tombstone
 * was staged, a target found unchanged, skipped or failed), not at the commits, which come in
 * batches of 2,048 entries. Steps: `seen` per target the walk yields, `queued` per file sent to
 * copy (its size only when `measure`: one lstat more per changed file, paid only when a
 * progress line is drawn), `done` per outcome; an event at most every `intervalMs`, and a last
 * one at `finish`.
 */
import { fs } from "../fs/sys.ts";
import { type BPath, fsPath, toText } from "../fs/bpath.ts";
import { errnoOf } from "../errors.ts";
import type { Emit } from "../events.ts";

/** How often a progress event may go out. */
const INTERVAL_MS = 100;

/** The counts behind the progress line. */
export class SnapshotProgress {
  #filesSeen = 0;
  #filesDone = 0;
  #bytesSeen = 0;
  #bytesDone = 0;
  #failed = 0;
  #path: BPath | undefined;
  #last = -Infinity;
  readonly #emit: Emit;
  readonly #measure: boolean;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #t0: number;

  /** `measure`: stat each file queued to copy, for the byte total. */
  constructor(
    emit: Emit,
    measure: boolean,
    intervalMs = INTERVAL_MS,
    now: () => number = () => performance.now(),
  ) {
    this.#emit = emit;
    this.#measure = measure;
    this.#intervalMs = intervalMs;
    this.#now = now;
    this.#t0 = now();
  }

  /** The walk found a target. */
  seen(): void {
    this.#filesSeen++;
  }

  /** A file goes to be copied: its size joins the byte total (when measuring). */
  queued(path: BPath): void {
    if (this.#measure) this.#bytesSeen += sizeOf(path);
  }

  /** A target's outcome is known; `bytes` were copied for it. */
  done(path: BPath, bytes = 0, failed = false): void {
    this.#filesDone++;
    this.#bytesDone += bytes;
    if (failed) this.#failed++;
    this.#path = path;
    const now = this.#now();
    if (now - this.#last >= this.#intervalMs) {
      this.#last = now;
      this.#send(now);
    }
  }

  /** The last event: every count as it ends. */
  finish(): void {
    this.#send(this.#now());
  }

  #send(now: number): void {
    this.#emit({
      event: "progress",
      command: "snapshot",
      files_done: this.#filesDone,
      files_seen: this.#filesSeen,
      bytes_done: this.#bytesDone,
      ...(this.#measure ? { bytes_seen: Math.max(this.#bytesSeen, this.#bytesDone) } : {}),
      failed: this.#failed,
      seconds: (now - this.#t0) / 1000,
      ...(this.#path === undefined ? {} : { path: toText(this.#path) }),
    });
  }
}

/** A file's size for the progress line's total; 0 when it cannot be had. */
function sizeOf(path: BPath): number {
  try {
    return fs.lstatSync(fsPath(path)).size;
  } catch (e) {
    // Any system error (vanished, unreadable): the copy meets it again and reports it.
    if (errnoOf(e) === undefined) throw e;
    return 0;
  }
}
