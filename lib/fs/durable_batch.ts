/**
 * The durable batch: a set of name changes (renames, unlinks) made durable with one flush
 * per filesystem and one fsync per directory, instead of one fsync per file. The snapshot
 * commit (lib/snapshot/commit.ts), the restore replace phase (lib/restore/apply.ts) and
 * prune (lib/prune.ts) each drive one; what a failure means is theirs.
 *
 * Order of steps, every call through the `Io` seam:
 * 1. `syncFilesystems`: one syncfs(2) per filesystem holding the given directories (told
 *    apart by `st_dev`): every byte written so far and every new name reach the disk
 *    before any name changes. A failure is handed back for each directory it covers.
 * 2. `apply`: the name changes, in order: a rename (the atomic replace) or an unlink (a
 *    name already gone counts as removed: absence is the goal). Each failure is handed to
 *    the caller with its error, and the caller says whether to go on.
 * 3. `fsyncDirs`: one fsync per directory whose names changed in step 2 since the last
 *    call, making the changes durable.
 * Steps 1 and 3 do nothing when not durable (`--no-fsync`). Nothing here throws.
 */
import { fs } from "./sys.ts";
import { type BPath, fsPath } from "./bpath.ts";
import { errnoOf } from "../errors.ts";
import type { Io } from "./io.ts";

/** One name change: `from` renamed over `to`, or `path` unlinked; `dir` holds the name. */
export type NameChange =
  | { op: "rename"; dir: BPath; from: BPath; to: BPath }
  | { op: "unlink"; dir: BPath; path: BPath };

/** Why the filesystem of a directory could not be flushed. */
export interface SyncFailure {
  /** The directory that failed: the one stat'ed, or the one syncfs was called on. */
  dir: BPath;
  step: "stat" | "syncfs";
  error: unknown;
}

/** What `apply` tells its caller, change by change. */
export interface ChangeHandlers {
  /** Change `i` is made (an unlink whose name was already gone included). */
  made?(i: number): void;
  /** Change `i` failed with `error`: true to go on with the next change, false to stop. */
  failed(i: number, error: unknown): boolean;
}

/** Steps 1–3 of one batch of name changes (or of several, one after the other). */
export class DurableBatch {
  readonly #io: Io;
  readonly #durable: boolean;
  readonly #devOf = new Map<BPath, number>();
  #changed = new Set<BPath>();

  /** `durable`: false only for `--no-fsync`. */
  constructor(io: Io, durable: boolean) {
    this.#io = io;
    this.#durable = durable;
  }

  /**
   * Step 1: one syncfs per filesystem holding any of `dirs`, called on the first of its
   * directories. Returns, for every directory of `dirs` whose filesystem failed (or
   * that could not be stat'ed), why; empty when all is durable or not durable is asked.
   */
  syncFilesystems(dirs: Iterable<BPath>): Map<BPath, SyncFailure> {
    const failures = new Map<BPath, SyncFailure>();
    if (!this.#durable) return failures;
    const devOfDir = new Map<BPath, number>();
    const firstDirOfDev = new Map<number, BPath>();
    for (const dir of dirs) {
      if (devOfDir.has(dir) || failures.has(dir)) continue;
      let dev: number;
      try {
        dev = this.#dev(dir);
      } catch (e) {
        // A directory that cannot be stat'ed cannot be told to be flushed: it fails.
        failures.set(dir, { dir, step: "stat", error: e });
        continue;
      }
      devOfDir.set(dir, dev);
      if (!firstDirOfDev.has(dev)) firstDirOfDev.set(dev, dir);
    }
    const failedDevs = new Map<number, SyncFailure>();
    for (const [dev, dir] of firstDirOfDev) {
      try {
        this.#io.syncfs(dir);
      } catch (e) {
        failedDevs.set(dev, { dir, step: "syncfs", error: e });
      }
    }
    if (failedDevs.size > 0) {
      for (const [dir, dev] of devOfDir) {
        const f = failedDevs.get(dev);
        if (f !== undefined) failures.set(dir, f);
      }
    }
    return failures;
  }

  /**
   * Step 2: makes `changes` in order, telling `on` of each. Returns the index of the
   * change it stopped at (`on.failed` said so), or `changes.length`.
   */
  apply(changes: readonly NameChange[], on: ChangeHandlers): number {
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i]!;
      let made = true;
      let error: unknown;
      try {
        if (c.op === "rename") this.#io.rename(c.from, c.to);
        else this.#io.unlink(c.path);
        this.#changed.add(c.dir);
      } catch (e) {
        // An unlink's goal is the name's absence: a name already gone (ENOENT) is that.
        made = c.op === "unlink" && errnoOf(e) === "ENOENT";
        error = e;
      }
      if (made) on.made?.(i);
      else if (!on.failed(i, error)) return i;
    }
    return changes.length;
  }

  /**
   * Step 3: one fsync per directory whose names changed since the last call, in the
   * order of their first change. Returns the error of each directory that failed.
   */
  fsyncDirs(): Map<BPath, unknown> {
    const dirs = this.#changed;
    this.#changed = new Set();
    const failures = new Map<BPath, unknown>();
    if (!this.#durable) return failures;
    for (const dir of dirs) {
      try {
        this.#io.fsyncDir(dir);
      } catch (e) {
        failures.set(dir, e);
      }
    }
    return failures;
  }

  /** The device of a directory, cached: a batch stats each directory once. */
  #dev(dir: BPath): number {
    let dev = this.#devOf.get(dir);
    if (dev === undefined) {
      dev = fs.statSync(fsPath(dir)).dev;
      this.#devOf.set(dir, dev);
    }
    return dev;
  }
}
