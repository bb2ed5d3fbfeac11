/**
 * Unit test of lib/snapshot/walk.ts over a listing without types (d_type DT_UNKNOWN, as some
 * filesystems give): the walk lstats each name and finds the same targets as with types.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { type BPath, type DirEntry, fsPath, useListing } from "../../lib/fs/bpath.ts";
import { Excludes } from "../../lib/snapshot/exclude.ts";
import { type WalkOptions, walkTargets } from "../../lib/snapshot/walk.ts";
import { makeTree, tempDir } from "../_helpers/helpers.ts";

const NONE: WalkOptions = { exclude: new Excludes([]), skipDirs: new Set() };

/** A listed name whose type the directory did not tell. */
function unknown(name: BPath): DirEntry {
  const no = () => false;
  return {
    name,
    isFile: no,
    isDirectory: no,
    isSymbolicLink: no,
    isFIFO: no,
    isSocket: no,
    isBlockDevice: no,
    isCharacterDevice: no,
  };
}

function names(dir: BPath): BPath[] {
  return fs.readdirSync(fsPath(dir), { encoding: "latin1" }) as unknown as BPath[];
}

test("walkTargets() lstats names listed with an unknown type and yields what they are", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "a", content: "x" },
    { kind: "symlink", path: "ln", target: "a" },
    { kind: "file", path: "sub/deeper/b", content: "y" },
    { kind: "fifo", path: "sub/pipe" },
  ]);
  const sorted = (items: unknown[]) => items.map((i) => JSON.stringify(i)).sort();
  const typed = sorted([...walkTargets([dir.path], NONE)]);
  const before = useListing({
    names,
    dirents: (d) => names(d).map(unknown),
    scan: (d, visit) => names(d).forEach((n) => visit(n, false)),
  });
  let untyped: string[];
  try {
    untyped = sorted([...walkTargets([dir.path], NONE)]);
  } finally {
    useListing(before);
  }
  assert.deepEqual(untyped, typed);
  assert.deepEqual(typed, [
    JSON.stringify({ kind: "file", path: dir.join("a") }),
    JSON.stringify({ kind: "file", path: dir.join("sub/deeper/b") }),
    JSON.stringify({
      kind: "skip",
      path: dir.join("sub/pipe"),
      reason: "is a FIFO (skipped, not opened)",
    }),
    JSON.stringify({ kind: "symlink", path: dir.join("ln") }),
  ]);
});
