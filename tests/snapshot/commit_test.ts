/**
 * Unit tests of lib/snapshot/commit.ts (the batch commit protocol), with failures injected
 * through the `Io` seam of lib/fs/io.ts: directly on a CommitBatch, and through
 * the whole engine (snapshot() with a worker pool).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, before, test } from "node:test";
import type { BPath } from "../../lib/fs/bpath.ts";
import { CommitBatch } from "../../lib/snapshot/commit.ts";
import { type Io, realIo } from "../../lib/fs/io.ts";
import { payloadName, sidecarName } from "../../lib/store/layout.ts";
import { WorkerPool } from "../../lib/pool/pool.ts";
import { SPAWN } from "../_helpers/pool.ts";
import { initRuntime } from "../../lib/fs/runtime.ts";
import { parseSidecar } from "../../lib/store/sidecar_reader.ts";
import { snapshot } from "../../lib/snapshot/run.ts";
import { CaptureReporter, type Fixture, makeTree, tempDir } from "../_helpers/helpers.ts";

const TAG = "snapyard";
const TS = 1700000000000;

/** An Io that records every commit call and fails where told. */
class FakeIo implements Io {
  calls: string[] = [];
  open = realIo.open;
  write = realIo.write;
  unlink = realIo.unlink;
  failSyncfs = false;
  failRename: (to: BPath) => boolean = () => false;
  failFsyncDir: (dir: BPath) => boolean = () => false;
  syncfs(dir: BPath): void {
    this.calls.push(`syncfs ${dir}`);
    if (this.failSyncfs) throw Object.assign(new Error("syncfs failed"), { code: "EIO" });
    realIo.syncfs(dir);
  }
  rename(from: BPath, to: BPath): void {
    this.calls.push(`rename ${to}`);
    if (this.failRename(to)) throw Object.assign(new Error("rename failed"), { code: "EIO" });
    realIo.rename(from, to);
  }
  fsyncDir(dir: BPath): void {
    this.calls.push(`fsyncDir ${dir}`);
    if (this.failFsyncDir(dir)) throw Object.assign(new Error("fsync failed"), { code: "EIO" });
    realIo.fsyncDir(dir);
  }
}

/** Outcomes of staged entries. */
interface Outcome {
  committed: string[];
  failed: { name: string; reason: string }[];
}

/** A batch whose entries (their names) report into `out`. */
function newBatch(io: FakeIo, durable: boolean, out: Outcome): CommitBatch<string> {
  return new CommitBatch<string>(io, durable, {
    committed: (name) => out.committed.push(name),
    failed: (name, reason) => out.failed.push({ name, reason }),
  });
}

/** Stages `names` in `dir` as payload + sidecar temp, the way the engine does. */
function stageAll(batch: CommitBatch<string>, dir: string, names: string[]): void {
  for (const name of names) {
    const payload = `${dir}/${payloadName(name, TAG, TS)}`;
    fs.writeFileSync(payload, `payload of ${name}`, { mode: 0o600 });
    batch.stage(
      dir,
      `${dir}/${sidecarName(name, TAG, TS)}`,
      payload,
      `{"schema":"backup_meta.v1","prior_kind":"none"}`,
      name,
    );
  }
}

/** An older, complete entry of `name` (ts 1), as bytes to compare later. */
function olderEntry(dir: string, name: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (
    const [n, data] of [
      [payloadName(name, TAG, 1), "old payload"],
      [sidecarName(name, TAG, 1), `{"schema":"backup_meta.v1","prior_kind":"none"}`],
    ] as const
  ) {
    fs.writeFileSync(`${dir}/${n}`, data);
    files.set(n, fs.readFileSync(`${dir}/${n}`));
  }
  return files;
}

function assertUntouched(dir: string, files: Map<string, Buffer>): void {
  for (const [n, data] of files) assert.deepEqual(fs.readFileSync(`${dir}/${n}`), data, n);
}

before(() => initRuntime());

test("CommitBatch.flush() syncs the filesystem once before any rename, then fsyncs each directory once", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "dir", path: "a" }, { kind: "dir", path: "b" }]);
  const io = new FakeIo();
  const out: Outcome = { committed: [], failed: [] };
  const batch = newBatch(io, true, out);
  stageAll(batch, dir.join("a"), ["x", "y"]);
  stageAll(batch, dir.join("b"), ["z"]);
  assert.equal(batch.size, 3);
  assert.deepEqual(out.committed, [], "nothing is reported before the flush");
  batch.flush();
  assert.deepEqual(out, { committed: ["x", "y", "z"], failed: [] });
  assert.deepEqual(io.calls, [
    `syncfs ${dir.join("a")}`, // one filesystem: one syncfs
    `rename ${dir.join("a", sidecarName("x", TAG, TS))}`,
    `rename ${dir.join("a", sidecarName("y", TAG, TS))}`,
    `rename ${dir.join("b", sidecarName("z", TAG, TS))}`,
    `fsyncDir ${dir.join("a")}`,
    `fsyncDir ${dir.join("b")}`,
  ]);
  for (const d of ["a", "b"]) {
    for (const n of fs.readdirSync(dir.join(d))) assert.ok(!n.includes(".tmp-"), n);
  }
});

test("CommitBatch.flush() without durability (--no-fsync) renames without syncfs or fsync", async () => {
  await using dir = tempDir();
  const io = new FakeIo();
  const out: Outcome = { committed: [], failed: [] };
  const batch = newBatch(io, false, out);
  stageAll(batch, dir.path, ["x"]);
  batch.flush();
  assert.deepEqual(out.committed, ["x"]);
  assert.deepEqual(io.calls, [`rename ${dir.join(sidecarName("x", TAG, TS))}`]);
});

test("CommitBatch.flush() with a failing syncfs fails every entry, removes temps and payloads, keeps older entries", async () => {
  await using dir = tempDir();
  const older = olderEntry(dir.path, "x");
  const io = new FakeIo();
  io.failSyncfs = true;
  const out: Outcome = { committed: [], failed: [] };
  const batch = newBatch(io, true, out);
  stageAll(batch, dir.path, ["x", "y"]);
  batch.flush();
  assert.deepEqual(out.committed, []);
  assert.deepEqual(out.failed.map((f) => f.name), ["x", "y"]);
  for (const f of out.failed) {
    assert.match(
      f.reason,
      /cannot make durable: syncfs of ".*" failed: input\/output error \(EIO\)/,
    );
  }
  assert.ok(!io.calls.some((c) => c.startsWith("rename")), "nothing renamed after a failed syncfs");
  assert.deepEqual(fs.readdirSync(dir.path).sort(), [...older.keys()].sort());
  assertUntouched(dir.path, older);
});

test("CommitBatch.flush() with a failing rename fails that entry alone and removes its temp and payload", async () => {
  await using dir = tempDir();
  const older = olderEntry(dir.path, "x");
  const io = new FakeIo();
  io.failRename = (to) => to.endsWith(sidecarName("x", TAG, TS));
  const out: Outcome = { committed: [], failed: [] };
  const batch = newBatch(io, true, out);
  stageAll(batch, dir.path, ["x", "y"]);
  batch.flush();
  assert.deepEqual(out.committed, ["y"]);
  assert.equal(out.failed.length, 1);
  assert.equal(out.failed[0]!.name, "x");
  assert.match(out.failed[0]!.reason, /cannot commit sidecar: input\/output error \(EIO\)/);
  assert.deepEqual(
    fs.readdirSync(dir.path).sort(),
    [...older.keys(), payloadName("y", TAG, TS), sidecarName("y", TAG, TS)].sort(),
  );
  assertUntouched(dir.path, older);
});

test("CommitBatch.flush() reports a failing directory fsync for the entries of that directory", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "dir", path: "bad" }, { kind: "dir", path: "good" }]);
  const io = new FakeIo();
  io.failFsyncDir = (d) => d === dir.join("bad");
  const out: Outcome = { committed: [], failed: [] };
  const batch = newBatch(io, true, out);
  stageAll(batch, dir.join("bad"), ["x"]);
  stageAll(batch, dir.join("good"), ["y"]);
  batch.flush();
  assert.deepEqual(out.committed, ["y"]);
  assert.equal(out.failed.length, 1);
  assert.equal(out.failed[0]!.name, "x");
  assert.match(
    out.failed[0]!.reason,
    /not durable: fsync of directory ".*\/bad" failed: input\/output error \(EIO\)/,
  );
});

test("CommitBatch.stage() that cannot write its sidecar temp fails at once and removes the payload", async () => {
  await using dir = tempDir();
  const payload = dir.join(payloadName("x", TAG, TS));
  fs.writeFileSync(payload, "p");
  const out: Outcome = { committed: [], failed: [] };
  const batch = newBatch(new FakeIo(), true, out);
  batch.stage(dir.path, dir.join("missing-dir", sidecarName("x", TAG, TS)), payload, "{}", "x");
  assert.equal(batch.size, 0);
  assert.deepEqual(out.committed, []);
  assert.equal(out.failed.length, 1);
  assert.match(out.failed[0]!.reason, /cannot write sidecar: no such file or directory \(ENOENT\)/);
  assert.deepEqual(fs.readdirSync(dir.path), []);
});

test("CommitBatch.seal() then commitReady() in small chunks commits every entry once", async () => {
  await using dir = tempDir();
  const io = new FakeIo();
  const out: Outcome = { committed: [], failed: [] };
  const batch = newBatch(io, true, out);
  stageAll(batch, dir.path, ["a", "b", "c"]);
  batch.seal();
  assert.equal(batch.pendingRenames, 3);
  batch.commitReady(2);
  assert.equal(batch.pendingRenames, 1);
  assert.deepEqual(out.committed, [], "entries are reported only after their directory fsync");
  batch.commitReady(2);
  assert.deepEqual(out.committed, ["a", "b", "c"]);
  assert.equal(io.calls.filter((c) => c.startsWith("fsyncDir")).length, 1);
});

// The same failures through the whole engine (workers write payloads and sidecar temps).

let pool: WorkerPool;
before(() => {
  pool = new WorkerPool(SPAWN, 2);
});
after(() => pool.close());

const ENGINE_TREE: Fixture[] = [
  { kind: "file", path: "t/a", content: "aaa" },
  { kind: "file", path: "t/b", content: "bbb" },
  { kind: "symlink", path: "t/l", target: "a" },
];

/** One run of t (and t/gone); `full`: an entry for every target, changed or not. */
async function engineRun(root: string, io: Io, full = false) {
  const reporter = new CaptureReporter();
  const sum = await snapshot({
    full,
    paths: [`${root}/t`, `${root}/t/gone`],
    tag: TAG,
    schema: "v3",
    durable: true,
    pool,
    emit: reporter.emit,
    io,
  });
  return { sum, reporter };
}

test("snapshot() with a failing syncfs (Io seam) commits nothing, leaves no temp or payload, keeps older entries", async () => {
  await using dir = tempDir();
  makeTree(dir.path, ENGINE_TREE);
  const first = await engineRun(dir.path, realIo);
  assert.equal(first.sum.failed, 0);
  const older = new Map(
    fs.readdirSync(dir.join("t")).map((n) => [n, fs.readFileSync(dir.join("t", n))] as const),
  );
  const io = new FakeIo();
  io.failSyncfs = true;
  const { sum, reporter } = await engineRun(dir.path, io, true);
  assert.equal(sum.failed, 4);
  assert.equal(sum.files + sum.symlinks + sum.absent, 0);
  assert.ok(!reporter.events.some((e) => e.event === "saved"), "no entry claimed");
  // Every error is the syncfs (the absent target's warning says it is absent, as every run).
  const errors = reporter.events.filter((e) => e.event === "error");
  assert.equal(errors.length, 4);
  for (const e of errors) assert.match(String(e.reason), /syncfs .* failed/);
  assert.deepEqual(
    reporter.events.filter((e) => e.event !== "error").map((e) => e.what),
    ["path_absent"],
  );
  // Every name in the directory is from before the failed run, byte for byte.
  assert.deepEqual(fs.readdirSync(dir.join("t")).sort(), [...older.keys()].sort());
  for (const [n, data] of older) {
    if (!fs.lstatSync(dir.join("t", n)).isSymbolicLink()) {
      assert.deepEqual(fs.readFileSync(dir.join("t", n)), data, n);
    }
  }
});

test("snapshot() with one failing rename (Io seam) reports that target and commits the others", async () => {
  await using dir = tempDir();
  makeTree(dir.path, ENGINE_TREE);
  const io = new FakeIo();
  io.failRename = (to) => to.includes("/.b.");
  const { sum, reporter } = await engineRun(dir.path, io);
  assert.equal(sum.failed, 1);
  assert.deepEqual(sum.failures.map((f) => f.path), [dir.join("t/b")]);
  assert.equal(sum.files + sum.symlinks + sum.absent, 3);
  assert.equal(reporter.events.filter((e) => e.event === "saved").length, 3);
  const names = fs.readdirSync(dir.join("t"));
  assert.ok(!names.some((n) => n.startsWith(".b.")), `no trace of b's entry: ${names}`);
  assert.ok(!names.some((n) => n.includes(".tmp-")), "no temp left");
  for (const n of names.filter((n) => n.endsWith(".meta.json"))) {
    assert.ok(parseSidecar(fs.readFileSync(dir.join("t", n), "utf8")).ok, n);
  }
});

test("snapshot() with a failing directory fsync (Io seam) reports every entry of that directory", async () => {
  await using dir = tempDir();
  makeTree(dir.path, ENGINE_TREE);
  const io = new FakeIo();
  io.failFsyncDir = () => true;
  const { sum } = await engineRun(dir.path, io);
  assert.equal(sum.failed, 4);
  for (const f of sum.failures) assert.match(f.reason, /fsync of directory ".*" failed/);
});
