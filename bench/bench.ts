/**
 * snapyard's benchmark (issue #3): snapyard against three baselines on trees it makes.
 *
 *   deno run -A bench/bench.ts [--runtime deno|bun|both] [--rounds N] [--quick]
 *                              [--no-huge] [--huge-rounds N] [--keep] [--work DIR]
 *                              [--no-incremental | --incremental-only] [--against REV]
 *
 * Order of work:
 * 1. Build (or reuse) the trees under WORK/trees (bench/trees.ts).
 * 2. For each tree, N rounds; each round runs every tool once, in an order rotated from
 *    round to round: (a) `cp -a && sync -f`, (b) `cp -a && sha256sum`, and snapyard and
 *    (c) the naive JS snapshot on each runtime. (a) and (b) do not depend on the runtime,
 *    so one series of them serves both tables.
 * 3. snapyard alone on the 100,000-file tree, for the peak RSS ratio.
 * 4. Print one table per runtime and the PASS/FAIL lines.
 * 5. Unless --no-incremental: the incremental runs of issue #10 (bench/incremental.ts):
 *    first run, unchanged re-run and a run after a 1% change, against restic's re-run;
 *    with --against REV, also commit REV's first runs (a git worktree of it) in the same rounds.
 *    With --incremental-only, steps 2-4 are skipped.
 * 6. Delete every output.
 * Outputs are never deleted during the run: ext4 without a journal avoids reusing
 * recently freed inodes, which slows file creation right after a mass delete by up to
 * 10× (docs/benchmarking.md). They stay parked until the end.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureTree, type TreeSpec, type TreeStats } from "./trees.ts";
import { parseOptions, treeSpecs } from "./options.ts";
import { type Env, measure, type Runtime, TIME_BIN, type Tool, toolLabel } from "./tools.ts";
import { type RuntimeResults, type Series, table, verdicts } from "./report.ts";
import { runIncremental } from "./incremental.ts";

const MiB = 1024 * 1024;
/** ext4 here shuns freed inodes for up to ~6 minutes after a delete. */
const INODE_QUARANTINE_MS = 6 * 60 * 1000;

/** The real binaries (no wrapper script whose startup or RSS would be counted). */
function findRuntimes(repo: string): Env["bin"] {
  const bin = (name: string) => {
    try {
      return fs.realpathSync(join(repo, "node_modules", ".bin", name));
    } catch (e) {
      throw new Error(`Cannot find ${name}: run "npm install" in "${repo}" (${e})`);
    }
  };
  return { deno: bin("deno"), bun: bin("bun") };
}

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return (r.stdout ?? "").split("\n")[0] ?? "?";
}

/**
 * Reads every file of `tree` once, untimed, so each tree's first round starts with the
 * tree in the page cache like the others (the outputs of earlier trees may have pushed
 * it out). `cat` rather than tar: GNU tar skips reading data when writing to /dev/null.
 */
function warmUp(tree: string): void {
  const r = spawnSync("bash", [
    "-c",
    'find "$1" -type f -print0 | xargs -0 -r cat >/dev/null',
    "warm",
    tree,
  ], {
    stdio: "inherit",
  });
  if (r.status !== 0) throw new Error(`Cannot read tree "${tree}" to warm the cache`);
}

/** Rotates `items` left by `by`, so each tool runs at a different place in each round. */
function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function main(argv: string[]): number {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const opts = parseOptions(argv, repo);
  try {
    fs.accessSync(TIME_BIN, fs.constants.X_OK);
  } catch {
    // The only dependency outside node:, for peak RSS of whole pipelines.
    console.error(`bench: ${TIME_BIN} is missing: install it with "apt-get install -y time"`);
    return 2;
  }
  const env: Env = { repo, bin: findRuntimes(repo) };
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const runDir = join(opts.work, "runs", stamp);
  const [outs, logs, trash] = [join(runDir, "out"), join(runDir, "logs"), join(opts.work, "trash")];
  fs.mkdirSync(outs, { recursive: true });
  fs.mkdirSync(logs, { recursive: true });
  const park = (path: string) => {
    fs.mkdirSync(trash, { recursive: true });
    fs.renameSync(path, join(trash, `${Date.now()}-${Math.random().toString(36).slice(2)}`));
  };
  const cleanupMark = join(opts.work, "last_cleanup");
  const sinceCleanup = fs.existsSync(cleanupMark)
    ? Date.now() - fs.statSync(cleanupMark).mtimeMs
    : Infinity;
  if (sinceCleanup < INODE_QUARANTINE_MS) {
    console.error(
      `bench: warning: the last run deleted its outputs ${
        Math.round(sinceCleanup / 1000)
      } s ago; ` +
        "file creation may be slowed for up to 6 minutes after that (ext4 inode reuse)",
    );
  }

  const startedAt = performance.now();
  const specs = treeSpecs(opts.quick);
  const trees = join(opts.work, "trees");
  const mainTrees: TreeSpec[] = [specs.small, specs.large, specs.mixed];
  const stats = new Map<string, TreeStats>();
  for (const spec of [...mainTrees, ...(opts.huge ? [specs.huge] : [])]) {
    stats.set(spec.name, ensureTree(trees, spec, park));
  }

  console.log(`# snapyard benchmark ${new Date().toISOString()}`);
  console.log(
    `host: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB; load average at start: ${
        os.loadavg().map((x) => x.toFixed(2)).join(" ")
      }`,
  );
  console.log(
    `snapyard ${firstLine("git", ["-C", repo, "describe", "--always", "--dirty"])}; ` +
      `${firstLine(env.bin.deno, ["--version"])}; bun ${firstLine(env.bin.bun, ["--version"])}`,
  );
  console.log(`rounds: ${opts.rounds} per tree (interleaved); work dir: ${opts.work}`);
  for (const spec of [...mainTrees, ...(opts.huge ? [specs.huge] : [])]) {
    const s = stats.get(spec.name);
    if (s) console.log(`  ${spec.name}: ${spec.title} (${(s.bytes / MiB).toFixed(0)} MiB)`);
  }

  const tools: Tool[] = [
    { id: "cp_sync", kind: "cp_sync" },
    { id: "cp_sha256", kind: "cp_sha256" },
  ];
  for (const runtime of opts.runtimes) {
    tools.push({ id: `snapyard-${runtime}`, kind: "snapyard", runtime });
    tools.push({ id: `naive-${runtime}`, kind: "naive", runtime });
  }
  const series = new Map<string, Series>();
  const record = (tree: string, tool: Tool, round: number): Series => {
    const treeStats = stats.get(tree);
    if (!treeStats) throw new Error(`No stats for tree "${tree}"`);
    const key = `${tree}/${tool.id}`;
    let s = series.get(key);
    if (!s) {
      s = { tree, stats: treeStats, kind: tool.kind, samples: [] };
      if (tool.runtime) s.runtime = tool.runtime;
      series.set(key, s);
    }
    const out = join(outs, `${tree}.${tool.id}.r${round}`);
    const sample = measure(env, tool, { root: join(trees, tree), stats: treeStats }, out, logs);
    s.samples.push(sample);
    console.error(
      `bench: ${tree} round ${round} ${toolLabel(tool.kind)}${
        tool.runtime ? ` [${tool.runtime}]` : ""
      }: ${sample.seconds.toFixed(3)} s, ${(sample.rssKiB / 1024).toFixed(0)} MiB, ` +
        `CPU ${sample.user.toFixed(2)} usr + ${sample.sys.toFixed(2)} sys`,
    );
    return s;
  };

  const shift = Math.max(1, Math.floor(tools.length / opts.rounds));
  for (const spec of opts.incrementalOnly ? [] : mainTrees) {
    warmUp(join(trees, spec.name));
    for (let round = 1; round <= opts.rounds; round++) {
      for (const tool of rotate(tools, (round - 1) * shift)) record(spec.name, tool, round);
    }
  }
  const huge = new Map<Runtime, Series>();
  if (opts.huge) {
    for (let round = 1; round <= opts.hugeRounds; round++) {
      for (const tool of rotate(tools.filter((t) => t.kind === "snapyard"), round - 1)) {
        if (tool.runtime) huge.set(tool.runtime, record(specs.huge.name, tool, round));
      }
    }
  }

  let allPass = true;
  const verdictLines: string[] = [];
  const treeNames = mainTrees.map((t) => t.name);
  for (const runtime of opts.incrementalOnly ? [] : opts.runtimes) {
    const all = [...series.values()];
    const r: RuntimeResults = {
      runtime,
      series: all.filter((s) => s.runtime === undefined || s.runtime === runtime),
      hugeBase: specs.small.name,
    };
    const h = huge.get(runtime);
    if (h) r.huge = h;
    console.log(`\n${table(r, treeNames)}`);
    const [lines, pass] = verdicts(r, specs.small.name, specs.large.name, treeNames);
    verdictLines.push(...lines);
    allPass &&= pass;
  }
  if (verdictLines.length > 0) console.log(`\n${verdictLines.join("\n")}`);
  if (opts.incremental) {
    const inc = runIncremental({
      env,
      runtimes: opts.runtimes,
      rounds: opts.rounds,
      trees,
      specs: mainTrees,
      small: specs.small.name,
      large: specs.large.name,
      stats,
      outs,
      logs,
      ...(opts.against ? { against: opts.against } : {}),
    });
    console.log(`\n${inc.text}`);
    allPass &&= inc.pass;
  }
  if (opts.quick) console.log("(--quick: the targets are stated for the full trees)");
  const minutes = ((performance.now() - startedAt) / 60000).toFixed(1);
  console.log(
    `\n${allPass ? "all targets met" : "some targets missed"}; measured in ${minutes} min; ` +
      `load average at end: ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`,
  );

  if (opts.keep) {
    console.log(`outputs kept in ${runDir}`);
  } else {
    // Only now, after every measurement: see the inode note in the header.
    console.error("bench: deleting the outputs (about 1.5 minutes after a full run)");
    const started = performance.now();
    fs.rmSync(join(opts.work, "runs"), { recursive: true, force: true });
    fs.rmSync(trash, { recursive: true, force: true });
    fs.writeFileSync(cleanupMark, `${new Date().toISOString()}\n`);
    const s = ((performance.now() - started) / 1000).toFixed(1);
    console.error(`bench: deleted the outputs in ${s} s`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
