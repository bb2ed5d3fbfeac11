/**
 * The operator's surface, end to end (issue #11): `--json` ends every failed invocation
 * with an `error` event, verify of PATHs with nothing found is exit 60, the dry run's exit
 * code is the real run's, durations with units everywhere, `help COMMAND`, plural and
 * size words, the lock's holder named, output to a full non-blocking pipe, and the lock's
 * error on Deno without the FFI.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { test } from "node:test";
import {
  cliCommand,
  holdLock,
  jsonLines,
  MAIN,
  makeTree,
  NO_CONFIG,
  runCli,
  runCmd,
  RUNTIME,
  tempDir,
} from "../_helpers/helpers.ts";
import { cli, files, snap } from "../_helpers/entry_fixture.ts";

/** Asserts `--json` output `stdout` is exactly one final error event with `code` and `exit`. */
function assertFatal(stdout: string, command: string, code: string, exit: number): void {
  const events = jsonLines(stdout);
  const last = events.at(-1);
  assert.ok(last !== undefined, "no JSON event at all");
  assert.deepEqual(
    [last.event, last.command, last.code, last.exit, last.schema],
    ["error", command, code, exit, 1],
  );
  assert.equal(typeof last.reason, "string");
}

test("--json ends a usage error, a bad tag, an unknown command and a lock timeout with an error event", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "a" }]);
  const bad = await runCli(["snapshot", "--json", "--bogus", dir.join("a")]);
  assert.equal(bad.code, 2);
  assertFatal(bad.stdout, "snapshot", "USAGE", 2);
  const tag = await runCli(["snapshot", dir.join("a"), "--tag", "no/slash", "--json"]);
  assert.equal(tag.code, 2);
  assertFatal(tag.stdout, "snapshot", "USAGE", 2);
  const unknown = await runCli(["--json", "snapshots", dir.join("a")]);
  assert.equal(unknown.code, 2);
  assertFatal(unknown.stdout, "snapyard", "USAGE", 2);
  // After `--`, "--json" is a PATH: no JSON.
  const after = await runCli(["snapshot", "--bogus", "--", "--json"]);
  assert.equal(after.code, 2);
  assert.equal(after.stdout, "");

  const lock = dir.join("held.lock");
  await using _held = await holdLock(lock);
  const r = await runCli([
    "snapshot",
    dir.join("a"),
    "--json",
    "--lock",
    lock,
    "--lock-timeout",
    "0",
  ]);
  assert.equal(r.code, 30, r.stderr);
  assertFatal(r.stdout, "snapshot", "LOCKED", 30);
});

test("--json summaries carry schema 1", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "a" }]);
  await snap(dir.path, [dir.join("a")]);
  for (const cmd of ["list", "verify"]) {
    const r = await cli(dir.path, [cmd, "--json", dir.join("a")]);
    assert.equal(r.code, 0, r.stderr);
    const sum = jsonLines(r.stdout).at(-1)!;
    assert.deepEqual([sum.event, sum.command, sum.schema], ["summary", cmd, 1]);
  }
});

test("verify PATH that finds no entry exits 60 and names where it looked", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "t/a", content: "a" }, { kind: "dir", path: "s" }]);
  const a = dir.join("t", "a");
  await snap(dir.path, [a, "--store", dir.join("s")]);
  // --store forgotten: the entries are in the store, not beside the target.
  const r = await cli(dir.path, ["verify", a]);
  assert.equal(r.code, 60, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`Cannot verify "${a}": no entries of tag "snapyard" .*"${dir.join("t")}"`),
  );
  const found = await cli(dir.path, ["verify", a, "--store", dir.join("s")]);
  assert.equal(found.code, 0, found.stderr);
});

test("restore --dry-run exits as the real restore would: 71 for a bad payload, 60 for none", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "aaa" }]);
  const a = dir.join("a");
  const ts = await snap(dir.path, [a]);
  fs.writeFileSync(files(dir.path, "a", "snapyard", ts).payload, "bbb");
  for (const [path, code] of [[a, 71], [dir.join("none"), 60]] as const) {
    const dry = await cli(dir.path, ["restore", "--dry-run", path]);
    const real = await cli(dir.path, ["restore", path]);
    assert.deepEqual([dry.code, real.code], [code, code], dry.stderr + real.stderr);
  }
});

test("--keep -1 is our usage error; durations take w, compounds and --lock-timeout units", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "a" }]);
  const a = dir.join("a");
  const keep = await cli(dir.path, ["prune", a, "--keep", "-1"]);
  assert.equal(keep.code, 2);
  assert.equal(
    keep.stderr,
    `snapyard: Invalid --keep "-1": expected a whole number from 0 to 1000000\n`,
  );
  for (const age of ["2w", "1d12h"]) {
    const r = await cli(dir.path, ["prune", a, "--max-age", age]);
    assert.equal(r.code, 0, r.stderr);
  }
  const lock = dir.join("held.lock");
  await using _held = await holdLock(lock);
  const t0 = performance.now();
  const r = await runCli(["snapshot", a, "--lock", lock, "--lock-timeout", "1s"]);
  assert.equal(r.code, 30, r.stderr);
  assert.ok(performance.now() - t0 >= 1000, "gave up before 1s");
});

test("snapyard help COMMAND prints that command's help", async () => {
  const r = await runCli(["help", "restore"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^snapyard restore PATH\.\.\. — /);
  const all = await runCli(["help"]);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /^snapyard \S+: snapshots of files/);
});

test("summary lines say 1 file, 1 target, 1 entry and a size in KiB", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "x".repeat(40 * 1024) }]);
  const r = await cli(dir.path, ["snapshot", dir.join("a"), "--no-fsync"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\(1 file, 0 symlinks, 0 absent; 40\.0 KiB\)/);
  const l = await cli(dir.path, ["list", dir.join("a")]);
  assert.match(l.stdout, /list: 1 target, 1 entry, 0 orphan payloads\n$/);
  const v = await cli(dir.path, ["verify", dir.join("a")]);
  assert.match(v.stdout, /verify: 1 entry, 1 ok, 0 problems; hashed 1 file, 40\.0 KiB in /);
});

test("a run that finds the lock taken names the holder's PID", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "x", content: "x" }]);
  const lock = dir.join("held.lock");
  const go = dir.join("go");
  const ready = dir.join("ready");
  const [cmd, argv] = cliCommand([
    "run",
    "--lock",
    lock,
    "--target",
    dir.join("x"),
    "--",
    "sh",
    "-c",
    `touch '${ready}'; while [ ! -e '${go}' ]; do sleep 0.05; done`,
  ]);
  const holder = spawn(cmd, argv, { stdio: "ignore" });
  const done = new Promise((resolve) => holder.on("close", resolve));
  try {
    // COMMAND starts once the holder has the lock and has written its record.
    while (!fs.existsSync(ready) && holder.exitCode === null) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const r = await runCli(["snapshot", dir.join("y"), "--lock", lock, "--lock-timeout", "0"]);
    assert.equal(r.code, 30, r.stderr);
    assert.match(r.stderr, new RegExp(`held by another snapyard run \\(PID ${holder.pid} since `));
  } finally {
    fs.writeFileSync(go, "");
    await done;
  }
});

/** Runs argv with stdout a non-blocking pipe nobody reads for `pauseS`; its output and CPU time. */
const FULL_PIPE = `
import fcntl, json, os, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
p = subprocess.Popen(sys.argv[2:], stdout=w, stderr=subprocess.DEVNULL)
os.close(w)
time.sleep(float(sys.argv[1]))
out = bytearray()
while True:
    chunk = os.read(r, 1 << 16)
    if not chunk:
        break
    out += chunk
_, status, ru = os.wait4(p.pid, 0)
print(json.dumps({"exit": os.waitstatus_to_exitcode(status), "cpu": ru.ru_utime + ru.ru_stime}))
sys.stdout.write(out.decode())
`;

test("output to a full non-blocking pipe waits asleep and is written once", async () => {
  await using dir = tempDir();
  makeTree(
    dir.path,
    Array.from({ length: 400 }, (_, i) => ({ kind: "file", path: `t/f${i}`, content: `${i}` })),
  );
  await snap(dir.path, [dir.join("t")]);
  const [cmd, argv] = cliCommand(["list", "--json", dir.join("t")]);
  const pauseS = 3;
  const r = await runCmd("python3", ["-c", FULL_PIPE, String(pauseS), cmd, ...argv]);
  assert.equal(r.code, 0, r.stderr);
  const [head, ...lines] = r.stdout.split("\n").filter((l) => l !== "");
  const { exit, cpu } = JSON.parse(head!);
  assert.equal(exit, 0);
  const events = lines.map((l) => JSON.parse(l));
  assert.equal(events.filter((e) => e.event === "entry").length, 400, "each entry written once");
  assert.equal(events.length, 401);
  // Spinning on EAGAIN burns the whole pause; asleep, only start-up and the listing count.
  assert.ok(cpu < pauseS / 2, `used ${cpu} s of CPU while blocked ${pauseS} s`);
});

test("Deno without --allow-ffi: the lock names the permission it needs (exit 1, no entry)", {
  skip: RUNTIME === "deno" ? false : "Bun always has its FFI",
}, async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "t/a", content: "a" }]);
  const store = dir.join("store");
  const perms = ["--allow-read", "--allow-write", "--allow-env", "--allow-sys", "--no-check"];
  const args = ["snapshot", dir.join("t"), "--store", store];
  const r = await runCmd(process.execPath, ["run", ...perms, MAIN, ...args], {
    env: { SNAPYARD_CONFIG: NO_CONFIG },
  });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(
    r.stderr,
    `snapyard: Cannot lock "${store}/.snapyard.lock": flock(2) needs the FFI: ` +
      "run Deno with --allow-ffi (or -A)\n",
  );
  assert.deepEqual(fs.readdirSync(store), [".snapyard.lock"], "no entry, no run record");
});
