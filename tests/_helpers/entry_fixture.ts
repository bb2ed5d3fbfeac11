/**
 * Helpers for the verify, list and prune tests: entries made by the real `snapshot`
 * CLI, the names of their files, and a CLI runner that keeps each test's lock private
 * (so tests never wait on another suite's lock).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { posix } from "node:path";
import { type CliResult, jsonLines, runCli, type TempDir, tempDir } from "./helpers.ts";

/** Runs snapyard with a private lock file under `dir`. */
export function cli(dir: string, args: readonly string[]): Promise<CliResult> {
  return runCli([...args, "--lock", posix.join(dir, "test.lock")]);
}

/**
 * Runs `snapshot --json --full`, asserts exit 0, returns the run's TS. `--full`: every
 * call writes an entry per target, as these tests of reading commands need (incremental
 * runs have tests of their own: tests/cli/incremental_test.ts).
 */
export async function snap(dir: string, args: readonly string[]): Promise<number> {
  const r = await cli(dir, ["snapshot", "--json", "--no-fsync", "--full", ...args]);
  assert.equal(r.code, 0, r.stderr);
  const sum = jsonLines(r.stdout).find((e) => e.event === "summary");
  return sum!.run as number;
}

/** Lets file times fall out of the "racy" window of the run that will record them. */
export const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 120));

/** One incremental `snapshot --json` run (exit 0 asserted): its events and its summary. */
export async function snapRun(
  dir: string,
  args: readonly string[],
): Promise<{ events: Record<string, unknown>[]; sum: Record<string, unknown> }> {
  const r = await cli(dir, ["snapshot", "--json", "--no-fsync", ...args]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const events = jsonLines(r.stdout);
  return { events, sum: events.find((e) => e.event === "summary")! };
}

/** The two files of an entry of target `<dir>/<name>`. */
export function files(dir: string, name: string, tag: string, ts: number) {
  const payload = posix.join(dir, `.${name}.${tag}.${ts}.bak`);
  return { payload, sidecar: `${payload}.meta.json` };
}

/** Whether a path exists (symlinks not followed). */
export function exists(p: string): boolean {
  return fs.lstatSync(p, { throwIfNoEntry: false }) !== undefined;
}

/** Asserts both files of an entry exist (`true`) or both are gone (`false`). */
export function assertEntry(dir: string, name: string, tag: string, ts: number, present: boolean) {
  const f = files(dir, name, tag, ts);
  assert.equal(exists(f.payload), present, `${f.payload} should ${present ? "" : "not "}exist`);
  assert.equal(exists(f.sidecar), present, `${f.sidecar} should ${present ? "" : "not "}exist`);
}

/** Moves an entry to another TS (renames whichever of its files exist): makes old entries. */
export function retime(dir: string, name: string, tag: string, ts: number, to: number): void {
  const a = files(dir, name, tag, ts);
  const b = files(dir, name, tag, to);
  if (exists(a.payload)) fs.renameSync(a.payload, b.payload);
  if (exists(a.sidecar)) fs.renameSync(a.sidecar, b.sidecar);
}

/** Every name in `dir` and below (relative), sorted: a before/after picture. */
export function picture(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

/** The JSON events of a run, and its summary. */
export function events(
  r: CliResult,
): { all: Record<string, unknown>[]; summary: Record<string, unknown> } {
  const all = jsonLines(r.stdout);
  const summary = all.find((e) => e.event === "summary");
  assert.ok(summary !== undefined, `no summary in: ${r.stdout}\n${r.stderr}`);
  return { all, summary };
}

/**
 * Whether strace can trace and inject faults here: installed, and ptrace permitted (a
 * container without CAP_SYS_PTRACE has the first and not the second). The one probe of
 * every strace test.
 */
export const HAS_STRACE =
  spawnSync("strace", ["-f", "-qq", "-o", "/dev/null", "true"]).status === 0;

/** The `skip` option of a strace test: false, or why it cannot run here. */
export const NO_STRACE: false | string = HAS_STRACE
  ? false
  : "strace is not installed or ptrace is not permitted (apt-get install -y strace)";

/**
 * Runs snapyard under `strace -f` with extra strace options (fault injection, tracing
 * to `traceFile`), with a private lock under `dir`.
 */
export function runStraced(
  dir: string,
  straceArgs: readonly string[],
  args: readonly string[],
): Promise<CliResult> {
  return runCli([...args, "--lock", posix.join(dir, "test.lock")], {
    wrap: ["strace", "-f", "-qq", ...straceArgs],
  });
}

/**
 * A temp directory on tmpfs (/dev/shm) when there is one, else `tempDir()`: for tests
 * of thousands of files, whose creation and removal would otherwise wait on a disk
 * that other work keeps busy. The code under test runs the same on either.
 */
export function fastTempDir(): TempDir {
  let path: string;
  try {
    path = fs.mkdtempSync("/dev/shm/snapyard-test-");
  } catch (_e) {
    // No writable tmpfs here: the ordinary temp directory will do, only slower.
    return tempDir();
  }
  return {
    path,
    join: (...rel) => posix.join(path, ...rel),
    [Symbol.asyncDispose]: () => {
      // rm(1): Bun's recursive rmSync takes seconds for thousands of files.
      spawnSync("rm", ["-rf", path]);
      return Promise.resolve();
    },
  };
}
