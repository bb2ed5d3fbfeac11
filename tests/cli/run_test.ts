/**
 * CLI-level tests of `snapyard run` (issue #4: run, Locking): rollback on failure and on
 * death by a signal, signals forwarded, the command never started when the snapshot
 * fails, success untouched, a failed rollback, and lock contention.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import { cliCommand, type CliResult, runCli, tempDir } from "../_helpers/helpers.ts";
import { events } from "../_helpers/entry_fixture.ts";
import { picture, restoreTree } from "../_helpers/restore_fixture.ts";

type Ev = Record<string, unknown>;
const of = (all: Ev[], event: string) => all.filter((e) => e.event === event);
/** A picture without our own entry files. */
const targetsOnly = (root: string) =>
  Object.fromEntries(Object.entries(picture(root)).filter(([k]) => !k.includes(".snapyard.")));

/** Runs snapyard with a private lock under `dir`, given before the command (so never after `--`). */
function cli(dir: string, args: readonly string[], lock = posix.join(dir, "test.lock")) {
  return runCli(["--lock", lock, ...args]);
}

/** File `a` holding "original" in `dir`, and `run --target a -- sh -c script` on it. */
async function runOnFile(dir: string, script: (a: string) => string, json = true) {
  const a = posix.join(dir, "a");
  fs.writeFileSync(a, "original");
  const flags = json ? ["--json"] : [];
  const r = await cli(dir, ["run", ...flags, "--target", a, "--", "sh", "-c", script(a)]);
  return { a, r };
}

/** A started snapyard process: resolves `ready` once stdout contains `marker`. */
function start(args: readonly string[], marker: string) {
  const [cmd, argv] = cliCommand(args);
  const child: ChildProcess = spawn(cmd, argv, {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let onReady: () => void = () => {};
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    if (stdout.includes(marker)) onReady();
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
  );
  return { child, ready, done };
}

const MUTATE = "echo broken > a.conf; chmod 644 sub/bin; rm sub/link; ln -s /x sub/link; " +
  "echo created > gone";

test("run rolls every target back byte-exact and exits 80 when COMMAND exits non-zero", async () => {
  await using dir = tempDir();
  const t = restoreTree(dir.path);
  const before = targetsOnly(t);
  const gone = posix.join(t, "gone");
  const r = await cli(dir.path, [
    "run",
    "--json",
    "--target",
    t,
    "--target",
    gone,
    "--",
    "sh",
    "-c",
    `cd ${t} && ${MUTATE} && exit 3`,
  ]);
  assert.equal(r.code, 80, r.stderr);
  assert.deepEqual(targetsOnly(t), before);
  assert.equal(fs.existsSync(gone), false);
  const { all, summary } = events(r);
  assert.equal(of(all, "command_failed")[0]!.exit_code, 3);
  assert.equal(of(all, "restored").length, 3);
  assert.deepEqual(of(all, "removed").map((e) => e.path), [gone]);
  assert.equal(summary.rolled_back, true);
  assert.equal(summary.exit_code, 3);
  // The broken state was saved (forensics): restoring its run brings it back.
  const forensic = summary.pre_snapshot as number;
  assert.equal(typeof forensic, "number");
  const again = await cli(dir.path, ["restore", "--at", String(forensic), t]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(fs.readFileSync(posix.join(t, "a.conf"), "utf8"), "broken\n");
});

test("run rolls back and exits 80 when COMMAND is killed by a signal", async () => {
  await using dir = tempDir();
  const { a, r } = await runOnFile(dir.path, (a) => `echo changed > ${a}; kill -9 $$`);
  assert.equal(r.code, 80, r.stderr);
  assert.equal(fs.readFileSync(a, "utf8"), "original");
  assert.equal(events(r).summary.signal, "SIGKILL");
});

test("run rolls back and exits 80 when COMMAND cannot be started", async () => {
  await using dir = tempDir();
  const a = dir.join("a");
  fs.writeFileSync(a, "original");
  const r = await cli(dir.path, ["run", "--target", a, "--", dir.join("no-such-command")]);
  assert.equal(r.code, 80, r.stderr);
  assert.match(r.stderr, /could not be started/);
  assert.equal(fs.readFileSync(a, "utf8"), "original");
});

test("run never starts COMMAND when the snapshot fails, and exits with the snapshot's code", async () => {
  await using dir = tempDir();
  const ok = dir.join("ok");
  fs.writeFileSync(ok, "x");
  // Its entry names would exceed NAME_MAX: the snapshot of this target fails.
  const long = dir.join("n".repeat(240));
  fs.writeFileSync(long, "x");
  const marker = dir.join("command-ran");
  const r = await cli(dir.path, [
    "run",
    "--target",
    ok,
    "--target",
    long,
    "--",
    "touch",
    marker,
  ]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /name too long/);
  assert.match(r.stderr, /Not running "touch"/);
  assert.equal(fs.existsSync(marker), false);
});

test("run exits 0 and keeps COMMAND's changes when it succeeds", async () => {
  await using dir = tempDir();
  const { a, r } = await runOnFile(dir.path, (a) => `echo new > ${a}`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.readFileSync(a, "utf8"), "new\n");
  const { all, summary } = events(r);
  assert.equal(of(all, "restored").length, 0);
  assert.deepEqual([summary.exit_code, summary.rolled_back], [0, false]);
  // The run's snapshot holds the state before COMMAND.
  const back = await cli(dir.path, ["restore", "--at", String(summary.run), a]);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(fs.readFileSync(a, "utf8"), "original");
});

test("run exits 70 when the rollback fails (COMMAND deleted the run's payload)", async () => {
  await using dir = tempDir();
  const { a, r } = await runOnFile(
    dir.path,
    (a) => `rm ${dir.path}/.a.snapyard.*.bak; echo broken > ${a}; exit 1`,
    false,
  );
  assert.equal(r.code, 70, r.stderr);
  assert.match(r.stderr, new RegExp(`Cannot restore "${a}": payload missing`));
  assert.match(r.stdout, /ROLLBACK FAILED/);
});

test("run only rolls back its own run: older entries of a directory's files are not used", async () => {
  await using dir = tempDir();
  const t = restoreTree(dir.path);
  // An older entry of a file that no longer exists at the run.
  fs.writeFileSync(posix.join(t, "old"), "old");
  const r0 = await cli(dir.path, ["snapshot", "--no-fsync", posix.join(t, "old")]);
  assert.equal(r0.code, 0, r0.stderr);
  fs.rmSync(posix.join(t, "old"));
  const r = await cli(dir.path, [
    "run",
    "--target",
    t,
    "--",
    "sh",
    "-c",
    `cd ${t} && ${MUTATE}; exit 1`,
  ]);
  assert.equal(r.code, 80, r.stderr);
  assert.equal(fs.existsSync(posix.join(t, "old")), false, "not resurrected from an older run");
  assert.equal(fs.readFileSync(posix.join(t, "a.conf"), "utf8"), "alpha\n");
  // Files COMMAND created under a directory target have no entry in the run: left alone.
  assert.equal(fs.readFileSync(posix.join(t, "gone"), "utf8"), "created\n");
});

test("run forwards SIGTERM to COMMAND, then rolls back and exits 80", async () => {
  await using dir = tempDir();
  const a = dir.join("a");
  fs.writeFileSync(a, "original");
  // The marker is computed by the shell, so the command line echoed by snapyard cannot match it.
  const script = `echo changed > ${a}; trap 'exit 5' TERM; echo ready-$((40+2)); ` +
    `while :; do sleep 0.05; done`;
  const p = start(
    ["--lock", dir.join("test.lock"), "run", "--target", a, "--", "sh", "-c", script],
    "ready-42",
  );
  await p.ready;
  const t0 = performance.now();
  // process.kill, not child.kill: Deno would report the child as killed by the signal.
  process.kill(p.child.pid!, "SIGTERM");
  const r = await p.done;
  assert.equal(r.code, 80, `${r.signal} ${r.stderr}`);
  assert.ok(performance.now() - t0 < 10_000);
  assert.match(r.stderr, /Command exited with code 5: rolling back/);
  assert.equal(fs.readFileSync(a, "utf8"), "original");
});

test("a second locking command waits --lock-timeout while run holds the lock, then exits 30 naming it", async () => {
  await using dir = tempDir();
  const lock = dir.join("held.lock");
  const x = dir.join("x");
  fs.writeFileSync(x, "x");
  const holder = start(["--lock", lock, "run", "--target", x, "--", "sleep", "3"], "running");
  try {
    await holder.ready;
    const t0 = performance.now();
    const r = await cli(dir.path, ["snapshot", dir.join("y"), "--lock-timeout", "300"], lock);
    const ms = performance.now() - t0;
    assert.equal(r.code, 30, r.stderr);
    assert.ok(r.stderr.includes(lock), r.stderr);
    assert.ok(ms >= 300, `gave up after ${ms} ms, before the timeout`);
    assert.ok(ms < 2_500, `waited ${ms} ms for a 300 ms timeout`);
    assert.deepEqual(fs.readdirSync(dir.path).filter((n) => n.startsWith(".y.")), []);
  } finally {
    process.kill(holder.child.pid!, "SIGTERM");
    assert.equal((await holder.done).code, 80);
  }
  // Once the holder is gone the lock is free again.
  const r2 = await cli(dir.path, ["snapshot", "--no-fsync", dir.join("y")], lock);
  assert.equal(r2.code, 0, r2.stderr);
});
