/**
 * Unit tests of lib/snapshot/walk.ts: target kinds, skip reasons, excludes, own names, the store,
 * --exclude-if-present, --one-file-system and a directory PATH that yields nothing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { test } from "node:test";
import { fromText } from "../../lib/fs/bpath.ts";
import { Excludes } from "../../lib/snapshot/exclude.ts";
import { payloadName, sidecarName } from "../../lib/store/layout.ts";
import { type WalkItem, type WalkOptions, walkTargets } from "../../lib/snapshot/walk.ts";
import { canMount, type Fixture, makeTree, RUNTIME, tempDir } from "../_helpers/helpers.ts";

const NONE: WalkOptions = { exclude: new Excludes([]), skipDirs: new Set() };

/** The walk's items with paths relative to `root`, sorted. */
function walk(root: string, paths: string[], opts: WalkOptions = NONE): WalkItem[] {
  return [...walkTargets(paths, opts)]
    .map((i) => ({ ...i, path: i.path.slice(root.length + 1) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function devIno(p: string): string {
  const st = fs.statSync(p);
  return `${st.dev}:${st.ino}`;
}

const TREE: Fixture[] = [
  { kind: "file", path: "a.txt", content: "a" },
  { kind: "file", path: "sub/b.txt", content: "b" },
  { kind: "file", path: "sub/deeper/c.txt", content: "c" },
  { kind: "symlink", path: "sub/rel", target: "../a.txt" },
  { kind: "symlink", path: "abs", target: "/usr/bin/true" },
  { kind: "symlink", path: "dangling", target: "no/such/file" },
  { kind: "symlink", path: "dirlink", target: "sub" },
  { kind: "dir", path: "empty" },
];

test("walkTargets() finds files and symlinks recursively and never follows a symlink", async () => {
  await using dir = tempDir();
  makeTree(dir.path, TREE);
  assert.deepEqual(walk(dir.path, [dir.path]), [
    { kind: "file", path: "a.txt" },
    { kind: "symlink", path: "abs" },
    { kind: "symlink", path: "dangling" },
    { kind: "symlink", path: "dirlink" },
    { kind: "file", path: "sub/b.txt" },
    { kind: "file", path: "sub/deeper/c.txt" },
    { kind: "symlink", path: "sub/rel" },
  ]);
});

test("walkTargets() classifies PATH arguments: file, symlink, absent", async () => {
  await using dir = tempDir();
  makeTree(dir.path, TREE);
  const items = [...walkTargets([dir.join("a.txt"), dir.join("dangling"), dir.join("gone")], NONE)];
  assert.deepEqual(items, [
    { kind: "file", path: dir.join("a.txt") },
    { kind: "symlink", path: dir.join("dangling") },
    { kind: "none", path: dir.join("gone") },
  ]);
});

test("walkTargets() skips a FIFO, a socket and a device with a reason, as PATH or in a tree", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "fifo", path: "t/pipe" },
    { kind: "socket", path: "t/sock" },
    { kind: "file", path: "t/ok", content: "x" },
  ]);
  const dev = spawnSync("mknod", [dir.join("t/null"), "c", "1", "3"]);
  const haveDev = dev.status === 0;
  const expect: WalkItem[] = [
    ...(haveDev
      ? [{ kind: "skip" as const, path: "t/null", reason: "is a device (skipped, not opened)" }]
      : []),
    { kind: "file", path: "t/ok" },
    { kind: "skip", path: "t/pipe", reason: "is a FIFO (skipped, not opened)" },
    { kind: "skip", path: "t/sock", reason: "is a socket (skipped, not opened)" },
  ];
  assert.deepEqual(walk(dir.path, [dir.join("t")]), expect);
  const args = ["t/pipe", "t/sock", ...(haveDev ? ["t/null"] : [])].map((p) => dir.join(p));
  assert.deepEqual(
    walk(dir.path, args).map((i) => i.kind),
    args.map(() => "skip"),
  );
});

test("walkTargets() never takes the tool's own entries and temps as targets", async () => {
  await using dir = tempDir();
  const own = [
    payloadName("a.txt", "snapyard", 1700000000000),
    sidecarName("a.txt", "snapyard", 1700000000000),
    sidecarName("a.txt", "other", 1700000000000) + ".tmp-12-3",
    payloadName("gone", "switchyard", 1),
  ];
  makeTree(dir.path, [
    { kind: "file", path: "a.txt", content: "a" },
    ...own.map((p): Fixture => ({ kind: "file", path: `sub/${p}`, content: "" })),
    ...own.map((p): Fixture => ({ kind: "file", path: p, content: "" })),
  ]);
  assert.deepEqual(walk(dir.path, [dir.path]), [{ kind: "file", path: "a.txt" }]);
  const asArg = walk(dir.path, [dir.join(own[0]!)]);
  assert.equal(asArg.length, 1);
  assert.equal(asArg[0]!.kind, "skip");
});

test("walkTargets() leaves out excluded names and never enters excluded directories", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "keep.txt", content: "" },
    { kind: "file", path: "x.log", content: "" },
    { kind: "file", path: "sub/y.log", content: "" },
    { kind: "file", path: "cache/big", content: "" },
    { kind: "file", path: "var/cache/z", content: "" },
    { kind: "file", path: "sub/var/cache/kept", content: "" },
  ]);
  const opts = {
    exclude: new Excludes(["*.log", dir.join("cache"), "var/cache"]),
    skipDirs: new Set<string>(),
  };
  assert.deepEqual(walk(dir.path, [dir.path], opts).map((i) => i.path), [
    "keep.txt",
    "sub/var/cache/kept",
  ]);
});

test("walkTargets() never enters the store directory inside a walked tree", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "a", content: "" },
    { kind: "file", path: "store/x/not-a-target", content: "" },
  ]);
  const opts = { exclude: NONE.exclude, skipDirs: new Set([devIno(dir.join("store"))]) };
  assert.deepEqual(walk(dir.path, [dir.path], opts), [{ kind: "file", path: "a" }]);
});

test("walkTargets() skips the store itself when it is given as a PATH", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "store/.snapyard.lock", content: "" }]);
  const opts = { exclude: NONE.exclude, skipDirs: new Set([devIno(dir.join("store"))]) };
  const items = walk(dir.path, [dir.join("store")], opts);
  assert.equal(items.length, 1);
  assert.equal(items[0]!.kind, "skip");
});

test("walkTargets() reads a directory only when the walk reaches it (streaming)", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "first", content: "" },
    { kind: "dir", path: "later" },
  ]);
  const it = walkTargets([dir.path], NONE);
  const first = it.next();
  assert.equal(first.done, false);
  // Created after the walk started: seen only if "later" is read lazily.
  fs.writeFileSync(dir.join("later/new"), "");
  const rest = [...it].map((i) => i.path);
  assert.deepEqual(rest, [dir.join("later/new")]);
});

test("walkTargets() keeps valid UTF-8 non-ASCII names as their bytes", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "naïve-日本.txt", content: "x" }]);
  assert.deepEqual([...walkTargets([dir.path], NONE)], [
    { kind: "file", path: fromText(dir.join("naïve-日本.txt")) },
  ]);
});

test("walkTargets() handles a non-UTF-8 name: an error on Deno, the exact bytes on Bun", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "rawname", dirPath: "d", hexName: "636166e92e747874", content: "x" }, // caf\xe9.txt
    { kind: "file", path: "d/ok", content: "" },
  ]);
  const items = walk(dir.path, [dir.join("d")]);
  const ok = { kind: "file", path: "d/ok" };
  if (RUNTIME === "deno") {
    assert.equal(items.length, 2);
    const err = items.find((i) => i.kind === "error");
    assert.ok(err !== undefined && err.kind === "error");
    assert.match(err.reason, /not valid UTF-8/);
    assert.deepEqual(items.find((i) => i.kind === "file"), ok);
  } else {
    assert.deepEqual(items, [{ kind: "file", path: "d/caf\xe9.txt" }, ok]);
  }
});

test("walkTargets() keeps a name with a real U+FFFD (valid UTF-8) on every runtime", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "d/caf\ufffd.txt", content: "x" },
    { kind: "file", path: "d/ok", content: "" },
  ]);
  const items = walk(dir.path, [dir.join("d")]);
  assert.deepEqual(items, [
    { kind: "file", path: fromText("d/caf\ufffd.txt") },
    { kind: "file", path: "d/ok" },
  ]);
});

test("walkTargets() on Deno reports both names when a non-UTF-8 one decodes to a real one's text", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "rawname", dirPath: "d", hexName: "636166e9", content: "x" }, // caf\xe9
    { kind: "file", path: "d/caf\ufffd", content: "y" },
  ]);
  const items = walk(dir.path, [dir.join("d")]);
  if (RUNTIME === "deno") {
    assert.equal(items.length, 2);
    assert.ok(items.every((i) => i.kind === "error" && /not valid UTF-8/.test(i.reason)));
  } else {
    assert.deepEqual(items.map((i) => i.kind), ["file", "file"]);
  }
});

test("walkTargets() does not enter a directory holding an --exclude-if-present name", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "keep/a", content: "" },
    { kind: "file", path: "cache/CACHEDIR.TAG", content: "" },
    { kind: "file", path: "cache/blob", content: "" },
    { kind: "file", path: "cache/sub/deep", content: "" },
  ]);
  const opts = { ...NONE, ifPresent: new Set(["CACHEDIR.TAG"]) };
  assert.deepEqual(walk(dir.path, [dir.path], opts).map((i) => i.path), ["keep/a"]);
  // Without the option the same tree yields every file.
  assert.equal(walk(dir.path, [dir.path]).length, 4);
});

test("walkTargets() yields empty for a directory PATH with no target, not for one with targets", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "dir", path: "hollow/inner" },
    { kind: "file", path: "full/x.log", content: "" },
    { kind: "file", path: "other/y", content: "" },
  ]);
  const opts = { ...NONE, exclude: new Excludes(["*.log"]) };
  const items = [...walkTargets([dir.join("hollow"), dir.join("full"), dir.join("other")], opts)];
  assert.deepEqual(items, [
    { kind: "empty", path: dir.join("hollow") },
    { kind: "empty", path: dir.join("full") },
    { kind: "file", path: dir.join("other/y") },
  ]);
});

test("walkTargets() with oneFileSystem lists a mount point but does not enter it", {
  skip: canMount() ? false : "cannot mount a tmpfs here (needs root)",
}, async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "" }, { kind: "dir", path: "mnt" }]);
  assert.equal(spawnSync("mount", ["-t", "tmpfs", "none", dir.join("mnt")]).status, 0);
  try {
    fs.writeFileSync(dir.join("mnt/inside"), "");
    assert.deepEqual(walk(dir.path, [dir.path], { ...NONE, oneFileSystem: true }), [
      { kind: "file", path: "a" },
    ]);
    assert.deepEqual(walk(dir.path, [dir.path], NONE).map((i) => i.path), ["a", "mnt/inside"]);
    // A PATH given on the other device is walked.
    const given = walk(dir.path, [dir.join("mnt")], { ...NONE, oneFileSystem: true });
    assert.deepEqual(given.map((i) => i.path), ["mnt/inside"]);
  } finally {
    spawnSync("umount", [dir.join("mnt")]);
  }
});
