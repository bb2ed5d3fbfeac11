/**
 * Checking entries: every file of ours under the selected targets is classified, and
 * every file payload is hashed on the worker pool and compared with its sidecar.
 *
 * Order of steps, streamed one entry directory at a time (lib/entries.ts selects):
 * 1. Leftover temps and orphan payloads are findings at once: a crash left them.
 * 2. Each sidecar is read with the validating reader; a corrupt one is a finding.
 * 3. By recorded kind: `symlink` → the payload must be a symlink with exactly the
 *    recorded text; `none` → an empty regular file; `file` → queued for hashing.
 *    Hash jobs go to the pool in batches cut by count or by bytes (so a few big files
 *    still spread over every worker), with a bounded number of batches in flight.
 * 4. Each hash result is compared with `payload_hash` as it arrives.
 * A sidecar without its payload is "payload missing" when the entry needs the payload
 * to be restored (file, symlink) and "orphan sidecar" when it does not (`none`: the
 * tombstone is only a marker). Checks fail closed: a payload that cannot be read is
 * "unreadable", and a v1 file entry (switchyard-fs, no `payload_hash`) is "unverified";
 * both are problems, never ok. Verify takes no lock: run while a snapshot is writing,
 * it names that run's not yet committed files as orphans and temps.
 */
import * as fs from "node:fs";
import { type BPath, fromBytes, fromText, fsPath, toText } from "./bpath.ts";
import {
  collectTargets,
  distinctTargets,
  type EntryRef,
  readSidecarFile,
  scanTree,
  type TargetScan,
} from "./entries.ts";
import { errnoOf, reasonOf } from "./errors.ts";
import type { WorkerPool } from "./pool.ts";
import type { HashJob, HashResult } from "../workers/protocol.ts";

/** Every way an entry (or a file of ours) can fail verification. */
export type ProblemState =
  | "hash_mismatch"
  | "payload_mismatch"
  | "payload_missing"
  | "orphan_sidecar"
  | "sidecar_corrupt"
  | "unverified"
  | "unreadable"
  | "orphan_payload"
  | "temp";

/** Words for people, per state. */
export const STATE_TEXT: Record<ProblemState, string> = {
  hash_mismatch: "hash mismatch",
  payload_mismatch: "payload mismatch",
  payload_missing: "payload missing",
  orphan_sidecar: "orphan sidecar",
  sidecar_corrupt: "sidecar corrupt",
  unverified: "unverified",
  unreadable: "unreadable",
  orphan_payload: "orphan payload",
  temp: "leftover temp file",
};

/** One problem: the file it is about, its target and entry TS (when it has one). */
export interface Finding {
  state: ProblemState;
  target: BPath;
  path: BPath;
  ts?: number;
  reason: string;
}

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

interface Pending {
  target: BPath;
  entry: EntryRef;
  hash: string;
  /** The recorded size (v3), if any. */
  size: number | undefined;
  /** The payload's size now, to cut batches by bytes. */
  bytes: number;
}

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
  const inflight = new Set<Promise<void>>();
  const onHashed = (batch: Pending[], results: HashResult[]) => {
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      const f = judgeHash(p, results[i]!);
      if (f === undefined) sum.ok++;
      else report(f);
      const r = results[i]!;
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
      (e) => {
        for (const b of batch) {
          report(finding(b.target, b.entry, "unreadable", `worker failed: ${reasonOf(e)}`));
        }
      },
    );
    jobs = [];
    pending = [];
    batchBytes = 0;
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    while (inflight.size >= opts.pool().size * BATCHES_PER_WORKER) await Promise.race(inflight);
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
  if (jobs.length > 0) await dispatch();
  while (inflight.size > 0) await Promise.race(inflight);
  sum.seconds = (performance.now() - t0) / 1000;
  return sum;
}

function finding(target: BPath, e: EntryRef, state: ProblemState, reason: string): Finding {
  // Name the file that is there: the sidecar when it is the problem or the only one left.
  const onSidecar = state === "sidecar_corrupt" || state === "orphan_sidecar";
  const path = onSidecar ? e.sidecar : e.payload;
  return { state, target, path, ts: e.ts, reason };
}

/** The findings that need no reading: temps and orphan payloads. */
function leftovers(scan: TargetScan): Finding[] {
  const out: Finding[] = scan.temps.map((path) => ({
    state: "temp" as const,
    target: scan.target,
    path,
    reason: "left by an interrupted run (prune removes it)",
  }));
  for (const o of scan.orphanPayloads) {
    out.push({
      state: "orphan_payload",
      target: scan.target,
      path: o.payload,
      ts: o.ts,
      reason: "payload without a sidecar: its run never committed (prune removes it)",
    });
  }
  return out;
}

type Check =
  | { kind: "ok" }
  | { kind: "problem"; finding: Finding }
  | { kind: "hash"; pending: Pending };

/** Everything but the hash: the sidecar, the payload's presence, type and link text. */
function checkEntry(target: BPath, e: EntryRef): Check {
  const problem = (state: ProblemState, reason: string): Check => ({
    kind: "problem",
    finding: finding(target, e, state, reason),
  });
  const parsed = readSidecarFile(e.sidecar);
  if (!parsed.ok) {
    const also = e.state === "payload_missing" ? "; its payload is missing too" : "";
    // The label already says "sidecar corrupt"; keep only the detail.
    return problem("sidecar_corrupt", parsed.reason.replace(/^sidecar corrupt: /, "") + also);
  }
  const s = parsed.sidecar;
  if (e.state === "payload_missing") {
    return s.prior_kind === "none"
      ? problem("orphan_sidecar", "tombstone missing (the entry still records an absent target)")
      : problem("payload_missing", `no payload for this ${s.prior_kind} entry`);
  }
  if (s.prior_kind === "file" && s.payload_hash !== undefined && s.size !== undefined) {
    // v3 records the size: no lstat here, the worker's fstat checks the type (ELOOP,
    // NOT_REGULAR) and the batch is cut by the recorded size.
    const pending = { target, entry: e, hash: s.payload_hash, size: s.size, bytes: s.size };
    return { kind: "hash", pending };
  }
  let st: fs.Stats;
  try {
    st = fs.lstatSync(fsPath(e.payload));
  } catch (err) {
    if (errnoOf(err) === "ENOENT") return problem("payload_missing", "payload vanished");
    return problem("unreadable", `cannot stat payload: ${reasonOf(err)}`);
  }
  if (s.prior_kind === "none") {
    if (!st.isFile()) return problem("payload_mismatch", "tombstone is not a regular file");
    if (st.size !== 0) {
      return problem("payload_mismatch", `tombstone is not empty (${st.size} bytes)`);
    }
    return { kind: "ok" };
  }
  if (s.prior_kind === "symlink") {
    if (!st.isSymbolicLink()) return problem("payload_mismatch", "payload is not a symlink");
    let text: BPath;
    try {
      text = fromBytes(fs.readlinkSync(fsPath(e.payload), { encoding: "buffer" }));
    } catch (err) {
      return problem("unreadable", `cannot read payload link: ${reasonOf(err)}`);
    }
    if (text !== fromText(s.prior_dest!)) {
      return problem(
        "payload_mismatch",
        `link text "${toText(text)}" differs from the recorded "${s.prior_dest}"`,
      );
    }
    return { kind: "ok" };
  }
  if (!st.isFile()) return problem("payload_mismatch", "payload is not a regular file");
  if (s.payload_hash === undefined) {
    return problem(
      "unverified",
      `${s.schema} file entry has no payload_hash to check (restore needs --allow-unverified)`,
    );
  }
  return {
    kind: "hash",
    pending: { target, entry: e, hash: s.payload_hash, size: s.size, bytes: st.size },
  };
}

/** The reason of an error that crossed the thread boundary as `{ code, message }`. */
function wireReason(e: { code: string; message: string }): string {
  return reasonOf(Object.assign(new Error(e.message), { code: e.code }));
}

/** Compares one hash result with its sidecar; undefined when it matches. */
function judgeHash(p: Pending, r: HashResult): Finding | undefined {
  if (!r.ok) {
    const code = r.error.code;
    if (code === "ENOENT") return finding(p.target, p.entry, "payload_missing", "payload vanished");
    if (code === "ELOOP" || code === "NOT_REGULAR") {
      return finding(p.target, p.entry, "payload_mismatch", "payload is not a regular file");
    }
    return finding(p.target, p.entry, "unreadable", `cannot hash payload: ${wireReason(r.error)}`);
  }
  if (r.hash === p.hash) return undefined;
  const sizes = p.size !== undefined && p.size !== r.size
    ? ` (${r.size} bytes, recorded ${p.size})`
    : "";
  return finding(
    p.target,
    p.entry,
    "hash_mismatch",
    `recorded sha256 ${p.hash.slice(0, 12)}…, payload has ${r.hash.slice(0, 12)}…${sizes}`,
  );
}
