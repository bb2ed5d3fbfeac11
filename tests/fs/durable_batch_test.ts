/**
 * Unit tests of lib/fs/durable_batch.ts: the order of its steps and what it hands back,
 * observed through a recording `Io` (tests/faults/fault_io.ts). Its users' promises are
 * tested in tests/faults/io_faults_test.ts.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { before, test } from "node:test";
import { DurableBatch, type NameChange } from "../../lib/fs/durable_batch.ts";
import { initRuntime } from "../../lib/fs/runtime.ts";
import { makeTree, tempDir } from "../_helpers/helpers.ts";
import { FaultIo } from "../faults/fault_io.ts";

before(() => initRuntime());

test("DurableBatch syncs each filesystem once, then fsyncs each changed directory once, in order", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "a/x.tmp", content: "x" },
    { kind: "file", path: "a/y.tmp", content: "y" },
    { kind: "file", path: "b/z.tmp", content: "z" },
    { kind: "file", path: "b/old", content: "old" },
  ]);
  const [a, b] = [dir.join("a"), dir.join("b")];
  const io = new FaultIo();
  const batch = new DurableBatch(io, true);
  assert.deepEqual(batch.syncFilesystems([a, b, a]), new Map());
  const changes: NameChange[] = [
    { op: "rename", dir: b, from: dir.join("b/z.tmp"), to: dir.join("b/z") },
    { op: "rename", dir: a, from: dir.join("a/x.tmp"), to: dir.join("a/x") },
    { op: "unlink", dir: b, path: dir.join("b/old") },
    { op: "rename", dir: a, from: dir.join("a/y.tmp"), to: dir.join("a/y") },
  ];
  const made: number[] = [];
  const stop = batch.apply(changes, { made: (i) => made.push(i), failed: () => true });
  assert.deepEqual([stop, made], [4, [0, 1, 2, 3]]);
  assert.deepEqual(batch.fsyncDirs(), new Map());
  assert.deepEqual(io.calls, [
    `syncfs ${a}`, // one filesystem: one syncfs, on the first directory
    `rename ${dir.join("b/z")}`,
    `rename ${dir.join("a/x")}`,
    `unlink ${dir.join("b/old")}`,
    `rename ${dir.join("a/y")}`,
    `fsyncDir ${b}`,
    `fsyncDir ${a}`,
  ]);
  assert.deepEqual(fs.readdirSync(a).sort(), ["x", "y"]);
  assert.deepEqual(fs.readdirSync(b), ["z"]);
  assert.deepEqual(batch.fsyncDirs(), new Map());
  assert.equal(io.pathsOf("fsyncDir").length, 2, "a directory is fsynced once per change set");
});

test("DurableBatch without durability (--no-fsync) makes the changes with no syncfs or fsync", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "x.tmp", content: "x" }]);
  const io = new FaultIo();
  const batch = new DurableBatch(io, false);
  batch.syncFilesystems([dir.path]);
  const change: NameChange = {
    op: "rename",
    dir: dir.path,
    from: dir.join("x.tmp"),
    to: dir.join("x"),
  };
  batch.apply([change], { failed: () => true });
  batch.fsyncDirs();
  assert.deepEqual(io.calls, [`rename ${dir.join("x")}`]);
  assert.deepEqual(fs.readdirSync(dir.path), ["x"]);
});

test("DurableBatch.syncFilesystems() hands back the failure for each directory it covers, and a stat failure", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "dir", path: "a" }, { kind: "dir", path: "b" }]);
  const io = new FaultIo({ op: "syncfs", on: () => true, errno: "EIO" });
  const failures = new DurableBatch(io, true).syncFilesystems([
    dir.join("a"),
    dir.join("gone"),
    dir.join("b"),
  ]);
  assert.deepEqual(
    [...failures].map(([d, f]) => [d, f.dir, f.step, (f.error as { code: string }).code]),
    [
      [dir.join("gone"), dir.join("gone"), "stat", "ENOENT"],
      [dir.join("a"), dir.join("a"), "syncfs", "EIO"],
      [dir.join("b"), dir.join("a"), "syncfs", "EIO"],
    ],
  );
  assert.deepEqual(io.pathsOf("syncfs"), [dir.join("a")]);
});

test("DurableBatch.apply() stops where told, goes on where told, and counts an unlink of a gone name as made", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "s/1", content: "1" },
    { kind: "file", path: "s/2", content: "2" },
    { kind: "file", path: "s/3", content: "3" },
  ]);
  const s = dir.join("s");
  const io = new FaultIo({ op: "unlink", on: (p) => p.endsWith("/2"), errno: "EIO" });
  const batch = new DurableBatch(io, true);
  const unlink = (n: string): NameChange => ({ op: "unlink", dir: s, path: `${s}/${n}` });
  const seen: string[] = [];
  const on = (goOn: boolean) => ({
    made: (i: number) => seen.push(`made ${i}`),
    failed: (i: number, e: unknown) => {
      seen.push(`failed ${i} ${(e as { code: string }).code}`);
      return goOn;
    },
  });
  assert.equal(batch.apply([unlink("gone"), unlink("2"), unlink("1")], on(false)), 1);
  assert.deepEqual(seen, ["made 0", "failed 1 EIO"]);
  assert.ok(fs.existsSync(`${s}/1`), "nothing after the stop is attempted");
  assert.deepEqual(batch.fsyncDirs(), new Map(), "no name changed: no fsync");
  assert.deepEqual(io.pathsOf("fsyncDir"), []);
  seen.length = 0;
  assert.equal(batch.apply([unlink("2"), unlink("1"), unlink("3")], on(true)), 3);
  assert.deepEqual(seen, ["failed 0 EIO", "made 1", "made 2"]);
  assert.deepEqual(fs.readdirSync(s), ["2"]);
  batch.fsyncDirs();
  assert.deepEqual(io.pathsOf("fsyncDir"), [s]);
});
