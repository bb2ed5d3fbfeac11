/** Unit tests of lib/commands/known_small.ts: a snapshot's size from its PATHs' last runs. */
import assert from "node:assert/strict";
import { posix } from "node:path";
import { test } from "node:test";
import { KNOWN_SMALL_TARGETS, lastRunsSize } from "../../lib/commands/known_small.ts";
import { fromText } from "../../lib/fs/bpath.ts";
import { lastRunTargets } from "../../lib/store/runs.ts";
import { makeTree, tempDir } from "../_helpers/helpers.ts";
import { recordOf, writeRecord } from "../_helpers/run_fixture.ts";

test("lastRunTargets() is the newest record naming the PATH, undefined without one", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "dir", path: "tree" }]);
  const tree = dir.join("tree");
  const store = dir.join("store");
  const anchor = posix.join(store, tree);
  const at = (p: string) => lastRunTargets(fromText(p), true, "snapyard", fromText(store));
  assert.equal(at(tree), undefined);
  writeRecord(anchor, recordOf(1_000, [tree], { targets: 7 }));
  writeRecord(anchor, recordOf(3_000, [posix.join(tree, "other")], { targets: 99 }));
  writeRecord(anchor, recordOf(2_000, [tree], { targets: 12 }));
  assert.equal(at(tree), 12);
  writeRecord(anchor, recordOf(4_000, [tree], { targets: 5, tag: "nightly" }));
  assert.equal(at(tree), 12, "another tag's record does not count");
});

test("lastRunsSize() is unknown for a first run, large above the bound, small at or below it", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "dir", path: "a" }, { kind: "file", path: "f", content: "x" }]);
  const a = dir.join("a");
  const f = dir.join("f");
  const store = dir.join("store");
  const paths = [fromText(a), fromText(f)];
  const size = () => lastRunsSize(paths, "snapyard", fromText(store));
  assert.equal(size(), "unknown", "no run yet");
  writeRecord(posix.join(store, a), recordOf(1_000, [a], { targets: 10 }));
  assert.equal(size(), "unknown", "f has no run yet");
  writeRecord(posix.join(store, dir.path), recordOf(1_000, [f], { targets: 1 }));
  assert.equal(size(), "small");
  writeRecord(posix.join(store, a), recordOf(2_000, [a], { targets: KNOWN_SMALL_TARGETS - 1 }));
  assert.equal(size(), "small", "the bound itself is small");
  writeRecord(posix.join(store, a), recordOf(3_000, [a], { targets: KNOWN_SMALL_TARGETS }));
  assert.equal(size(), "large", "1 + the bound is above it");
});
