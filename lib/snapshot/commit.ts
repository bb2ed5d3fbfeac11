/**
 * The batch commit protocol: what makes exit 0 mean "on disk".
 *
 * 1. Workers create each payload (O_EXCL, 0600) and write its bytes; no fsync.
 * 2. The entry's sidecar is written to a temp name beside its final name, no fsync:
 *    by the worker for files (`stageWritten`), here for symlinks and tombstones (`stage`).
 * 3. `seal`: one syncfs(2) per filesystem touched. The payload bytes, the sidecar
 *    temps' bytes and every new name (store directories made by mkdir included)
 *    reach the disk in one call per filesystem instead of one fsync per file.
 * 4. `commitReady`: each temp is renamed to its final sidecar name: the commit point. A sidecar under
 *    its final name therefore implies its payload and its own bytes were durable.
 * 5. One fsync per touched directory makes the renames durable (once per sealed batch).
 * `flush` does 3–5 at once. The engine seals a batch when it is full and renames in
 * small chunks between worker results, so the workers never wait for the commit.
 * Only then are the entries reported as saved. A crash before step 4 leaves payloads
 * without sidecars (orphans) and temps, which `verify` names and `prune` removes; a
 * crash after it leaves complete entries. No step ever touches an older entry.
 * A failed flush fails the entries it covers: their temps and payloads are removed, so
 * nothing is half-committed. `--no-fsync` skips steps 3 and 5 (tests, benchmarks).
 *
 * Measured here (10,000 × 4 KiB files): one syncfs per batch + one fsync per
 * directory costs ~5 ms per batch; fsync per file costs ~1,500 files/s.
 */
import * as fs from "node:fs";
import { type BPath, fsPath, toText } from "../fs/bpath.ts";
import { reasonOf } from "../errors.ts";
import type { Io } from "../fs/io.ts";
import { writeTempFile } from "../fs/atomic_write.ts";

interface Staged<T> {
  dir: BPath;
  temp: BPath;
  final: BPath;
  payload: BPath;
  item: T;
}

/** What becomes of each staged item (one pair for the batch, not closures per entry). */
export interface CommitHandlers<T> {
  /** The entry is committed and durable. */
  committed(item: T): void;
  /** The entry failed; nothing of it is left (temp and payload removed). */
  failed(item: T, reason: string): void;
}

/**
 * A batch of staged sidecars waiting for one flush. `T` is the caller's record of an
 * entry, handed back to `handlers`; keep it small: thousands stay alive until a flush.
 */
export class CommitBatch<T> {
  readonly #io: Io;
  readonly #durable: boolean;
  readonly #on: CommitHandlers<T>;
  #staged: Staged<T>[] = [];
  #sealed: { entries: Staged<T>[]; next: number; committed: Staged<T>[] }[] = [];
  readonly #devOf = new Map<BPath, number>();

  /** `durable`: false only for `--no-fsync`. */
  constructor(io: Io, durable: boolean, handlers: CommitHandlers<T>) {
    this.#io = io;
    this.#durable = durable;
    this.#on = handlers;
  }

  /** Entries staged and not yet flushed. */
  get size(): number {
    return this.#staged.length;
  }

  /**
   * Writes the sidecar temp of one entry. On failure the payload is removed and
   * `failed` is called at once; otherwise `committed` or `failed` follows at a flush.
   */
  stage(dir: BPath, sidecarFinal: BPath, payload: BPath, json: string, item: T): void {
    let temp: BPath;
    try {
      temp = writeTempFile(sidecarFinal, json);
    } catch (e) {
      removeQuietly(payload);
      this.#on.failed(item, `cannot write sidecar: ${reasonOf(e)}`);
      return;
    }
    this.#staged.push({ dir, temp, final: sidecarFinal, payload, item });
  }

  /**
   * Stages an entry whose sidecar temp a worker already wrote (step 2 done in parallel).
   * `committed` or `failed` follows at a flush.
   */
  stageWritten(dir: BPath, temp: BPath, sidecarFinal: BPath, payload: BPath, item: T): void {
    this.#staged.push({ dir, temp, final: sidecarFinal, payload, item });
  }

  /** Entries sealed (durable temps) and not yet renamed. */
  get pendingRenames(): number {
    let n = 0;
    for (const g of this.#sealed) n += g.entries.length - g.next;
    return n;
  }

  /** Steps 3–5 for everything staged, at once. Never throws: failures go to `onFail`. */
  flush(): void {
    this.seal();
    this.commitReady(Infinity);
  }

  /**
   * Step 3 for everything staged: one syncfs per filesystem. The batch then waits for
   * `commitReady`, so the renames can be interleaved with the workers' progress.
   */
  seal(): void {
    const staged = this.#staged;
    this.#staged = [];
    if (staged.length === 0) return;
    let live = staged;
    if (this.#durable) {
      const failedFs = new Map<number, string>();
      for (const [dev, dir] of this.#filesystems(staged)) {
        try {
          this.#io.syncfs(dir);
        } catch (e) {
          failedFs.set(
            dev,
            `cannot make durable: syncfs of "${toText(dir)}" failed: ${reasonOf(e)}`,
          );
        }
      }
      if (failedFs.size > 0) {
        live = [];
        for (const s of staged) {
          const reason = failedFs.get(this.#devOrMinus(s.dir));
          if (reason === undefined) live.push(s);
          else this.#abandon(s, reason);
        }
      }
    }
    this.#sealed.push({ entries: live, next: 0, committed: [] });
  }

  /**
   * Steps 4–5 for at most `limit` sealed entries, oldest batch first: rename each temp
   * to its final name; when a batch's renames are done, fsync each of its directories
   * once and report its entries. Never throws.
   */
  commitReady(limit: number): void {
    let budget = limit;
    while (budget > 0 && this.#sealed.length > 0) {
      const g = this.#sealed[0]!;
      while (budget > 0 && g.next < g.entries.length) {
        const s = g.entries[g.next++]!;
        budget--;
        try {
          // The commit point: the sidecar appears under its final name, whole.
          this.#io.rename(s.temp, s.final);
          g.committed.push(s);
        } catch (e) {
          this.#abandon(s, `cannot commit sidecar: ${reasonOf(e)}`);
        }
      }
      if (g.next < g.entries.length) return;
      this.#sealed.shift();
      this.#finishGroup(g.committed);
    }
  }

  #finishGroup(committed: Staged<T>[]): void {
    const dirFailure = new Map<BPath, string>();
    if (this.#durable) {
      for (const dir of new Set(committed.map((s) => s.dir))) {
        try {
          this.#io.fsyncDir(dir);
        } catch (e) {
          dirFailure.set(
            dir,
            `not durable: fsync of directory "${toText(dir)}" failed: ${reasonOf(e)}`,
          );
        }
      }
    }
    for (const s of committed) {
      const reason = dirFailure.get(s.dir);
      if (reason === undefined) this.#on.committed(s.item);
      else this.#on.failed(s.item, reason);
    }
  }

  /** The device of a directory, or -1 when it cannot be stat'ed (its syncfs then fails). */
  #devOrMinus(dir: BPath): number {
    try {
      return this.#dev(dir);
    } catch (_e) {
      // Reported through the syncfs failure of the same directory.
      return -1;
    }
  }

  #dev(dir: BPath): number {
    let dev = this.#devOf.get(dir);
    if (dev === undefined) {
      dev = fs.statSync(fsPath(dir)).dev;
      this.#devOf.set(dir, dev);
    }
    return dev;
  }

  #filesystems(staged: Staged<T>[]): Map<number, BPath> {
    const byDev = new Map<number, BPath>();
    for (const s of staged) {
      const dev = this.#devOrMinus(s.dir);
      if (!byDev.has(dev)) byDev.set(dev, s.dir);
    }
    return byDev;
  }

  #abandon(s: Staged<T>, reason: string): void {
    removeQuietly(s.temp);
    removeQuietly(s.payload);
    this.#on.failed(s.item, reason);
  }
}

function removeQuietly(p: BPath): void {
  try {
    fs.rmSync(fsPath(p), { force: true });
  } catch (_e) {
    // Best effort: what cannot be removed stays an orphan, which verify reports.
  }
}
