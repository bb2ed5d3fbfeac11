/**
 * Fault injection through the `Io` seam (lib/fs/io.ts), no strace needed, so these always
 * run: ENOSPC, EIO and a vanished file (ENOENT) in the snapshot commit, the restore
 * replace phase and prune. Each test checks what the protocol promises: the right items
 * fail with path and reason, nothing is half-committed (no sidecar under its final name
 * without its payload, no temp left), targets stay untouched or consistently restored,
 * and older entries are never touched. tests/faults/strace_test.ts checks the same
 * promises end to end, on the real system calls.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import { posix } from "node:path";
import { before, test } from "node:test";
import { CommitBatch } from "../../lib/snapshot/commit.ts";
import { execute } from "../../lib/commands/dispatch.ts";
import { parseCommandLine } from "../../lib/cli/parse.ts";
import { type Io, realIo } from "../../lib/fs/io.ts";
import { initRuntime } from "../../lib/fs/runtime.ts";
import {
  parseAnyName,
  parseRunRecordName,
  payloadName,
  runRecordName,
  sidecarName,
} from "../../lib/store/layout.ts";
import { parseSidecar } from "../../lib/store/sidecar_reader.ts";
import { prune, type PruneEvent } from "../../lib/prune.ts";
import { makeTree, type TempDir, tempDir } from "../_helpers/helpers.ts";
import { fastTempDir, files, retime } from "../_helpers/entry_fixture.ts";
import { restoreTemps } from "../_helpers/restore_fixture.ts";
import { FaultIo } from "./fault_io.ts";
import { Reporter } from "../../lib/cli/report.ts";
import type { Event } from "../../lib/events.ts";
import { SPAWN } from "../_helpers/pool.ts";

const TAG = "snapyard";
const TS = 1700000000000;
const SIDECAR = `{"schema":"backup_meta.v1","prior_kind":"none"}`;
type Ev = Record<string, unknown>;

before(() => initRuntime());

/** Whether the temp directory and /dev/shm (fastTempDir) are two filesystems. */
const TWO_FILESYSTEMS = ((): boolean => {
  try {
    fs.accessSync("/dev/shm", fs.constants.W_OK);
    return fs.statSync(os.tmpdir()).dev !== fs.statSync("/dev/shm").dev;
  } catch (_e) {
    // No writable /dev/shm: the one test that needs it is skipped, saying why.
    return false;
  }
})();

/** Every file of ours in `d` (entries, orphans, temps) with its bytes. */
function ours(d: string): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const n of fs.readdirSync(d)) {
    if (parseAnyName(n) !== undefined) m.set(n, fs.readFileSync(posix.join(d, n)));
  }
  return m;
}

/**
 * The promises of any faulty run in `d`: no temp left, every sidecar whole and with its
 * payload, and every file of `older` still there, byte for byte.
 */
function assertConsistent(d: string, older: Map<string, Buffer>): void {
  const now = ours(d);
  for (const [n, data] of now) {
    const p = parseAnyName(n)!;
    assert.ok(p.kind !== "sidecar_temp" && p.kind !== "restore_temp", `temp left behind: ${n}`);
    if (p.kind !== "sidecar") continue;
    assert.ok(parseSidecar(data.toString("utf8")).ok, `torn sidecar ${n}`);
    assert.ok(now.has(payloadName(p.name, p.tag, p.ts)), `sidecar ${n} without its payload`);
  }
  for (const [n, data] of older) assert.deepEqual(now.get(n), data, `older ${n} changed`);
}

// The commit (lib/snapshot/commit.ts), driven directly.

interface Outcome {
  committed: string[];
  failed: Map<string, string>;
}

/** A batch over `io` whose entries (their names) report into the returned outcome. */
function newBatch(io: Io): { batch: CommitBatch<string>; out: Outcome } {
  const out: Outcome = { committed: [], failed: new Map() };
  const batch = new CommitBatch<string>(io, true, {
    committed: (name) => out.committed.push(name),
    failed: (name, reason) => out.failed.set(name, reason),
  });
  return { batch, out };
}

/** Stages `names` in `dir` as payload + sidecar temp, as the engine does for symlinks. */
function stageAll(batch: CommitBatch<string>, dir: string, names: string[]): void {
  for (const name of names) {
    const payload = posix.join(dir, payloadName(name, TAG, TS));
    fs.writeFileSync(payload, `payload of ${name}`, { mode: 0o600 });
    batch.stage(dir, posix.join(dir, sidecarName(name, TAG, TS)), payload, SIDECAR, name);
  }
}

/** A complete older entry (ts 1) of each of `names` in `dir`: what no fault may touch. */
function olderEntries(dir: string, names: string[]): Map<string, Buffer> {
  for (const name of names) {
    fs.writeFileSync(posix.join(dir, payloadName(name, TAG, 1)), `old ${name}`);
    fs.writeFileSync(posix.join(dir, sidecarName(name, TAG, 1)), SIDECAR);
  }
  return ours(dir);
}

/** The names of `dir` that belong to this run's entries (TS). */
function newNames(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => parseAnyName(n)?.ts === TS).sort();
}

/** Whether a path is a sidecar (or its temp) of entry `name` at TS. */
const sidecarOf = (name: string) => (p: string) =>
  posix.basename(p).startsWith(sidecarName(name, TAG, TS));

test("CommitBatch.stage() whose sidecar temp write fails (ENOSPC) fails that entry at once, leaves nothing of it, commits the others", async () => {
  await using dir = tempDir();
  const older = olderEntries(dir.path, ["x", "y"]);
  const io = new FaultIo({ op: "write", on: sidecarOf("x"), errno: "ENOSPC" });
  const { batch, out } = newBatch(io);
  stageAll(batch, dir.path, ["x", "y"]);
  assert.deepEqual([...out.failed.keys()], ["x"], "failed at stage, before any flush");
  assert.equal(out.failed.get("x"), "cannot write sidecar: no space left on device (ENOSPC)");
  batch.flush();
  assert.deepEqual(out.committed, ["y"]);
  assert.deepEqual(newNames(dir.path), [payloadName("y", TAG, TS), sidecarName("y", TAG, TS)]);
  assertConsistent(dir.path, older);
});

test("CommitBatch.flush() whose syncfs fails (EIO) renames nothing and removes every temp and payload", async () => {
  await using dir = tempDir();
  const older = olderEntries(dir.path, ["x", "y"]);
  const io = new FaultIo({ op: "syncfs", on: () => true, errno: "EIO" });
  const { batch, out } = newBatch(io);
  stageAll(batch, dir.path, ["x", "y"]);
  batch.flush();
  assert.deepEqual(out.committed, []);
  assert.deepEqual([...out.failed.keys()], ["x", "y"]);
  for (const reason of out.failed.values()) {
    assert.equal(
      reason,
      `cannot make durable: syncfs of "${dir.path}" failed: input/output error (EIO)`,
    );
  }
  assert.deepEqual(io.pathsOf("rename"), [], "no sidecar may appear before its payload is durable");
  assert.deepEqual(io.pathsOf("fsyncDir"), []);
  assert.deepEqual(newNames(dir.path), []);
  assertConsistent(dir.path, older);
});

test("CommitBatch.flush() whose syncfs fails on one filesystem fails only the entries on it", {
  skip: !TWO_FILESYSTEMS && "needs two filesystems: the temp directory and a writable /dev/shm",
}, async () => {
  await using a = tempDir();
  await using b = fastTempDir();
  assert.notEqual(fs.statSync(a.path).dev, fs.statSync(b.path).dev);
  const io = new FaultIo({ op: "syncfs", on: (d) => d === b.path, errno: "ENOSPC" });
  const { batch, out } = newBatch(io);
  stageAll(batch, a.path, ["x"]);
  stageAll(batch, b.path, ["y"]);
  batch.flush();
  assert.deepEqual(io.pathsOf("syncfs"), [a.path, b.path], "one syncfs per filesystem");
  assert.deepEqual(out.committed, ["x"]);
  assert.match(out.failed.get("y")!, /syncfs of ".*" failed: no space left on device \(ENOSPC\)/);
  assert.deepEqual(newNames(b.path), []);
  assert.deepEqual(newNames(a.path), [payloadName("x", TAG, TS), sidecarName("x", TAG, TS)]);
});

test("CommitBatch.flush() whose renames fail (EIO, a vanished temp) fails those entries alone and leaves nothing of them", async () => {
  await using dir = tempDir();
  const older = olderEntries(dir.path, ["x", "y", "z"]);
  const io = new FaultIo(
    { op: "rename", on: sidecarOf("x"), errno: "EIO" },
    { op: "rename", on: sidecarOf("y"), errno: "vanish" },
  );
  const { batch, out } = newBatch(io);
  stageAll(batch, dir.path, ["x", "y", "z"]);
  batch.flush();
  assert.deepEqual(out.committed, ["z"]);
  assert.equal(out.failed.get("x"), "cannot commit sidecar: input/output error (EIO)");
  assert.equal(out.failed.get("y"), "cannot commit sidecar: no such file or directory (ENOENT)");
  assert.deepEqual(newNames(dir.path), [payloadName("z", TAG, TS), sidecarName("z", TAG, TS)]);
  assert.deepEqual(io.pathsOf("fsyncDir"), [dir.path], "the committed entry is made durable");
  assertConsistent(dir.path, older);
});

test("CommitBatch.flush() whose directory fsync fails (EIO) reports the entries of that directory as not durable", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "dir", path: "bad" }, { kind: "dir", path: "good" }]);
  const older = olderEntries(dir.join("bad"), ["x"]);
  const io = new FaultIo({ op: "fsyncDir", on: (d) => d === dir.join("bad"), errno: "EIO" });
  const { batch, out } = newBatch(io);
  stageAll(batch, dir.join("bad"), ["x"]);
  stageAll(batch, dir.join("good"), ["y"]);
  batch.flush();
  assert.deepEqual(out.committed, ["y"]);
  assert.equal(
    out.failed.get("x"),
    `not durable: fsync of directory "${dir.join("bad")}" failed: input/output error (EIO)`,
  );
  assertConsistent(dir.join("bad"), older);
  assertConsistent(dir.join("good"), new Map());
});

// Restore (lib/restore/apply.ts), through the command in this process.

/** Runs a command in this process with `io` (JSON events captured); its outcome and events. */
async function runCommand(
  dir: TempDir,
  args: string[],
  io: Io = realIo,
): Promise<{ outcome: string; all: Ev[] }> {
  const inv = parseCommandLine([...args, "--json", "--lock", dir.join("test.lock")]);
  if (inv.kind !== "command") throw new Error(`not a command: ${args.join(" ")}`);
  const all: Ev[] = [];
  class Capture extends Reporter {
    override emit(e: Event): void {
      if (e.event !== "progress") all.push(e as unknown as Ev);
    }
  }
  const reporter = new Capture("json", false);
  const outcome = await execute(inv.command, inv.paths, inv.argv, inv.options, SPAWN, reporter, io);
  return { outcome, all };
}

const of = (all: Ev[], event: string) => all.filter((e) => e.event === event);
const paths = (all: Ev[], event: string) => of(all, event).map((e) => e.path);

/** Targets t/1, t/2, t/3 and t/gone snapshotted (gone absent), then all changed. */
async function changedTree(dir: TempDir): Promise<{ t: string; entries: Map<string, Buffer> }> {
  makeTree(dir.path, [
    { kind: "file", path: "t/1", content: "one" },
    { kind: "file", path: "t/2", content: "two" },
    { kind: "file", path: "t/3", content: "three" },
  ]);
  const t = dir.join("t");
  const snap = await runCommand(dir, ["snapshot", "--no-fsync", t, posix.join(t, "gone")]);
  assert.equal(snap.outcome, "OK");
  for (const n of ["1", "2", "3", "gone"]) fs.writeFileSync(posix.join(t, n), "changed");
  return { t, entries: ours(t) };
}

/** The targets' contents, by name. */
function targets(t: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of fs.readdirSync(t)) {
    if (parseAnyName(n) === undefined && parseRunRecordName(n) === undefined) {
      out[n] = fs.readFileSync(posix.join(t, n), "utf8");
    }
  }
  return out;
}

const CHANGED = { "1": "changed", "2": "changed", "3": "changed", gone: "changed" };
const restoreTempOf = (name: string) => (p: string) =>
  new RegExp(`/\\.${name}\\.${TAG}\\.\\d+\\.restore\\.tmp-`).test(p);

test("restore whose temp write fails (ENOSPC) changes no target and leaves no temp", async () => {
  await using dir = tempDir();
  const { t, entries } = await changedTree(dir);
  const io = new FaultIo({ op: "write", on: restoreTempOf("2"), errno: "ENOSPC" });
  const { outcome, all } = await runCommand(dir, ["restore", "--no-pre-snapshot", t], io);
  assert.equal(outcome, "RESTORE_FAILED");
  assert.deepEqual(paths(all, "error"), [posix.join(t, "2")]);
  assert.match(
    String(of(all, "error")[0]!.reason),
    /^cannot write temp ".*": no space left on device \(ENOSPC\)$/,
  );
  assert.ok(io.pathsOf("write").some(restoreTempOf("2")), "the fault was met");
  assert.deepEqual(paths(all, "restored"), []);
  assert.equal(of(all, "not_restored").length, 4);
  assert.deepEqual(io.pathsOf("rename"), [], "no target replaced");
  assert.deepEqual(targets(t), CHANGED);
  assert.deepEqual(restoreTemps(dir.path), []);
  assertConsistent(t, entries);
});

test("restore whose rename fails (EIO) keeps the targets before it restored, the rest untouched, no temp", async () => {
  await using dir = tempDir();
  const { t, entries } = await changedTree(dir);
  const io = new FaultIo({ op: "rename", on: (p) => p === posix.join(t, "2"), errno: "EIO" });
  const { outcome, all } = await runCommand(dir, ["restore", "--no-pre-snapshot", t], io);
  assert.equal(outcome, "RESTORE_FAILED");
  assert.deepEqual(paths(all, "error"), [posix.join(t, "2")]);
  assert.equal(
    of(all, "error")[0]!.reason,
    "cannot rename the temp over it: input/output error (EIO)",
  );
  assert.deepEqual(paths(all, "restored"), [posix.join(t, "1")]);
  assert.deepEqual(paths(all, "not_restored"), ["2", "3", "gone"].map((n) => posix.join(t, n)));
  assert.deepEqual(targets(t), { ...CHANGED, "1": "one" });
  // The temps were durable before the first rename; the one restored is made durable.
  const calls = io.calls.filter((c) => !c.startsWith("open") && !c.startsWith("write"));
  assert.deepEqual(calls.slice(0, 2), [`syncfs ${t}`, `rename ${posix.join(t, "1")}`]);
  assert.deepEqual(io.pathsOf("fsyncDir"), [t]);
  assert.deepEqual(restoreTemps(dir.path), []);
  assertConsistent(t, entries);
});

test("restore whose syncfs fails (EIO) replaces no target and removes every temp", async () => {
  await using dir = tempDir();
  const { t, entries } = await changedTree(dir);
  const io = new FaultIo({ op: "syncfs", on: () => true, errno: "EIO" });
  const { outcome, all } = await runCommand(dir, ["restore", "--no-pre-snapshot", t], io);
  assert.equal(outcome, "RESTORE_FAILED");
  assert.deepEqual(paths(all, "error"), [t]);
  assert.equal(
    of(all, "error")[0]!.reason,
    `cannot make durable: syncfs of "${t}" failed: input/output error (EIO)`,
  );
  assert.ok(io.pathsOf("write").some(restoreTempOf("1")), "temps were written");
  assert.deepEqual(io.pathsOf("rename"), []);
  assert.deepEqual(io.pathsOf("unlink").filter((p) => p === posix.join(t, "gone")), []);
  assert.deepEqual(paths(all, "restored"), []);
  assert.deepEqual(targets(t), CHANGED);
  assert.deepEqual(restoreTemps(dir.path), []);
  assertConsistent(t, entries);
});

test("restore whose directory fsync fails (EIO) restores every target and reports them not durable", async () => {
  await using dir = tempDir();
  const { t, entries } = await changedTree(dir);
  const io = new FaultIo({ op: "fsyncDir", on: () => true, errno: "EIO" });
  const { outcome, all } = await runCommand(dir, ["restore", "--no-pre-snapshot", t], io);
  assert.equal(outcome, "RESTORE_FAILED");
  assert.deepEqual(paths(all, "error"), [t]);
  assert.equal(
    of(all, "error")[0]!.reason,
    `not durable: fsync of directory "${t}" failed: input/output error (EIO)`,
  );
  assert.deepEqual(targets(t), { "1": "one", "2": "two", "3": "three" });
  assert.deepEqual(restoreTemps(dir.path), []);
  assertConsistent(t, entries);
});

// Prune (lib/prune.ts), driven directly.

/**
 * Four entries of `<dir>/a` at TS 1000..4000 (oldest first), made by the real snapshot,
 * without their run records (each TS a run of its own, as in a store from before them).
 */
async function fourEntries(dir: TempDir): Promise<number[]> {
  const a = dir.join("a");
  const ts = [1000, 2000, 3000, 4000];
  for (const [i, to] of ts.entries()) {
    fs.writeFileSync(a, `version ${i}`);
    const r = await runCommand(dir, ["snapshot", "--no-fsync", a]);
    assert.equal(r.outcome, "OK");
    const run = of(r.all, "summary")[0]!.run as number;
    retime(dir.path, "a", TAG, run, to);
    fs.rmSync(dir.join(runRecordName(TAG, run)));
  }
  return ts;
}

/** `prune --keep 1` of `<dir>/a` over `io`; its summary and events. */
function pruneKeep1(dir: TempDir, io: Io) {
  const events: PruneEvent[] = [];
  const sum = prune({
    paths: [dir.join("a")],
    tag: TAG,
    store: undefined,
    rules: { keep: 1, maxAgeMs: undefined, now: Date.now() },
    dryRun: false,
    durable: true,
    io,
    onEvent: (e) => events.push(e),
  });
  const failed = events.flatMap((e) => e.kind === "failed" ? [e] : []);
  return { sum, events, failed };
}

test("prune() removes each sidecar before its payload and fsyncs the directory once, after the removals", async () => {
  await using dir = tempDir();
  const ts = await fourEntries(dir);
  const io = new FaultIo();
  const { sum, failed } = pruneKeep1(dir, io);
  assert.deepEqual([sum.pruned, sum.kept, sum.failed], [3, 1, 0]);
  assert.deepEqual(failed, []);
  const unlinked = io.pathsOf("unlink");
  assert.deepEqual(
    unlinked,
    // Newest first, as planned; each sidecar before its payload.
    ts.slice(0, 3).reverse().flatMap((t) => {
      const f = files(dir.path, "a", TAG, t);
      return [f.sidecar, f.payload];
    }),
  );
  assert.deepEqual(io.calls.at(-1), `fsyncDir ${dir.path}`);
  assert.deepEqual(io.pathsOf("fsyncDir"), [dir.path]);
  assert.deepEqual(io.pathsOf("syncfs"), [], "removals need no data flush");
});

test("prune() whose unlinks fail (EIO) reports each path with its reason, counts neither, never leaves a sidecar without its payload", async () => {
  await using dir = tempDir();
  const ts = await fourEntries(dir);
  const stuck = files(dir.path, "a", TAG, ts[0]!);
  const half = files(dir.path, "a", TAG, ts[1]!);
  const io = new FaultIo(
    { op: "unlink", on: (p) => p === stuck.sidecar, errno: "EIO" },
    { op: "unlink", on: (p) => p === half.payload, errno: "EIO" },
  );
  const kept = ours(dir.path);
  const { sum, failed } = pruneKeep1(dir, io);
  assert.deepEqual([sum.pruned, sum.failed], [1, 2]);
  assert.deepEqual(failed.map((f) => [f.path, f.reason]), [
    [
      half.payload,
      "input/output error (EIO) (its sidecar is gone: the payload is now an orphan for the next prune)",
    ],
    [stuck.sidecar, "input/output error (EIO)"],
  ]);
  assert.ok(
    !io.pathsOf("unlink").includes(stuck.payload),
    "a payload never goes before its sidecar",
  );
  // The entry whose sidecar could not go is whole; the other is an orphan payload.
  assert.ok(fs.existsSync(stuck.sidecar) && fs.existsSync(stuck.payload));
  assert.ok(fs.existsSync(half.payload) && !fs.existsSync(half.sidecar));
  const newest = files(dir.path, "a", TAG, ts[3]!);
  for (const p of [newest.sidecar, newest.payload, stuck.sidecar, stuck.payload]) {
    const n = posix.basename(p);
    assert.deepEqual(fs.readFileSync(p), kept.get(n), `${n} untouched`);
  }
  assertConsistent(dir.path, new Map());
  const again = pruneKeep1(dir, realIo);
  assert.deepEqual([again.sum.pruned, again.sum.orphans, again.sum.failed], [1, 1, 0]);
});

test("prune() counts a file that vanished before its unlink (ENOENT) as removed, not failed", async () => {
  await using dir = tempDir();
  const ts = await fourEntries(dir);
  const first = files(dir.path, "a", TAG, ts[0]!);
  const second = files(dir.path, "a", TAG, ts[1]!);
  const io = new FaultIo(
    { op: "unlink", on: (p) => p === first.sidecar, errno: "vanish" },
    { op: "unlink", on: (p) => p === second.payload, errno: "vanish" },
  );
  const { sum, failed } = pruneKeep1(dir, io);
  assert.deepEqual(failed, []);
  assert.deepEqual([sum.pruned, sum.kept, sum.failed], [3, 1, 0]);
  assert.deepEqual(
    [...ours(dir.path).keys()].sort(),
    [files(dir.path, "a", TAG, ts[3]!).payload, files(dir.path, "a", TAG, ts[3]!).sidecar]
      .map((p) => posix.basename(p)).sort(),
  );
  assert.deepEqual(io.pathsOf("fsyncDir"), [dir.path]);
});

test("prune() whose directory fsync fails (EIO) reports the directory with its reason after removing", async () => {
  await using dir = tempDir();
  const ts = await fourEntries(dir);
  const io = new FaultIo({ op: "fsyncDir", on: () => true, errno: "EIO" });
  const { sum, failed } = pruneKeep1(dir, io);
  assert.deepEqual([sum.pruned, sum.failed], [3, 1]);
  assert.deepEqual(failed.map((f) => [f.target, f.path, f.reason]), [[
    dir.path,
    dir.path,
    "cannot make the removals durable: fsync failed: input/output error (EIO)",
  ]]);
  for (const t of ts.slice(0, 3)) assert.ok(!fs.existsSync(files(dir.path, "a", TAG, t).sidecar));
  assertConsistent(dir.path, new Map());
});
