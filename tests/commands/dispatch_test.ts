/** Unit tests of lib/commands/dispatch.ts: which commands' pools serve in the calling thread. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CommandName } from "../../lib/cli/parse.ts";
import { inThread } from "../../lib/commands/dispatch.ts";
import { fromText } from "../../lib/fs/bpath.ts";
import { makeTree, tempDir } from "../_helpers/helpers.ts";

const COMMANDS: CommandName[] = ["snapshot", "restore", "verify", "list", "prune", "run", "demo"];

test("inThread() is true for snapshot and run of a small file only, false for every other command", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "f", content: "x" }]);
  const small = [fromText(dir.join("f"))];
  const serving = COMMANDS.filter((c) => inThread(c, small));
  assert.deepEqual(serving, ["snapshot", "run"]);
});

test("inThread() looks into a directory: true for snapshot and run of a small one, false for more than 8 targets", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "small/f", content: "x" },
    ...Array.from(
      { length: 9 },
      (_, i) => ({ kind: "file" as const, path: `big/f${i}`, content: "x" }),
    ),
  ]);
  const small = [fromText(dir.join("small"))];
  assert.deepEqual(COMMANDS.filter((c) => inThread(c, small)), ["snapshot", "run"]);
  const big = [fromText(dir.join("big"))];
  assert.deepEqual(COMMANDS.filter((c) => inThread(c, big)), []);
});
