/** Unit tests of lib/snapshot/run.ts (the engine) through its API, and of the worker pool it uses. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, before, test } from "node:test";
import { fromText } from "../../lib/fs/bpath.ts";
import { payloadName, sidecarName } from "../../lib/store/layout.ts";
import {
  adoptWorkers,
  servesInThread,
  spawnWorker,
  workerDied,
  WorkerPool,
} from "../../lib/pool/pool.ts";
import { createHash } from "node:crypto";
import { MessageChannel } from "node:worker_threads";
import { initRuntime } from "../../lib/fs/runtime.ts";
import { snapshot, type SnapshotOptions } from "../../lib/snapshot/run.ts";
import { CaptureReporter, makeTree, tempDir } from "../_helpers/helpers.ts";

let pool: WorkerPool;
before(async () => {
  await initRuntime();
  pool = new WorkerPool(2);
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
  const counting = new CountingPool(2);
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

test("a pool can use workers another thread started (Deno's engine worker); a reported death fails that worker's batches", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    ...Array.from({ length: 300 }, (_, i) => ({
      kind: "file" as const,
      path: `d/${i}`,
      content: `file ${i}`,
    })),
  ]);
  const channels = [new MessageChannel(), new MessageChannel()];
  const workers = channels.map((c) => spawnWorker(c.port1));
  adoptWorkers(channels.map((c) => c.port2));
  try {
    const adopted = new WorkerPool(5);
    assert.equal(adopted.size, 2);
    const run = opts([dir.join("d")], { pool: adopted });
    const sum = await snapshot(run.o);
    assert.deepEqual([sum.files, sum.failed], [300, 0]);
    const [ok] = await adopted.hash([{ path: fromText(dir.join("d", "7")) }]);
    assert.ok(ok?.ok);
    // A worker dies with a batch in flight: the report fails that batch, and the other
    // worker gets the next ones; once both are gone, a batch fails at once.
    await workers[0]!.terminate();
    const inflight = adopted.hash([{ path: fromText(dir.join("d", "7")) }]);
    workerDied(0, new Error("worker exited with code 9"));
    await assert.rejects(inflight, /code 9/);
    for (let i = 0; i < 4; i++) {
      const [again] = await adopted.hash([{ path: fromText(dir.join("d", String(i))) }]);
      assert.ok(again?.ok);
    }
    await workers[1]!.terminate();
    workerDied(1, new Error("worker exited with code 9"));
    await assert.rejects(adopted.hash([{ path: fromText(dir.join("d", "8")) }]), /code 9/);
    await adopted.close();
  } finally {
    adoptWorkers(undefined);
    await Promise.all(workers.map((w) => w.terminate()));
  }
});

test("a worker that dies fails its batch in flight, and the pool's other worker takes the next ones", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "f", content: "x" }]);
  const own = new WorkerPool(2);
  try {
    // A request the worker cannot decode makes it throw outside any job: it dies.
    await assert.rejects(own.copy(undefined as never, { schema: "v3", run: TS }));
    for (let i = 0; i < 4; i++) {
      const [r] = await own.hash([{ path: fromText(dir.join("f")) }]);
      assert.ok(r?.ok);
    }
  } finally {
    await own.close();
  }
});

test("servesInThread(): snapshot and run of at most 8 files, symlinks or absent paths with at most 8 MiB", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    ...Array.from(
      { length: 9 },
      (_, i) => ({ kind: "file" as const, path: `f${i}`, content: "x" }),
    ),
    { kind: "file", path: "big", content: new Uint8Array((8 << 20) + 1) },
    { kind: "symlink", path: "l", target: "f0" },
    { kind: "dir", path: "d" },
  ]);
  const p = (...names: string[]) => names.map((n) => fromText(dir.join(n)));
  assert.equal(servesInThread("snapshot", p("f0", "l", "absent")), true);
  // A path that cannot be stat'ed (ENOTDIR) is the engine's to report, not an error here.
  assert.equal(servesInThread("snapshot", p("f0/x")), true);
  assert.equal(servesInThread("run", p("f0")), true);
  assert.equal(
    servesInThread("snapshot", p(...Array.from({ length: 8 }, (_, i) => `f${i}`))),
    true,
  );
  assert.equal(
    servesInThread("snapshot", p(...Array.from({ length: 9 }, (_, i) => `f${i}`))),
    false,
  );
  assert.equal(servesInThread("snapshot", p("f0", "d")), false);
  assert.equal(servesInThread("snapshot", p("big")), false);
  assert.equal(servesInThread("verify", p("f0")), false);
  assert.equal(servesInThread("restore", p("f0")), false);
});

test("an in-thread pool snapshots in this thread (no worker's temp names) and fails a batch it cannot serve", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "hello" }]);
  const here = new WorkerPool(4, true);
  try {
    assert.equal(here.size, 1);
    const [r] = await here.copy(
      [{
        src: fromText(dir.join("a")),
        dir: fromText(dir.path),
        name: "a",
        tag: "snapyard",
        ts: TS,
      }],
      { schema: "v3", run: TS },
    );
    assert.ok(r?.ok);
    assert.equal(r.hash, createHash("sha256").update("hello").digest("hex"));
    // A worker's temp names carry its thread id: `.tmp-PID_THREAD-N`; this thread's do not.
    assert.match(r.sidecarTemp, new RegExp(`\\.tmp-${process.pid}-\\d+$`));
    const [h] = await here.hash([{ path: fromText(dir.join("a")) }]);
    assert.ok(h?.ok);
    await assert.rejects(here.copy(undefined as never, { schema: "v3", run: TS }));
    await assert.rejects(here.hash([{ path: fromText(dir.join("a")) }]));
  } finally {
    await here.close();
  }
});
