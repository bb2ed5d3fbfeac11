/**
 * coveringRun(): which run covered a directory PATH at a point in time, from the run records
 * in the anchors of the PATH and its ancestors (records written by hand as data).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { posix } from "node:path";
import type { BPath } from "../../lib/fs/bpath.ts";
import { coveringRun } from "../../lib/store/covering.ts";
import type { AtSpec } from "../../lib/store/selection.ts";
import { tempDir } from "../_helpers/helpers.ts";
import { recordOf, writeRecord } from "../_helpers/run_fixture.ts";

const ts = (n: number): AtSpec => ({ kind: "ts", ts: n });
const LATEST: AtSpec = { kind: "latest" };
const PREVIOUS: AtSpec = { kind: "previous" };

/** coveringRun of `path` in `store`, failing the test on any unreadable anchor. */
function covering(path: string, store: string, at: AtSpec): number | undefined {
  return coveringRun(path as BPath, "snapyard", store as BPath, at, (e) => {
    throw new Error(`unexpected: ${e.reason}`);
  });
}

test("coveringRun() finds a complete run of the PATH or of an ancestor, at or before TS", async () => {
  await using dir = tempDir();
  const store = dir.join("store");
  const srv = "/srv";
  const data = "/srv/data";
  writeRecord(posix.join(store, srv), recordOf(100, [srv]));
  writeRecord(posix.join(store, data), recordOf(200, [data]));
  assert.equal(covering(data, store, ts(99)), undefined);
  assert.equal(covering(data, store, ts(150)), 100);
  assert.equal(covering(data, store, ts(250)), 200);
  assert.equal(covering(data, store, LATEST), 200);
  assert.equal(covering(data, store, PREVIOUS), 100);
  // A run of a directory below does not cover its parent.
  assert.equal(covering(srv, store, LATEST), 100);
});

test("coveringRun() skips partial runs, runs of siblings and other tags", async () => {
  await using dir = tempDir();
  const store = dir.join("store");
  writeRecord(posix.join(store, "/a"), recordOf(100, ["/a"], { outcome: "partial", failed: 1 }));
  writeRecord(posix.join(store, "/"), recordOf(110, ["/b"]));
  writeRecord(posix.join(store, "/a"), recordOf(120, ["/a"], { tag: "other" }));
  assert.equal(covering("/a", store, LATEST), undefined);
});

test("coveringRun() counts a run over several PATHs once, whatever its copies", async () => {
  await using dir = tempDir();
  const store = dir.join("store");
  const both = recordOf(300, ["/x", "/x/y"]);
  writeRecord(posix.join(store, "/x"), both);
  writeRecord(posix.join(store, "/x/y"), both);
  assert.equal(covering("/x/y", store, LATEST), 300);
  assert.equal(covering("/x/y", store, PREVIOUS), undefined);
});
