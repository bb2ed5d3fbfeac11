/**
 * Unit tests of lib/snapshot/versions.ts: what the version cache keeps of the entries a run
 * committed, stamped by their writer or, failing that, when the caches are written.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { type BPath, fromText } from "../../lib/fs/bpath.ts";
import { quickStat } from "../../lib/fs/quick_stat.ts";
import { initRuntime } from "../../lib/fs/runtime.ts";
import { fstatFd, stampHead } from "../../lib/fs/stat.ts";
import { CachedVersion, factsOf } from "../../lib/store/cache.ts";
import { readCache, writeCache } from "../../lib/store/cache_file.ts";
import { sidecarName } from "../../lib/store/layout.ts";
import type { Sidecar } from "../../lib/store/sidecar.ts";
import { Versions } from "../../lib/snapshot/versions.ts";
import { tempDir } from "../_helpers/helpers.ts";

const SIDECAR: Sidecar = { schema: "backup_meta.v3", prior_kind: "none", run: 1 };
const FACTS = factsOf(SIDECAR);

/** Writes `path` as a run's writer does, and the stamp head it takes before closing. */
function writeStamped(path: string): string {
  const fd = fs.openSync(path, "wx", 0o600);
  try {
    fs.writeSync(fd, "{}");
    return stampHead(fstatFd(fd));
  } finally {
    fs.closeSync(fd);
  }
}

test("Versions.writeCaches() caches committed entries; one changed after its commit no longer matches", async () => {
  await initRuntime();
  await using dir = tempDir();
  const d = fromText(dir.path);
  const versions = new Versions("snapyard", fromText(dir.join("store")));
  const path = (name: string) => fromText(dir.join(sidecarName(name, "snapyard", 7)));
  // Stamped by their writer (a worker), or not (lstat'ed when the caches are written).
  for (const name of ["kept", "changed"]) {
    const stamp = writeStamped(path(name));
    versions.remember({ dir: d, name, ts: 7, facts: FACTS, stamp, at: Date.now() });
  }
  for (const name of ["keptUnstamped", "changedUnstamped", "gone"]) {
    fs.writeFileSync(path(name), "{}");
    versions.remember({
      dir: d,
      name,
      ts: 7,
      facts: FACTS,
      stamp: undefined,
      at: Date.now(),
    });
  }
  // Rewritten by another program after its commit: a later ctime (the clock is ms).
  await new Promise((r) => setTimeout(r, 20));
  for (const name of ["changed", "changedUnstamped"]) fs.writeFileSync(path(name), "{}");
  fs.rmSync(path("gone"));
  versions.writeCaches();
  const cache = readCache(d, "snapyard");
  assert.deepEqual([...cache.keys()].sort(), [
    "changed",
    "changedUnstamped",
    "kept",
    "keptUnstamped",
  ]);
  const matches = (name: string) => cache.get(name)!.matches(quickStat(path(name))!.stamp);
  assert.equal(matches("kept"), true);
  assert.equal(matches("keptUnstamped"), true);
  assert.equal(matches("changed"), false);
  assert.equal(matches("changedUnstamped"), false);
  assert.equal(cache.get("kept")!.ts, 7);
  assert.deepEqual(cache.get("kept")!.sidecar, SIDECAR);
});

test("Versions.writeCaches(): a sidecar replaced by another file of the same size after its commit no longer matches", async () => {
  await initRuntime();
  await using dir = tempDir();
  const d = fromText(dir.path);
  const versions = new Versions("snapyard", fromText(dir.join("store")));
  const path: BPath = fromText(dir.join(sidecarName("a", "snapyard", 7)));
  const stamp = writeStamped(path);
  versions.remember({ dir: d, name: "a", ts: 7, facts: FACTS, stamp, at: Date.now() });
  // Replaced at once (same millisecond, same size): another inode.
  fs.writeFileSync(`${path}.new`, "{}");
  fs.renameSync(`${path}.new`, path);
  versions.writeCaches();
  assert.equal(readCache(d, "snapyard").get("a")!.matches(quickStat(path)!.stamp), false);
});

test("Versions.writeCaches(): a cache read before its index was dropped keeps its rows; one read empty is not read again", async () => {
  await initRuntime();
  await using dir = tempDir();
  const versions = new Versions("snapyard", fromText(dir.join("store")));
  const dirs = [0, 1, 2, 3, 4, 5].map((i) => fromText(dir.join(`d${i}`)));
  // d0 has a cache with one row; d1..d5 do not exist yet (a first run's directories).
  fs.mkdirSync(dirs[0]!);
  const old = CachedVersion.of(3, "1:2:3:4", SIDECAR);
  writeCache(dirs[0]!, "snapyard", new Map([["old", old]]));
  // The walk reads each directory's index (and d0's cache) in turn: d0's and d1's are dropped
  // (four are kept) before any entry of theirs is committed.
  for (const d of dirs) versions.of(d).cache();
  for (const d of dirs.slice(1)) fs.mkdirSync(d);
  for (const [i, d] of dirs.entries()) {
    const path = fromText(`${d}/${sidecarName(`new${i}`, "snapyard", 7)}`);
    const stamp = writeStamped(path);
    versions.remember({ dir: d, name: `new${i}`, ts: 7, facts: FACTS, stamp, at: Date.now() });
  }
  // A cache another writer left in d1 after its index was read empty: not read again.
  writeCache(dirs[1]!, "snapyard", new Map([["stray", old]]));
  versions.writeCaches();
  assert.deepEqual([...readCache(dirs[0]!, "snapyard").keys()].sort(), ["new0", "old"]);
  assert.deepEqual(readCache(dirs[0]!, "snapyard").get("old")!.row(), old.row());
  for (const [i, d] of dirs.entries()) {
    if (i > 0) assert.deepEqual([...readCache(d, "snapyard").keys()], [`new${i}`]);
  }
});

test("Versions: a directory's cache is written once the run has left it and its expected entries are committed; a directory judged again is written again at the end, with both", async () => {
  await initRuntime();
  await using dir = tempDir();
  const versions = new Versions("snapyard", fromText(dir.join("store")));
  const [a, b] = ["a", "b"].map((n) => fromText(dir.join(n))) as [BPath, BPath];
  fs.mkdirSync(a);
  fs.mkdirSync(b);
  const commit = (d: BPath, name: string) => {
    const path = fromText(`${d}/${sidecarName(name, "snapyard", 7)}`);
    const stamp = writeStamped(path);
    versions.remember({ dir: d, name, ts: 7, facts: FACTS, stamp, at: Date.now() });
  };
  const cached = (d: BPath) => [...readCache(d, "snapyard").keys()].sort();
  versions.of(a).cache(); // read as the judgement reads it (empty)
  versions.expect(a);
  versions.expect(a);
  versions.of(b); // left a, with two entries pending: not written yet
  commit(a, "a1");
  assert.deepEqual(cached(a), []);
  commit(a, "a2"); // the last one pending: written now, before the end of the run
  assert.deepEqual(cached(a), ["a1", "a2"]);
  versions.expect(b);
  commit(b, "b1"); // b is where the run is: not yet
  assert.deepEqual(cached(b), []);
  versions.of(a); // left b: written; a judged again
  assert.deepEqual(cached(b), ["b1"]);
  versions.expect(a);
  commit(a, "a3");
  versions.of(b); // left a again: written early once only, so now at the end
  assert.deepEqual(cached(a), ["a1", "a2"]);
  versions.writeCaches();
  assert.deepEqual(cached(a), ["a1", "a2", "a3"]);
  assert.deepEqual(cached(b), ["b1"]);
});
