/**
 * `run --full` end to end: the snapshot before COMMAND writes an entry for every target even
 * when nothing changed since the last run; without it, that snapshot is incremental.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { posix } from "node:path";
import { jsonLines, makeTree, runCli, tempDir } from "../_helpers/helpers.ts";
import { settle, snapRun } from "../_helpers/entry_fixture.ts";

type Ev = Record<string, unknown>;

/** `run --target t [extra] -- true` after a snapshot of an unchanged `t`; its saved events. */
async function runUnchanged(extra: readonly string[]): Promise<{ saved: Ev[]; unchanged: Ev[] }> {
  await using dir = tempDir();
  const t = dir.join("t");
  makeTree(t, [
    { kind: "file", path: "a", content: "a" },
    { kind: "symlink", path: "l", target: "a" },
  ]);
  await settle();
  await snapRun(dir.path, [t]);
  // The lock before `--`, where it is snapyard's and not COMMAND's.
  const lock = ["--lock", posix.join(dir.path, "test.lock")];
  const r = await runCli([
    ...lock,
    "run",
    "--json",
    "--no-fsync",
    ...extra,
    "--target",
    t,
    "--",
    "true",
  ]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const all = jsonLines(r.stdout);
  return {
    saved: all.filter((e) => e.event === "saved"),
    unchanged: all.filter((e) => e.event === "unchanged"),
  };
}

test("run --full writes a new entry for every target of an unchanged tree, change full", async () => {
  const { saved, unchanged } = await runUnchanged(["--full"]);
  assert.equal(saved.length, 2);
  assert.equal(unchanged.length, 0);
  for (const e of saved) assert.equal(e.change, "full");
});

test("run without --full writes no entry for an unchanged tree", async () => {
  const { saved, unchanged } = await runUnchanged([]);
  assert.equal(saved.length, 0);
  assert.equal(unchanged.length, 2);
});
