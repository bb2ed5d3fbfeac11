/**
 * What a snapshot leaves out (docs/cli.md, Selection): `--exclude` globs through picomatch
 * (checked while parsing: exit 2 before any lock or store), their anchoring, braces and
 * escapes, the warning for a glob that matched nothing, `--exclude-file`,
 * `--exclude-if-present`, `-x`, and no tombstone for a target an exclude left out.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { test } from "node:test";
import { canMount, jsonLines, makeTree, runCli, tempDir } from "../_helpers/helpers.ts";

/** The paths of the `saved` events of a `--json` run, sorted. */
function savedPaths(stdout: string): string[] {
  return jsonLines(stdout).filter((e) => e.event === "saved").map((e) => e.path as string).sort();
}

/** The `warning` events of a `--json` run. */
function warnings(stdout: string): Record<string, unknown>[] {
  return jsonLines(stdout).filter((e) => e.event === "warning");
}

test("snapshot --exclude '[z-a]' exits 2 naming the pattern, before the lock and the store", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "d/a", content: "a" }]);
  const args = ["--lock", dir.join("lk"), "--store", dir.join("store"), "--exclude", "[z-a]"];
  const r = await runCli(["snapshot", dir.join("d"), ...args]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^snapyard: Invalid --exclude "\[z-a\]": not a valid glob: .+\n$/);
  assert.doesNotMatch(r.stderr, /\n\s+at /); // no stack
  assert.deepEqual(fs.readdirSync(dir.path), ["d"]);
  const json = await runCli(["snapshot", "--json", dir.join("d"), ...args, "--exclude", "a{"]);
  assert.equal(json.code, 2);
  assert.equal(jsonLines(json.stdout).at(-1)?.code, "USAGE");
});

test("snapshot --exclude expands braces, honours \\* and anchors a leading / at the filesystem root", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "d/a.tmp" },
    { kind: "file", path: "d/b.log" },
    { kind: "file", path: "d/c.txt" },
    { kind: "file", path: "d/*" },
    { kind: "file", path: "d/star" },
    { kind: "file", path: "d/var/log/x" },
    { kind: "file", path: "d/keep/var/log/y" },
  ]);
  const r = await runCli([
    "snapshot",
    "--json",
    "--store",
    dir.join("store"),
    dir.join("d"),
    "--exclude",
    "*.{tmp,log}",
    "--exclude",
    "\\*",
    "--exclude",
    dir.join("d/var/log"),
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(savedPaths(r.stdout), [
    dir.join("d/c.txt"),
    dir.join("d/keep/var/log/y"),
    dir.join("d/star"),
  ]);
  assert.deepEqual(warnings(r.stdout), []);
});

test("snapshot warns once for each exclude that matched nothing; /var/log is absolute, not below PATH", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "d/var/log/x" }, { kind: "file", path: "d/a.log" }]);
  const args = ["--store", dir.join("store"), dir.join("d"), "--exclude", "*.log"];
  const r = await runCli(["snapshot", "--json", ...args, "--exclude", "/var/log"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(savedPaths(r.stdout), [dir.join("d/var/log/x")]);
  assert.deepEqual(warnings(r.stdout), [{
    event: "warning",
    command: "snapshot",
    what: "exclude_unmatched",
    reason: "matched nothing",
    pattern: "/var/log",
  }]);
  const text = await runCli(["snapshot", ...args, "--exclude", "nothing-*"]);
  assert.equal(text.code, 0, text.stderr);
  assert.equal(text.stderr, `snapyard: Exclude pattern "nothing-*" matched nothing\n`);
});

test("snapshot --exclude-file reads one pattern a line, skips # comments; an unreadable one exits 2", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "d/a.tmp" },
    { kind: "file", path: "d/cache/x" },
    { kind: "file", path: "d/#kept" },
    { kind: "file", path: "d/b.txt" },
    { kind: "file", path: "ex", content: "# temp files\n*.tmp\n\n  cache/  \n" },
  ]);
  const store = ["--store", dir.join("store")];
  const r = await runCli([
    "snapshot",
    "--json",
    ...store,
    dir.join("d"),
    "--exclude-file",
    dir.join("ex"),
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(savedPaths(r.stdout), [dir.join("d/#kept"), dir.join("d/b.txt")]);
  const missing = await runCli([
    "snapshot",
    ...store,
    dir.join("d"),
    "--exclude-file",
    dir.join("no"),
  ]);
  assert.equal(missing.code, 2);
  assert.match(
    missing.stderr,
    new RegExp(`Cannot read --exclude-file "${dir.join("no")}": no such`),
  );
  fs.writeFileSync(dir.join("bad"), "ok\n[z-a]\n");
  const bad = await runCli([
    "snapshot",
    ...store,
    dir.join("d"),
    "--exclude-file",
    dir.join("bad"),
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Invalid pattern "\[z-a\]" in --exclude-file ".*bad": not a valid glob/);
});

test("snapshot --exclude-if-present leaves out each directory holding NAME, NAME too", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "d/a" },
    { kind: "file", path: "d/cache/CACHEDIR.TAG" },
    { kind: "file", path: "d/cache/blob" },
    { kind: "file", path: "d/cache/sub/deep" },
  ]);
  const r = await runCli([
    "snapshot",
    "--json",
    "--store",
    dir.join("store"),
    dir.join("d"),
    "--exclude-if-present",
    "CACHEDIR.TAG",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(savedPaths(r.stdout), [dir.join("d/a")]);
  const bad = await runCli(["snapshot", dir.join("d"), "--exclude-if-present", "a/b"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Invalid --exclude-if-present "a\/b": expected a file name without \//);
});

test("snapshot of a target an exclude leaves out writes no tombstone when it is gone", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "d/a.log" },
    { kind: "file", path: "d/keep" },
    { kind: "file", path: "d/cache/x" },
    { kind: "file", path: "d/tagged/y" },
  ]);
  const base = ["snapshot", "--json", "--store", dir.join("store"), dir.join("d")];
  assert.equal((await runCli(base)).code, 0);
  fs.rmSync(dir.join("d/a.log"));
  fs.rmSync(dir.join("d/cache"), { recursive: true });
  fs.rmSync(dir.join("d/tagged/y"));
  fs.writeFileSync(dir.join("d/tagged/.nobackup"), "");
  const selectors = [
    "--exclude",
    "*.log",
    "--exclude",
    "cache",
    "--exclude-if-present",
    ".nobackup",
  ];
  const excluded = await runCli([...base, ...selectors]);
  assert.equal(excluded.code, 0, excluded.stderr);
  assert.equal(jsonLines(excluded.stdout).at(-1)?.deleted, 0, excluded.stdout);
  // Without the selectors the same run sees the three as deleted.
  const plain = await runCli(base);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(jsonLines(plain.stdout).at(-1)?.deleted, 3, plain.stdout);
});

test("run --exclude and --exclude-if-present leave their targets out of its snapshot", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "d/a.log" },
    { kind: "file", path: "d/b" },
    { kind: "file", path: "d/tmp/.nobackup" },
    { kind: "file", path: "d/tmp/c" },
  ]);
  const r = await runCli([
    "run",
    "--json",
    "--store",
    dir.join("store"),
    "--target",
    dir.join("d"),
    "--exclude",
    "*.log",
    "--exclude-if-present",
    ".nobackup",
    "--",
    "true",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(savedPaths(r.stdout), [dir.join("d/b")]);
});

test("snapshot -x does not walk a mount below PATH; without -x it does", {
  skip: canMount() ? false : "cannot mount a tmpfs here (needs root)",
}, async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "d/a" }, { kind: "dir", path: "d/mnt" }]);
  assert.equal(spawnSync("mount", ["-t", "tmpfs", "none", dir.join("d/mnt")]).status, 0);
  try {
    fs.writeFileSync(dir.join("d/mnt/inside"), "");
    const base = ["snapshot", "--json", "--store", dir.join("store"), dir.join("d")];
    const x = await runCli([...base, "-x"]);
    assert.equal(x.code, 0, x.stderr);
    assert.deepEqual(savedPaths(x.stdout), [dir.join("d/a")]);
    const long = await runCli([...base, "--one-file-system", "--full"]);
    assert.deepEqual(savedPaths(long.stdout), [dir.join("d/a")]);
    const all = await runCli(base);
    assert.deepEqual(savedPaths(all.stdout), [dir.join("d/mnt/inside")]);
  } finally {
    spawnSync("umount", [dir.join("d/mnt")]);
  }
});
