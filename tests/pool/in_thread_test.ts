/** Unit tests of lib/pool/in_thread.ts: the sizing rule for serving in the calling thread. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromText } from "../../lib/fs/bpath.ts";
import { servesInThread } from "../../lib/pool/in_thread.ts";
import { cacheName, runRecordName } from "../../lib/store/layout.ts";
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

test("servesInThread() looks into directories: their files count, snapyard's own names do not", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "f", content: "x" },
    { kind: "dir", path: "empty" },
    { kind: "file", path: "d/a", content: "x" },
    { kind: "symlink", path: "d/l", target: "a" },
    { kind: "file", path: "d/e/b", content: "x" },
    // An entry beside its target: not a target.
    { kind: "file", path: "d/.a.snapyard.1700000000000.bak", content: "x" },
    { kind: "file", path: "d/.a.snapyard.1700000000000.bak.meta.json", content: "{}" },
    ...Array.from(
      { length: 6 },
      (_, i) => ({ kind: "file" as const, path: `big/f${i}`, content: "x" }),
    ),
    // Two targets, four versions of each, a run record and a version cache beside them:
    // 20 names, 2 targets.
    { kind: "file", path: `beside/${runRecordName("snapyard", 1700000000004)}`, content: "{}" },
    { kind: "file", path: `beside/${cacheName("snapyard")}`, content: "{}" },
    ...["x", "y"].flatMap((t) => [
      { kind: "file" as const, path: `beside/${t}`, content: "x" },
      ...[1, 2, 3, 4].flatMap((v) => [
        { kind: "file" as const, path: `beside/.${t}.snapyard.170000000000${v}.bak`, content: "x" },
        {
          kind: "file" as const,
          path: `beside/.${t}.snapyard.170000000000${v}.bak.meta.json`,
          content: "{}",
        },
      ]),
    ]),
  ]);
  const p = (...names: string[]) => names.map((n) => fromText(dir.join(n)));
  assert.equal(servesInThread(p("empty")), true);
  assert.equal(servesInThread(p("d")), true, "3 targets below d");
  assert.equal(servesInThread(p("f", "d", "empty")), true, "4 targets");
  assert.equal(servesInThread(p("big")), true, "6 targets");
  assert.equal(servesInThread(p("beside", "big")), true, "8 targets, 18 names of snapyard's own");
  assert.equal(servesInThread(p("d", "big")), false, "9 targets");
  assert.equal(servesInThread(p("f", "big", "absent")), true, "8 targets");
  assert.equal(servesInThread([fromText(dir.path)]), false, "10 targets below the top");
});

test("servesInThread() stops looking after 32 lstats: a deep chain of directories is not small", async () => {
  await using dir = tempDir();
  const chain = Array.from({ length: 40 }, (_, i) => `d${i}`);
  makeTree(dir.path, [{ kind: "file", path: `${chain.join("/")}/f`, content: "x" }]);
  const from = (i: number) => fromText(dir.join(chain.slice(0, i + 1).join("/")));
  // From d<i>: 40 - i directories and the file to lstat.
  assert.equal(servesInThread([from(0)]), false, "41 lstats");
  assert.equal(servesInThread([from(9)]), true, "32 lstats");
  assert.equal(servesInThread([from(8)]), false, "33 lstats");
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
