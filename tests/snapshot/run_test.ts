/** Unit tests of lib/snapshot/run.ts (the engine) through its API. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, before, test } from "node:test";
import { payloadName, sidecarName } from "../../lib/store/layout.ts";
import { WorkerPool } from "../../lib/pool/pool.ts";
import { SPAWN } from "../_helpers/pool.ts";
import { initRuntime } from "../../lib/fs/runtime.ts";
import { snapshot, type SnapshotOptions } from "../../lib/snapshot/run.ts";
import { CaptureReporter, makeTree, tempDir } from "../_helpers/helpers.ts";

let pool: WorkerPool;
before(async () => {
  await initRuntime();
  pool = new WorkerPool(SPAWN, 2);
});
after(() => pool.close());

function opts(paths: string[], extra: Partial<SnapshotOptions> = {}) {
  const reporter = new CaptureReporter();
  return {
    reporter,
    o: {
      paths,
      tag: "snapyard",
      schema: "v3",
      durable: true,
      pool,
      emit: reporter.emit,
      ...extra,
    } as SnapshotOptions,
  };
}

const TS = 1700000000000;

test("snapshot() never overwrites a taken name: that target moves to the next TS, others keep the run's", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "f", content: "new file" },
    { kind: "symlink", path: "l", target: "f" },
    { kind: "file", path: "other", content: "other" },
    // Names already taken at the run's TS (by an older or foreign entry).
    { kind: "file", path: payloadName("f", "snapyard", TS), content: "old payload" },
    { kind: "file", path: sidecarName("l", "snapyard", TS), content: "old sidecar" },
    { kind: "file", path: payloadName("gone", "snapyard", TS), content: "old tombstone" },
  ]);
  const { o, reporter } = opts([dir.path, dir.join("gone")], { ts: TS });
  const sum = await snapshot(o);
  assert.equal(sum.failed, 0, JSON.stringify(reporter.events));
  const tsOf = (name: string) =>
    reporter.events.find((e) => e.event === "saved" && e.path === dir.join(name))?.ts;
  assert.equal(tsOf("f"), TS + 1);
  assert.equal(tsOf("l"), TS + 1);
  assert.equal(tsOf("gone"), TS + 1);
  assert.equal(tsOf("other"), TS);
  assert.equal(fs.readFileSync(dir.join(payloadName("f", "snapyard", TS)), "utf8"), "old payload");
  assert.equal(fs.readFileSync(dir.join(sidecarName("l", "snapyard", TS)), "utf8"), "old sidecar");
  assert.equal(
    fs.readFileSync(dir.join(payloadName("gone", "snapyard", TS)), "utf8"),
    "old tombstone",
  );
  assert.equal(fs.existsSync(dir.join(payloadName("l", "snapyard", TS))), false);
  assert.equal(
    fs.readFileSync(dir.join(payloadName("f", "snapyard", TS + 1)), "utf8"),
    "new file",
  );
});

test("snapshot() returns only after the clock has passed its TS, so the next run gets a later one", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "a" }]);
  const first = await snapshot(opts([dir.join("a")], { durable: false }).o);
  const second = await snapshot(opts([dir.join("a")], { durable: false }).o);
  assert.ok(second.run > first.run);
  assert.ok(Date.now() > second.run);
});

test("snapshot() counts targets, files, symlinks, absent, skipped, failed and bytes", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "t/a", content: "12345" },
    { kind: "file", path: "t/b", content: "678" },
    { kind: "symlink", path: "t/l", target: "nowhere" },
    { kind: "fifo", path: "t/p" },
    { kind: "file", path: `t/${"x".repeat(240)}`, content: "too long a name" },
  ]);
  const sum = await snapshot(opts([dir.join("t"), dir.join("t/gone")]).o);
  assert.deepEqual(
    [sum.targets, sum.files, sum.symlinks, sum.absent, sum.skipped, sum.failed, sum.bytes],
    [6, 2, 1, 1, 1, 1, 8],
  );
  assert.equal(sum.failures[0]!.path, dir.join(`t/${"x".repeat(240)}`));
  assert.ok(sum.seconds >= 0);
});

test("snapshot() with an absent path whose directory is missing fails it alone", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "a" }]);
  const sum = await snapshot(opts([dir.join("a"), dir.join("no/such/dir/x")]).o);
  assert.equal(sum.files, 1);
  assert.equal(sum.failed, 1);
  assert.match(sum.failures[0]!.reason, /cannot create tombstone: no such file or directory/);
});

/** A pool that records how many jobs each copy batch carried. */
class CountingPool extends WorkerPool {
  batches: number[] = [];
  override copy(...args: Parameters<WorkerPool["copy"]>): ReturnType<WorkerPool["copy"]> {
    this.batches.push(args[0].length);
    return super.copy(...args);
  }
}

test("snapshot() sends large files in small batches (every worker gets a share) and small files 64 at a time", async () => {
  await using dir = tempDir();
  const big = new Uint8Array(1 << 20).fill(7);
  makeTree(dir.path, [
    ...Array.from(
      { length: 24 },
      (_, i) => ({ kind: "file" as const, path: `big/${i}`, content: big }),
    ),
    ...Array.from(
      { length: 400 },
      (_, i) => ({ kind: "file" as const, path: `small/${i}`, content: `${i}` }),
    ),
  ]);
  const counting = new CountingPool(SPAWN, 2);
  try {
    const bigRun = opts([dir.join("big")], { pool: counting });
    assert.equal((await snapshot(bigRun.o)).files, 24);
    // 1 MiB files: at most 8 MiB per batch; before any size is known, one file per batch.
    assert.ok(counting.batches.every((n) => n <= 8), counting.batches.join(","));
    assert.equal(counting.batches[0], 1);
    counting.batches = [];
    const smallRun = opts([dir.join("small")], { pool: counting });
    assert.equal((await snapshot(smallRun.o)).files, 400);
    assert.equal(Math.max(...counting.batches), 64, counting.batches.join(","));
  } finally {
    await counting.close();
  }
});
