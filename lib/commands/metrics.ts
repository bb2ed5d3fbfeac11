/**
 * `--metrics-file FILE`: when a command ends (success or failure, a lock timeout or an
 * unusable store included; not a usage error), its series in FILE are replaced.
 * Steps: take FILE's own lock (`FILE.lock`: two commands ending together must not lose each
 * other's series), read the previous file (absent: none), keep every series of another command
 * or tag, carry this command and tag's last success over a failed run, add this run's samples
 * (lib/cli/metrics.ts formats them), then write FILE atomically (temp, fsync, rename, directory
 * fsync) with mode 0644 for node_exporter. A failure to write is reported on stderr and leaves
 * the command's exit code alone: the stale `snapyard_last_run_timestamp_seconds` shows it.
 */
import { fs } from "../fs/sys.ts";
import { posix } from "../fs/posix.ts";
import type { CommandName, SummaryEvent } from "../events.ts";
import type { Options } from "../cli/options.ts";
import { errnoOf, EXIT_CODES, type Outcome, reasonOf, SnapyardError } from "../errors.ts";
import { type BPath, fsPath, toText } from "../fs/bpath.ts";
import { atomicWriteFile } from "../fs/atomic_write.ts";
import { fsyncDir } from "../fs/io.ts";
import { acquireLock } from "../fs/lock.ts";
import { initRuntime } from "../fs/runtime.ts";
import { formatMetrics, parseMetrics, type Sample } from "../cli/metrics.ts";

/** How long to wait for another snapyard writing the same metrics file. */
const METRICS_LOCK_MS = 10_000;

/** What one run of a command leaves in the metrics file. */
export interface RunFacts {
  command: CommandName;
  tag: string;
  outcome: Outcome;
  /** Unix time in ms. */
  startedMs: number;
  endedMs: number;
  /** Time waited for the run lock; undefined for a command that takes none. */
  lockWaitMs: number | undefined;
  /** The command's summary event; undefined when it failed before one. */
  summary: SummaryEvent | undefined;
}

/**
 * Measures one run of a command for `--metrics-file` (lib/commands/dispatch.ts): its start,
 * its wait for the run lock and its outcome; `record` writes them when the run ends.
 */
export class RunMeter {
  readonly #command: CommandName;
  readonly #options: Options;
  readonly #startedMs = Date.now();
  #lockWaitMs: number | undefined;
  #outcome: Outcome = "INTERNAL";

  constructor(command: CommandName, options: Options) {
    this.#command = command;
    this.#options = options;
  }

  /** Takes the run lock by `take`, timing the wait (a timeout's too). */
  async lock<T>(take: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await take();
    } finally {
      this.#lockWaitMs = performance.now() - t0;
    }
  }

  /** The command returned `outcome`; returns it. */
  ended(outcome: Outcome): Outcome {
    return this.#outcome = outcome;
  }

  /** The command ended with the error `e`. */
  failed(e: unknown): void {
    this.#outcome = e instanceof SnapyardError ? e.code : "INTERNAL";
  }

  /** Writes the run's series (its `summary`, if it emitted one) to the `--metrics-file`, if any. */
  async record(summary: SummaryEvent | undefined): Promise<void> {
    const file = this.#options.metricsFile;
    if (file === undefined) return;
    await recordMetrics(file, {
      command: this.#command,
      tag: this.#options.tag,
      outcome: this.#outcome,
      startedMs: this.#startedMs,
      endedMs: Date.now(),
      lockWaitMs: this.#lockWaitMs,
      summary,
    });
  }
}

/**
 * Replaces this run's series in `file`; a failure is reported on stderr, never thrown (the
 * command's own outcome stands).
 */
export async function recordMetrics(file: BPath, facts: RunFacts): Promise<void> {
  try {
    await writeMetrics(file, facts);
  } catch (e) {
    // Ours already name the file (or the lock's); a system error gets the file.
    const text = e instanceof SnapyardError
      ? e.message
      : `Cannot write metrics "${toText(file)}": ${reasonOf(e)}`;
    fs.writeSync(2, `snapyard: ${text}\n`);
  }
}

/**
 * Replaces this run's series in `file`, under its lock.
 * @throws SnapyardError (a foreign file, the lock not acquired) or the system error of a step.
 */
export async function writeMetrics(file: BPath, facts: RunFacts): Promise<void> {
  // flock needs the runtime's libc handle: a store check that failed ends before any command
  // set it up.
  await initRuntime();
  const lock = await acquireLock(`${file}.lock`, METRICS_LOCK_MS);
  try {
    let previous: Sample[] = [];
    try {
      previous = parseMetrics(fs.readFileSync(fsPath(file), "utf8"), toText(file));
    } catch (e) {
      // No file yet: the first run writes it.
      if (errnoOf(e) !== "ENOENT") throw e;
    }
    atomicWriteFile(file, formatMetrics(mergeSamples(previous, facts)), 0o644);
    fsyncDir(posix.dirname(file));
  } finally {
    lock.release();
  }
}

/** `previous` with this command and tag's series replaced by `facts`'. */
export function mergeSamples(previous: readonly Sample[], facts: RunFacts): Sample[] {
  const ours = (s: Sample) => s.labels.command === facts.command && s.labels.tag === facts.tag;
  const lastSuccess = previous.find((s) =>
    ours(s) && s.name === "snapyard_last_success_timestamp_seconds"
  );
  const samples = runSamples(facts);
  if (facts.outcome !== "OK" && lastSuccess !== undefined) samples.push(lastSuccess);
  return [...previous.filter((s) => !ours(s)), ...samples];
}

/** The samples of one run. */
export function runSamples(facts: RunFacts): Sample[] {
  const labels = { command: facts.command, tag: facts.tag };
  const ended = facts.endedMs / 1000;
  const out: Sample[] = [
    { name: "snapyard_last_run_timestamp_seconds", labels, value: ended },
    { name: "snapyard_duration_seconds", labels, value: (facts.endedMs - facts.startedMs) / 1000 },
    { name: "snapyard_exit_code", labels, value: EXIT_CODES[facts.outcome] },
  ];
  if (facts.outcome === "OK") {
    out.push({ name: "snapyard_last_success_timestamp_seconds", labels, value: ended });
  }
  if (facts.lockWaitMs !== undefined) {
    out.push({
      name: "snapyard_lock_wait_seconds",
      labels,
      value: Math.round(facts.lockWaitMs) / 1000,
    });
  }
  const s = facts.summary;
  for (const [state, value] of Object.entries(s === undefined ? {} : targetStates(s))) {
    if (value !== undefined) {
      out.push({ name: "snapyard_targets", labels: { ...labels, state }, value });
    }
  }
  if (s?.command === "snapshot") out.push({ name: "snapyard_bytes_added", labels, value: s.bytes });
  if (s?.command === "run") {
    out.push({ name: "snapyard_rollbacks", labels, value: s.rolled_back ? 1 : 0 });
  }
  return out;
}

/** The targets of a summary by state, for the commands that have targets. */
function targetStates(s: SummaryEvent): Record<string, number | undefined> {
  switch (s.command) {
    case "snapshot":
      return {
        new: s.files + s.symlinks + s.absent,
        unchanged: s.unchanged,
        deleted: s.deleted,
        skipped: s.skipped,
        failed: s.failed,
      };
    case "restore":
      return { restored: s.restored, removed: s.removed, unchanged: s.unchanged, failed: s.failed };
    case "run":
      // The rollback's targets, when there was one.
      return { restored: s.restored, removed: s.removed, failed: s.failed };
    case "prune":
      return { pruned: s.pruned, kept: s.kept, failed: s.failed };
    case "verify":
      return { ok: s.ok, problem: s.problems };
    case "diff":
      return { added: s.added, removed: s.removed, changed: s.changed, unchanged: s.unchanged };
    case "list":
    case "runs":
    case "generate":
      return {};
  }
}
