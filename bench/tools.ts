/**
 * The competitors and how one run of one of them is measured.
 *
 * Order of one measurement: spawn the command under `/usr/bin/time -f '%M %U %S'` (peak
 * RSS in KiB, CPU seconds in user space and kernel; for a `bash -c` pipeline the RSS is
 * the max over every process of it, because wait4 folds the waited-for children's
 * maxrss in, and the CPU times are their sums), time it with the monotonic clock
 * from spawn to exit, check its exit status and, for snapyard and (c), that its JSON
 * summary counts every file and symlink of the tree. Then, untimed, `sync -f` the work
 * filesystem, so dirty pages one tool leaves (cp, sha256sum) are not flushed by the
 * next tool's syncfs and counted against it.
 */
import * as fs from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { TreeStats } from "./trees.ts";

export type Runtime = "deno" | "bun";
export type ToolKind = "snapyard" | "cp_sync" | "cp_sha256" | "naive";

/** One competitor; `runtime` only for the two JS tools. */
export interface Tool {
  id: string;
  kind: ToolKind;
  runtime?: Runtime;
}

/** One measured run: wall clock, peak RSS, and CPU time in user space and kernel. */
export interface Sample {
  seconds: number;
  rssKiB: number;
  user: number;
  sys: number;
}

/** Where the repo and the runtimes' binaries are. */
export interface Env {
  repo: string;
  bin: Record<Runtime, string>;
}

export const TIME_BIN = "/usr/bin/time";

/** A short label for tables: "snapyard", "(a) cp+sync" ... */
export function toolLabel(kind: ToolKind): string {
  switch (kind) {
    case "snapyard":
      return "snapyard";
    case "cp_sync":
      return "(a) cp -a+sync -f";
    case "cp_sha256":
      return "(b) cp -a+sha256sum";
    case "naive":
      return "(c) naive JS";
  }
}

/** The argv that runs `tool` on `tree` into the fresh `out`. */
function commandLine(env: Env, tool: Tool, tree: string, out: string, lock: string): string[] {
  const runtime = tool.runtime ?? "deno";
  const js = runtime === "deno" ? [env.bin.deno, "run", "-A"] : [env.bin.bun];
  switch (tool.kind) {
    case "snapyard":
      return [
        ...js,
        join(env.repo, "main.ts"),
        "snapshot",
        tree,
        "--store",
        out,
        "--json",
        "--lock",
        lock,
      ];
    case "naive":
      return [...js, join(env.repo, "bench", "naive_snapshot.ts"), tree, out];
    case "cp_sync":
      return ["bash", "-c", 'cp -a -- "$1" "$2" && sync -f -- "$2"', "cp_sync", tree, out];
    case "cp_sha256":
      return [
        "bash",
        "-c",
        'set -o pipefail; cp -a -- "$1" "$2" && find "$2" -type f -print0 | xargs -0 -r sha256sum >/dev/null',
        "cp_sha256",
        tree,
        out,
      ];
  }
}

/** The last JSON line of a tool's stdout, or a reason why there is none. */
function summaryOf(stdoutPath: string): Record<string, unknown> | string {
  const text = fs.readFileSync(stdoutPath, "utf8").trimEnd();
  const last = text.slice(text.lastIndexOf("\n") + 1);
  try {
    const parsed: unknown = JSON.parse(last);
    if (typeof parsed === "object" && parsed !== null) return parsed as Record<string, unknown>;
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
  }
  return `no JSON summary on stdout (last line: ${JSON.stringify(last.slice(0, 200))})`;
}

/**
 * Runs `tool` once and measures it; `logs` gets its stdout, stderr and RSS files.
 * @throws when the tool fails or its summary does not match the tree: a benchmark of
 * a run that did not do the whole job would be meaningless
 */
export function measure(
  env: Env,
  tool: Tool,
  tree: { root: string; stats: TreeStats },
  out: string,
  logs: string,
): Sample {
  const base = join(logs, out.slice(out.lastIndexOf("/") + 1));
  const [stdoutPath, stderrPath, rssPath] = [`${base}.out`, `${base}.err`, `${base}.rss`];
  const argv = [
    "-f",
    "%M %U %S",
    "-o",
    rssPath,
    ...commandLine(env, tool, tree.root, out, join(logs, "snapyard.lock")),
  ];
  const { seconds, status } = timedRun(argv, stdoutPath, stderrPath, {
    cwd: env.repo,
    env: { ...process.env, NO_COLOR: "1" },
  });
  const settle = spawnSync("sync", ["-f", out], { stdio: "inherit" });
  const what = `${toolLabel(tool.kind)}${tool.runtime ? ` on ${tool.runtime}` : ""}`;
  if (status !== 0 || settle.status !== 0) {
    throw new Error(`${what} failed with exit ${status}: see "${stderrPath}"`);
  }
  if (tool.kind === "snapyard" || tool.kind === "naive") {
    const summary = summaryOf(stdoutPath);
    if (typeof summary === "string") throw new Error(`${what}: ${summary}`);
    const { files, symlinks, failed } = summary;
    if (files !== tree.stats.files || symlinks !== tree.stats.symlinks || failed !== 0) {
      throw new Error(
        `${what} did not save the whole tree: files ${files}/${tree.stats.files}, ` +
          `symlinks ${symlinks}/${tree.stats.symlinks}, failed ${failed}`,
      );
    }
  }
  // /usr/bin/time writes "Command exited with non-zero status" first on failure: last line.
  const rssLines = fs.readFileSync(rssPath, "utf8").trim().split("\n");
  const [rssKiB, user, sys] = (rssLines[rssLines.length - 1] ?? "").split(" ").map(Number);
  if (rssKiB === undefined || user === undefined || sys === undefined || !(rssKiB > 0)) {
    throw new Error(`${what}: unreadable peak RSS and CPU times in "${rssPath}"`);
  }
  return { seconds, rssKiB, user, sys };
}

/**
 * Runs `/usr/bin/time ARGV` with stdout and stderr to files; its wall seconds and exit
 * status (the caller decides what a failure means).
 * @throws when the command cannot be started
 */
export function timedRun(
  argv: string[],
  stdoutPath: string,
  stderrPath: string,
  opts: { cwd?: string; env: NodeJS.ProcessEnv },
): { seconds: number; status: number | null } {
  const stdout = fs.openSync(stdoutPath, "w");
  const stderr = fs.openSync(stderrPath, "w");
  try {
    const started = performance.now();
    const child = spawnSync(TIME_BIN, argv, {
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      stdio: ["ignore", stdout, stderr],
      env: opts.env,
    });
    const seconds = (performance.now() - started) / 1000;
    if (child.error) throw child.error;
    return { seconds, status: child.status };
  } finally {
    fs.closeSync(stdout);
    fs.closeSync(stderr);
  }
}
