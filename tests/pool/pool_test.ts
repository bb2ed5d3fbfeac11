/** Unit tests of lib/pool/pool.ts: a pool built from each source, and its dead workers. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { MessageChannel } from "node:worker_threads";
import { fromText } from "../../lib/fs/bpath.ts";
import { initRuntime } from "../../lib/fs/runtime.ts";
import { spawnWorker, WorkerDeaths, WorkerPool } from "../../lib/pool/pool.ts";
import { snapshot, type SnapshotOptions } from "../../lib/snapshot/run.ts";
import { CaptureReporter, makeTree, tempDir } from "../_helpers/helpers.ts";
import { SNAP_WORKER, SPAWN } from "../_helpers/pool.ts";

const TS = 1700000000000;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** A copy job of `name` in `dir` into that same directory. */
function copyJob(dir: string, name: string) {
  const src = fromText(`${dir}/${name}`);
  return { src, dir: fromText(dir), name, tag: "snapyard", ts: TS, change: "new" as const };
}

test("WorkerPool from a spawn source starts `size` workers, and each copy runs in a worker", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "hello" }]);
  const pool = new WorkerPool(SPAWN, 3);
  try {
    assert.equal(pool.size, 3);
    const [r] = await pool.copy([copyJob(dir.path, "a")], { schema: "v3", run: TS });
    assert.ok(r?.ok);
    assert.equal(r.hash, sha256("hello"));
    // A worker's temp names carry its thread id: `.tmp-PID_THREAD-N`.
    assert.match(r.sidecarTemp, new RegExp(`\\.tmp-${process.pid}_\\d+-\\d+$`));
    const [h] = await pool.hash([{ path: fromText(dir.join("a")) }]);
    assert.equal(h?.ok && h.hash, sha256("hello"));
  } finally {
    await pool.close();
  }
  await assert.rejects(pool.hash([]), /worker pool is closed/);
});

test("a pool can use workers another thread started (Deno's engine worker); a reported death fails that worker's batches", async () => {
  await initRuntime();
  await using dir = tempDir();
  makeTree(dir.path, [
    ...Array.from({ length: 300 }, (_, i) => ({
      kind: "file" as const,
      path: `d/${i}`,
      content: `file ${i}`,
    })),
  ]);
  const channels = [new MessageChannel(), new MessageChannel()];
  const workers = channels.map((c) => spawnWorker(SNAP_WORKER, c.port1));
  const deaths = new WorkerDeaths();
  try {
    const adopted = new WorkerPool(
      { kind: "adopt", ports: channels.map((c) => c.port2), deaths },
      5,
    );
    assert.equal(adopted.size, 2);
    const reporter = new CaptureReporter();
    const o = {
      paths: [dir.join("d")],
      tag: "snapyard",
      schema: "v3",
      durable: true,
      emit: reporter.emit,
    };
    const sum = await snapshot({ ...o, pool: adopted } as SnapshotOptions);
    assert.deepEqual([sum.files, sum.failed], [300, 0]);
    const [ok] = await adopted.hash([{ path: fromText(dir.join("d", "7")) }]);
    assert.ok(ok?.ok);
    // A worker dies with a batch in flight: the report fails that batch, and the other
    // worker gets the next ones; once both are gone, a batch fails at once.
    await workers[0]!.terminate();
    const inflight = adopted.hash([{ path: fromText(dir.join("d", "7")) }]);
    deaths.report(0, new Error("worker exited with code 9"));
    await assert.rejects(inflight, /code 9/);
    for (let i = 0; i < 4; i++) {
      const [again] = await adopted.hash([{ path: fromText(dir.join("d", String(i))) }]);
      assert.ok(again?.ok);
    }
    await workers[1]!.terminate();
    deaths.report(1, new Error("worker exited with code 9"));
    await assert.rejects(adopted.hash([{ path: fromText(dir.join("d", "8")) }]), /code 9/);
    await adopted.close();
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
});

test("WorkerPool from an adopt source sends nothing to a worker whose death was reported before it was built", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    ...Array.from(
      { length: 4 },
      (_, i) => ({ kind: "file" as const, path: `f${i}`, content: "x" }),
    ),
  ]);
  const channels = [new MessageChannel(), new MessageChannel()];
  const workers = channels.map((c) => spawnWorker(SNAP_WORKER, c.port1));
  const deaths = new WorkerDeaths();
  // Reported, though still alive: a batch it answered would show its thread id.
  deaths.report(0, new Error("worker exited with code 9"));
  try {
    const ports = channels.map((c) => c.port2);
    const adopted = new WorkerPool({ kind: "adopt", ports, deaths }, 2);
    for (let i = 0; i < 4; i++) {
      const [r] = await adopted.copy([copyJob(dir.path, `f${i}`)], { schema: "v3", run: TS });
      assert.ok(r?.ok);
      assert.match(
        r.sidecarTemp,
        new RegExp(`\\.tmp-${process.pid}_${workers[1]!.threadId}-\\d+$`),
      );
    }
    await adopted.close();
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
});

test("WorkerDeaths.listen() hears deaths until stopped, and of() keeps every one", () => {
  const deaths = new WorkerDeaths();
  const heard: number[] = [];
  const stop = deaths.listen((i) => heard.push(i));
  deaths.report(1, new Error("one"));
  stop();
  deaths.report(0, new Error("zero"));
  assert.deepEqual(heard, [1]);
  assert.equal(deaths.of(0)?.message, "zero");
  assert.equal(deaths.of(1)?.message, "one");
  assert.equal(deaths.of(2), undefined);
});

test("a worker that dies fails its batch in flight, and the pool's other worker takes the next ones", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "f", content: "x" }]);
  const own = new WorkerPool(SPAWN, 2);
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

test("an in-thread pool snapshots in this thread (no worker's temp names) and fails a batch it cannot serve", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "hello" }]);
  const here = new WorkerPool({ kind: "in-thread" }, 4);
  try {
    assert.equal(here.size, 1);
    const [r] = await here.copy([copyJob(dir.path, "a")], { schema: "v3", run: TS });
    assert.ok(r?.ok);
    assert.equal(r.hash, sha256("hello"));
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
