/**
 * Regular files of a snapshot run, on their way through the worker pool.
 *
 * Order of work: `add` queues a copy job; a full batch (its size follows the mean size
 * of the files copied so far: `jobsPerBatch`) is sent to the pool, with at most
 * `BATCHES_PER_WORKER` batches per worker in flight (the walk waits beyond that). Each
 * result is staged as it arrives (lib/snapshot/staging.ts), or fails its target with a
 * reason (lib/errors.ts `failureReason`); then a few sealed entries are committed, so the commit
 * keeps pace without holding the workers up. `finish` sends the last batch and waits
 * for every result.
 */
import { InflightWindow } from "../pool/inflight.ts";
import { failureReason, reasonOf } from "../errors.ts";
import type { WorkerPool } from "../pool/pool.ts";
import type { CopyJob, CopyResult, SidecarSpec } from "../pool/protocol.ts";
import type { Staging } from "./staging.ts";

/** Most files per worker message. */
export const MAX_JOBS_PER_BATCH = 64;
/** Batches in flight per worker. */
const BATCHES_PER_WORKER = 8;
/**
 * Bytes a batch should hold. The walk does not know sizes, so a batch's job count
 * follows the mean size of the files copied so far (one file per batch until the
 * first result): small files travel 64 to a message, large ones one by one so that
 * every worker gets a share (16 files of 64 MiB in one batch kept one worker busy
 * and the other idle).
 */
export const BATCH_BYTES = 8 << 20;
/** Renames done per worker result while workers run: keeps the commit off the critical path. */
const RENAMES_PER_TURN = 256;

/**
 * How many files the next batch carries, given the files copied so far and their bytes:
 * 1 until a size is known, then as many files of the mean size as fit in `BATCH_BYTES`,
 * at least 1 and at most `MAX_JOBS_PER_BATCH`.
 */
export function jobsPerBatch(copiedFiles: number, copiedBytes: number): number {
  if (copiedFiles === 0) return 1;
  const fit = Math.floor(BATCH_BYTES / Math.max(1, copiedBytes / copiedFiles));
  return Math.min(MAX_JOBS_PER_BATCH, Math.max(1, fit));
}

/** Batches copy jobs to the pool and stages their results. */
export class CopyScheduler {
  readonly #pool: WorkerPool;
  readonly #spec: SidecarSpec;
  readonly #staging: Staging;
  readonly #inflight: InflightWindow;
  #jobs: CopyJob[] = [];
  #perBatch = 1;
  #copiedFiles = 0;
  #copiedBytes = 0;

  constructor(pool: WorkerPool, spec: SidecarSpec, staging: Staging) {
    this.#pool = pool;
    this.#spec = spec;
    this.#staging = staging;
    this.#inflight = new InflightWindow(pool.size * BATCHES_PER_WORKER);
  }

  /** Queues one file; waits while the in-flight window is full. */
  async add(job: CopyJob): Promise<void> {
    this.#jobs.push(job);
    if (this.#jobs.length >= this.#perBatch) await this.#dispatch();
  }

  /** Sends what is queued and waits for every result. */
  async finish(): Promise<void> {
    if (this.#jobs.length > 0) await this.#dispatch();
    await this.#inflight.drain();
  }

  async #dispatch(): Promise<void> {
    const jobs = this.#jobs;
    this.#jobs = [];
    const p = this.#pool.copy(jobs, this.#spec).then(
      (results) => this.#onCopied(jobs, results),
      (e) => {
        for (const job of jobs) this.#staging.fail(job.src, `worker failed: ${reasonOf(e)}`);
      },
    );
    await this.#inflight.add(p);
  }

  #onCopied(jobs: CopyJob[], results: CopyResult[]): void {
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      const job = jobs[i]!;
      if (!r.ok) {
        this.#staging.fail(job.src, failureReason(r.error));
        continue;
      }
      this.#copiedFiles++;
      this.#copiedBytes += r.size;
      this.#staging.stageCopied(job, r);
    }
    this.#perBatch = jobsPerBatch(this.#copiedFiles, this.#copiedBytes);
    this.#staging.commitSome(RENAMES_PER_TURN);
  }
}
