/**
 * The snapshot's progress line (issue #11, defect 9): it counts targets and bytes as workers
 * finish them (not at the commits, which come in batches of 2,048: the line said `0 saved` for
 * most of a run), out of what the walk has seen, with the rate and the path last done, fitted to
 * the terminal; events are throttled.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { snapshot } from "../../lib/snapshot/run.ts";
import { SnapshotProgress } from "../../lib/snapshot/progress.ts";
import { snapshotProgressText } from "../../lib/cli/progress_text.ts";
import type { Event, SnapshotProgressEvent } from "../../lib/events.ts";
import { WorkerPool } from "../../lib/pool/pool.ts";
import { initRuntime } from "../../lib/fs/runtime.ts";
import { makeTree, tempDir } from "../_helpers/helpers.ts";
import { SPAWN } from "../_helpers/pool.ts";

let pool: WorkerPool;
before(async () => {
  await initRuntime();
  pool = new WorkerPool(SPAWN, 2);
});
after(() => pool.close());

const EVENT: SnapshotProgressEvent = {
  event: "progress",
  command: "snapshot",
  files_done: 1204,
  files_seen: 5310,
  bytes_done: 96 * 1048576,
  bytes_seen: 1288490189,
  failed: 1,
  seconds: 2,
  path: "/var/lib/app/data.bin",
};

test("snapshotProgressText() shows files and bytes done of those seen, the rate and the path", () => {
  assert.equal(
    snapshotProgressText(EVENT, 120),
    "snapshot: 1204/5310 files, 96.0 MiB/1.2 GiB, 48.0 MiB/s, 1 failed  /var/lib/app/data.bin",
  );
  const { bytes_seen: _, ...unmeasured } = EVENT;
  assert.match(snapshotProgressText({ ...unmeasured, failed: 0 }, 120), /files, 96\.0 MiB, 48/);
});

test("snapshotProgressText() shortens the path from the left to fit the width, and never wraps", () => {
  const long = { ...EVENT, path: `/srv/${"deep/".repeat(30)}leaf.txt` };
  for (const width of [60, 80, 100, 200]) {
    const line = snapshotProgressText(long, width);
    assert.ok(line.length <= width - 1, `${line.length} > ${width - 1}`);
  }
  assert.match(snapshotProgressText(long, 100), / {2}….*\/deep\/leaf\.txt$/);
  // Too narrow for a path: the counts alone, cut to the width.
  assert.equal(snapshotProgressText(long, 40).length, 39);
});

test("SnapshotProgress emits at most once per interval, and always at finish", () => {
  const events: Event[] = [];
  let now = 0;
  const p = new SnapshotProgress((e) => events.push(e), false, 100, () => now);
  for (let i = 0; i < 10; i++) {
    p.seen();
    p.done(`/t/${i}`, 10);
    now += 30;
  }
  // At t = 0, 120, 240: every 100 ms or more.
  assert.equal(events.length, 3);
  p.finish();
  const last = events.at(-1) as SnapshotProgressEvent;
  assert.deepEqual(
    [last.files_done, last.files_seen, last.bytes_done, last.bytes_seen, last.path],
    [10, 10, 100, undefined, "/t/9"],
  );
});

test("snapshot() with measure counts every file and byte as copied, before any commit", async () => {
  await using dir = tempDir();
  const sizes = [1, 1000, 70_000, 300_000, 5];
  makeTree(dir.path, [
    ...sizes.map((n, i) => ({ kind: "file" as const, path: `t/f${i}`, content: "x".repeat(n) })),
    { kind: "symlink", path: "t/l", target: "f0" },
  ]);
  const events: Event[] = [];
  await snapshot({
    paths: [dir.join("t")],
    tag: "prog",
    store: dir.join("store"),
    schema: "v3",
    durable: false,
    pool,
    measure: true,
    emit: (e) => events.push(e),
  });
  const progress = events.filter((e) => e.event === "progress") as SnapshotProgressEvent[];
  const last = progress.at(-1)!;
  const total = sizes.reduce((a, b) => a + b, 0);
  assert.deepEqual(
    [last.files_done, last.files_seen, last.bytes_done, last.bytes_seen, last.failed],
    [6, 6, total, total, 0],
  );
  // The last count came before the commit (under 2,048 entries: one, at the end).
  const firstSaved = events.findIndex((e) => e.event === "saved");
  assert.ok(events.lastIndexOf(last) < firstSaved, "progress waited for the commit");
  assert.ok(progress.every((e, i) => i === 0 || e.files_done >= progress[i - 1]!.files_done));
});

test("Reporter.showsProgress only for people on a terminal (snapshot then measures)", async () => {
  const { Reporter } = await import("../../lib/cli/report.ts");
  assert.equal(new Reporter("human", true).showsProgress, true);
  assert.equal(new Reporter("human", false).showsProgress, false);
  assert.equal(new Reporter("json", true).showsProgress, false);
  assert.equal(new Reporter("quiet", true).showsProgress, false);
});
