/**
 * The incremental part of the bench (issue #10): what a re-run costs once a store holds
 * the tree, on Deno and Bun, against restic's re-run in the same rounds.
 *
 * Order of work, per tree (small, large, mixed), in N interleaved rounds whose tool order
 * rotates from round to round; each tool of a round runs one series:
 * 1. Untimed: `cp -a` the tree to a private copy (the 1% change must not leak into
 *    other series) and `sync -f` it.
 * 2. snapyard (`snapshot COPY --store FRESH --lock LOCK -q`, durable): a first run, an
 *    unchanged re-run, then (untimed) a rewrite of 1% of the files with new bytes of the
 *    same size, and a run after that change. After each run, untimed, `snapyard runs`
 *    must show the newest run with the expected new / unchanged counts. With `--against
 *    REV`, the same first run of commit REV's snapyard (a checkout of it), into a store of
 *    its own, before this one's in odd rounds and after it in even ones (an even number
 *    of rounds: bench/options.ts rounds it up).
 *    restic, when on PATH: `restic init` (untimed), `restic backup COPY` twice.
 * 3. Each timed step records seconds and the bytes its store or repository grew by.
 * Copies, stores and repositories stay parked under the run's out dir until the bench
 * deletes every output at its very end (bench/bench.ts: the ext4 inode-reuse effect).
 */
import * as fs from "node:fs";
import { join } from "node:path";
import type { Env, Runtime } from "./tools.ts";
import type { TreeSpec, TreeStats } from "./trees.ts";
import {
  changeOnePercent,
  checkoutAt,
  newestRun,
  privateCopy,
  removeCheckout,
  resticInit,
  resticVersion,
  type StepSample,
  timedStep,
} from "./incremental_steps.ts";
import { incrementalTable, incrementalVerdicts, type IncSeries } from "./incremental_report.ts";

/** What the incremental bench needs from bench.ts. */
export interface IncrementalInput {
  env: Env;
  runtimes: Runtime[];
  rounds: number;
  trees: string;
  specs: TreeSpec[];
  /** The trees the speed-up targets name. */
  small: string;
  large: string;
  stats: Map<string, TreeStats>;
  outs: string;
  logs: string;
  /** `--against`: an earlier commit whose first runs are timed too. */
  against?: string;
}

/** Where the `--against` commit is checked out, for the series. */
interface Against {
  rev: string;
  dir: string;
}

type IncTool = Runtime | "restic";

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function runner(env: Env, runtime: Runtime): string[] {
  return runtime === "deno" ? [env.bin.deno, "run", "-A"] : [env.bin.bun];
}

/** Throws unless the newest run of `store` counts `fresh` new and the rest unchanged. */
function expectRun(env: Env, store: string, entries: number, fresh: number, what: string): void {
  const run = newestRun([...runner(env, "deno"), join(env.repo, "main.ts")], store);
  if (run.new !== fresh || run.unchanged !== entries - fresh || run.failed !== 0) {
    throw new Error(
      `snapyard ${what} did not do its step: new ${run.new} (want ${fresh}), ` +
        `unchanged ${run.unchanged} (want ${entries - fresh}), failed ${run.failed}`,
    );
  }
}

function log(tree: string, round: number, tool: IncTool, step: string, s: StepSample): void {
  console.error(
    `bench: incremental ${tree} round ${round} ${
      tool === "restic" ? "restic" : `snapyard [${tool}]`
    }` +
      ` ${step}: ${s.seconds.toFixed(3)} s, +${(s.bytesAdded / 2 ** 20).toFixed(1)} MiB`,
  );
}

/**
 * One snapyard series: first run, unchanged re-run, run after a 1% change; with
 * `--against`, also the earlier commit's first run of the same copy.
 */
function snapyardSeries(
  input: IncrementalInput,
  s: IncSeries,
  runtime: Runtime,
  dir: string,
  against: Against | undefined,
) {
  const { env } = input;
  const copy = join(dir, "tree");
  const store = join(dir, "store");
  const round = s.first.length + 1;
  privateCopy(join(input.trees, s.tree), copy);
  const lock = join(input.logs, "snapyard-incremental.lock");
  /** `snapshot COPY` by the snapyard whose entry point is `main`, into store `to`. */
  const snapshot = (main: string, to: string) => {
    const args = ["snapshot", copy, "--store", to, "--lock", lock, "-q"];
    return [...runner(env, runtime), main, ...args];
  };
  const argv = snapshot(join(env.repo, "main.ts"), store);
  const entries = s.stats.files + s.stats.symlinks;
  const vars = { ...process.env, NO_COLOR: "1" };
  const base = join(input.logs, `inc.${s.tree}.${runtime}.r${round}`);
  /** The earlier commit's first run, into a store of its own (it may not know `runs`). */
  const againstFirst = () => {
    if (against === undefined) return;
    const to = join(dir, "store-against");
    const argvAt = snapshot(join(against.dir, "main.ts"), to);
    const sample = timedStep(argvAt, to, `${base}.against`, vars);
    log(s.tree, round, runtime, `first of ${against.rev}`, sample);
    s.against.push(sample);
  };
  if (round % 2 === 1) againstFirst();
  const first = timedStep(argv, store, `${base}.first`, vars);
  expectRun(env, store, entries, entries, "first run");
  log(s.tree, round, runtime, "first", first);
  if (round % 2 === 0) againstFirst();
  const unchanged = timedStep(argv, store, `${base}.unchanged`, vars);
  expectRun(env, store, entries, 0, "unchanged re-run");
  log(s.tree, round, runtime, "unchanged", unchanged);
  const change = changeOnePercent(copy);
  const changed = timedStep(argv, store, `${base}.changed`, vars);
  expectRun(env, store, entries, change.files, "run after a 1% change");
  log(s.tree, round, runtime, `changed (${change.files} files)`, changed);
  s.first.push(first);
  s.unchanged.push(unchanged);
  s.changed.push(changed);
  s.change.push(change);
}

/** One restic series: `restic backup` into a fresh repository, then again unchanged. */
function resticSeries(input: IncrementalInput, s: IncSeries, dir: string): void {
  const copy = join(dir, "tree");
  const repo = join(dir, "restic-repo");
  const round = s.first.length + 1;
  privateCopy(join(input.trees, s.tree), copy);
  // restic finds the parent snapshot by host and path by itself; its cache is its default.
  const vars = {
    ...process.env,
    RESTIC_REPOSITORY: repo,
    RESTIC_PASSWORD: "snapyard-bench",
  };
  resticInit(vars);
  const argv = ["restic", "backup", "--quiet", copy];
  const base = join(input.logs, `inc.${s.tree}.restic.r${round}`);
  const first = timedStep(argv, repo, `${base}.first`, vars);
  log(s.tree, round, "restic", "first", first);
  const unchanged = timedStep(argv, repo, `${base}.unchanged`, vars);
  log(s.tree, round, "restic", "unchanged", unchanged);
  s.first.push(first);
  s.unchanged.push(unchanged);
}

/**
 * Runs the incremental series and returns the printed report and whether every target
 * was met.
 * @throws when a run fails or does not do its step
 */
export function runIncremental(input: IncrementalInput): { text: string; pass: boolean } {
  // --against: the earlier commit, checked out beside the outputs while the series run.
  const against = input.against === undefined
    ? undefined
    : { rev: input.against, dir: join(input.outs, "against-src") };
  if (against) checkoutAt(input.env.repo, against.rev, against.dir);
  try {
    return runSeries(input, against);
  } finally {
    if (against) removeCheckout(input.env.repo, against.dir);
  }
}

/** The series of every tree and tool, in rotated rounds, then the report. */
function runSeries(input: IncrementalInput, against: Against | undefined) {
  const restic = resticVersion();
  const tools: IncTool[] = [...input.runtimes, ...(restic ? ["restic" as const] : [])];
  const all: IncSeries[] = [];
  for (const spec of input.specs) {
    const stats = input.stats.get(spec.name);
    if (!stats) throw new Error(`No stats for tree "${spec.name}"`);
    const series = new Map<IncTool, IncSeries>();
    for (const tool of tools) {
      const s: IncSeries = {
        tree: spec.name,
        stats,
        tool,
        first: [],
        unchanged: [],
        changed: [],
        change: [],
        against: [],
      };
      series.set(tool, s);
      all.push(s);
    }
    for (let round = 1; round <= input.rounds; round++) {
      for (const tool of rotate(tools, round - 1)) {
        const s = series.get(tool);
        if (!s) continue;
        const dir = join(input.outs, "incremental", `${spec.name}.${tool}.r${round}`);
        fs.mkdirSync(dir, { recursive: true });
        if (tool === "restic") resticSeries(input, s, dir);
        else snapyardSeries(input, s, tool, dir, against);
      }
    }
  }
  const parts = [
    "## Incremental runs (issue #10): durable, -q, fresh store per series",
    restic
      ? `restic: ${restic.split("\n")[0]}`
      : "restic: not on PATH, its rows and the target against it are skipped",
  ];
  let pass = true;
  const lines: string[] = [];
  const names = input.specs.map((t) => t.name);
  for (const runtime of input.runtimes) {
    parts.push(incrementalTable(all, runtime, names, input.against));
    const [v, ok] = incrementalVerdicts(all, runtime, names, input);
    lines.push(...v);
    pass &&= ok;
  }
  parts.push(lines.join("\n"));
  return { text: parts.join("\n\n"), pass };
}
