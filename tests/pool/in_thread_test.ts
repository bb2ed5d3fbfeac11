/** Unit tests of lib/pool/in_thread.ts: the sizing rule for serving in the calling thread. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromText } from "../../lib/fs/bpath.ts";
import { servesInThread } from "../../lib/pool/in_thread.ts";
import { makeTree, tempDir } from "../_helpers/helpers.ts";

const MiB = 1 << 20;

test("servesInThread() takes at most 8 targets of files, symlinks and absent paths", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    ...Array.from(
      { length: 9 },
      (_, i) => ({ kind: "file" as const, path: `f${i}`, content: "x" }),
    ),
    { kind: "symlink", path: "l", target: "f0" },
  ]);
  const p = (...names: string[]) => names.map((n) => fromText(dir.join(n)));
  const files = (n: number) => Array.from({ length: n }, (_, i) => `f${i}`);
  assert.equal(servesInThread([]), true);
  assert.equal(servesInThread(p("f0", "l", "absent")), true);
  assert.equal(servesInThread(p(...files(8))), true);
  assert.equal(servesInThread(p(...files(9))), false);
  assert.equal(servesInThread(p(...files(7), "absent", "l")), false);
});

test("servesInThread() refuses a directory among the targets, even an empty one", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "f", content: "x" },
    { kind: "dir", path: "d" },
  ]);
  assert.equal(servesInThread([fromText(dir.join("f")), fromText(dir.join("d"))]), false);
  assert.equal(servesInThread([fromText(dir.join("d"))]), false);
});

test("servesInThread() takes at most 8 MiB of files between the targets; a symlink counts nothing", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "eight", content: new Uint8Array(8 * MiB) },
    { kind: "file", path: "over", content: new Uint8Array(8 * MiB + 1) },
    { kind: "file", path: "half", content: new Uint8Array(4 * MiB) },
    { kind: "file", path: "half+1", content: new Uint8Array(4 * MiB + 1) },
    { kind: "symlink", path: "to-over", target: "over" },
  ]);
  const p = (...names: string[]) => names.map((n) => fromText(dir.join(n)));
  assert.equal(servesInThread(p("eight")), true);
  assert.equal(servesInThread(p("over")), false);
  assert.equal(servesInThread(p("half", "half")), true);
  assert.equal(servesInThread(p("half", "half+1")), false);
  assert.equal(servesInThread(p("to-over", "eight")), true);
});

test("servesInThread() leaves a target it cannot stat (ENOTDIR) to the engine: no work for a pool", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "f", content: "x" }]);
  assert.equal(servesInThread([fromText(dir.join("f", "x"))]), true);
});
