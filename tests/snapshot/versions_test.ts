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
import { readCache } from "../../lib/store/cache_file.ts";
import { sidecarName } from "../../lib/store/layout.ts";
import type { Sidecar } from "../../lib/store/sidecar.ts";
import { Versions } from "../../lib/snapshot/versions.ts";
import { tempDir } from "../_helpers/helpers.ts";

const SIDECAR: Sidecar = { schema: "backup_meta.v3", prior_kind: "none", run: 1 };

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
    versions.remember({ dir: d, name, ts: 7, sidecar: SIDECAR, path: path(name), stamp });
  }
  for (const name of ["keptUnstamped", "changedUnstamped", "gone"]) {
    fs.writeFileSync(path(name), "{}");
    versions.remember({
      dir: d,
      name,
      ts: 7,
      sidecar: SIDECAR,
      path: path(name),
      stamp: undefined,
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
  versions.remember({ dir: d, name: "a", ts: 7, sidecar: SIDECAR, path, stamp });
  // Replaced at once (same millisecond, same size): another inode.
  fs.writeFileSync(`${path}.new`, "{}");
  fs.renameSync(`${path}.new`, path);
  versions.writeCaches();
  assert.equal(readCache(d, "snapyard").get("a")!.matches(quickStat(path)!.stamp), false);
});
