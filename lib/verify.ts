/**
 * `verify`'s pipeline: every file of ours under the selected targets is classified
 * (lib/store/check.ts says what is ok), and every file payload is hashed on the worker
 * pool and compared with its sidecar.
 *
 * Order of steps, streamed one entry directory at a time (lib/store/entries.ts selects):
 * 1. Leftover temps and orphan payloads are findings at once: a crash left them.
 * 2. Each entry is checked up to its hash (`checkEntry`); problems are reported.
 * 3. File entries become hash jobs, sent to the pool in batches cut by count or by
 *    bytes (so a few big files still spread over every worker), with a bounded
 *    number of batches in flight.
 * 4. Each hash result is compared with `payload_hash` as it arrives (`judgeHash`).
 * 5. Temps of run records and version caches (lib/store/run_survey.ts) are findings too.
 * Verify takes no lock: run while a snapshot is writing, it names that run's not yet
 * committed files as orphans and temps.
 */
import { InflightWindow } from "./pool/inflight.ts";
import type { BPath } from "./fs/bpath.ts";
import { collectTargets, distinctTargets, scanTree } from "./store/selection.ts";
import { surveyRuns } from "./store/run_survey.ts";
import {
  checkEntry,
  type Finding,
  judgeHash,
  leftovers,
  type Pending,
  type ProblemState,
} from "./store/check.ts";
import { workerDied } from "./pool/hash_batch.ts";
import type { WorkerPool } from "./pool/pool.ts";
import type { HashJob, HashResult } from "./pool/protocol.ts";

export { type Finding, type ProblemState, STATE_TEXT } from "./store/check.ts";

/** What a verify run found. */
export interface VerifySummary {
  /** Entries (sidecars) checked. */
  entries: number;
  ok: number;
  problems: number;
  byState: Partial<Record<ProblemState, number>>;
  hashedFiles: number;
  hashedBytes: number;
  seconds: number;
}

/** What to verify. */
export interface VerifyOptions {
  /** Absolute PATHs; empty means the whole store. */
  paths: readonly BPath[];
  tag: string;
  store: BPath | undefined;
  /** The worker pool, started only when a file needs hashing. */
  pool: () => WorkerPool;
  onFinding: (f: Finding) => void;
  /** Called now and then with the running counts (progress line). */
  onProgress?: (s: VerifySummary) => void;
}

/** Jobs per worker message, bytes per message, and messages in flight per worker. */
const JOBS_PER_BATCH = 64;
const BYTES_PER_BATCH = 8 << 20;
const BATCHES_PER_WORKER = 4;

/**
 * Verifies every entry under `opts.paths` (or the whole store). Never throws for a
 * bad entry: each problem goes to `onFinding` and is counted.
 * @throws only when the worker pool itself cannot be started.
 */
export async function verify(opts: VerifyOptions): Promise<VerifySummary> {
  const t0 = performance.now();
  const sum: VerifySummary = {
    entries: 0,
    ok: 0,
    problems: 0,
    byState: {},
    hashedFiles: 0,
    hashedBytes: 0,
    seconds: 0,
  };
  const report = (f: Finding) => {
    sum.problems++;
    sum.byState[f.state] = (sum.byState[f.state] ?? 0) + 1;
    opts.onFinding(f);
  };
  const onError = (e: { path: BPath; reason: string }) =>
    report({ state: "unreadable", target: e.path, path: e.path, reason: e.reason });

  let jobs: HashJob[] = [];
  let pending: Pending[] = [];
  let batchBytes = 0;
  // Created with the pool, on the first file to hash: no workers start for nothing.
  let inflight: InflightWindow | undefined;
  const onHashed = (batch: Pending[], results: HashResult[]) => {
    for (let i = 0; i < batch.length; i++) {
      const r = results[i]!;
      const j = judgeHash(batch[i]!, r);
      if (j.ok) sum.ok++;
      else report(j.finding);
      if (r.ok) {
        sum.hashedFiles++;
        sum.hashedBytes += r.size;
      }
    }
    opts.onProgress?.(sum);
  };
  const dispatch = async () => {
    const batch = pending;
    const p = opts.pool().hash(jobs).then(
      (results) => onHashed(batch, results),
      // The worker died: each job of the batch fails, judged like any failed hash.
      (e) => onHashed(batch, batch.map(() => ({ ok: false, error: workerDied(e) }))),
    );
    jobs = [];
    pending = [];
    batchBytes = 0;
    inflight ??= new InflightWindow(opts.pool().size * BATCHES_PER_WORKER);
    await inflight.add(p);
  };

  const scans = opts.paths.length > 0
    ? collectTargets(opts.paths, opts.tag, opts.store, onError)
    : scanTree(opts.store!, opts.tag, opts.store, onError);
  for (const scan of distinctTargets(scans)) {
    for (const f of leftovers(scan)) report(f);
    for (const entry of scan.entries) {
      sum.entries++;
      const r = checkEntry(scan.target, entry);
      if (r.kind === "ok") sum.ok++;
      else if (r.kind === "problem") report(r.finding);
      else {
        jobs.push({ path: entry.payload });
        pending.push(r.pending);
        batchBytes += r.pending.bytes;
        if (jobs.length >= JOBS_PER_BATCH || batchBytes >= BYTES_PER_BATCH) await dispatch();
      }
    }
  }
  // Temps of run records and caches (the scans above hold only entries' files). The
  // survey's unreadable directories are the ones the scans above already reported.
  const survey = surveyRuns(opts.paths, opts.tag, opts.store, () => {});
  for (const path of survey.temps) {
    report({
      state: "temp",
      target: path,
      path,
      reason: "left by an interrupted run (prune removes it)",
    });
  }
  if (jobs.length > 0) await dispatch();
  await inflight?.drain();
  sum.seconds = (performance.now() - t0) / 1000;
  return sum;
}
