/**
 * How a snapshot reports PATHs that give it nothing to save, and a directory it cannot
 * write (issue #11, defects 2 and 7): an absent PATH is recorded and said loudly, a
 * directory PATH that yields no target is a warning (exit 0 for both), and an entry
 * directory that refuses the payload is named in the error.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { test } from "node:test";
import { IS_ROOT, jsonLines, makeTree, runCli, tempDir } from "../_helpers/helpers.ts";

test("snapshot of an absent PATH records it and warns loudly in text and --json, exit 0", async () => {
  await using dir = tempDir();
  const typo = dir.join("etc/app.cnof");
  const store = ["--store", dir.join("store")];
  const r = await runCli(["snapshot", ...store, typo]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stderr,
    `snapyard: Absent: "${typo}" (no such file or directory; recorded as absent)\n`,
  );
  assert.match(r.stdout, /1 saved \(0 files, 0 symlinks, 1 absent/);
  // Already recorded as absent: unchanged now, and still said.
  const again = await runCli(["snapshot", "--json", ...store, typo]);
  assert.equal(again.code, 0, again.stderr);
  const events = jsonLines(again.stdout);
  assert.deepEqual(events.filter((e) => e.event === "warning"), [{
    event: "warning",
    command: "snapshot",
    what: "path_absent",
    reason: "no such file or directory; recorded as absent",
    path: typo,
  }]);
  assert.equal(events.at(-1)?.unchanged, 1);
});

test("snapshot of an empty directory PATH, or one whose every target is excluded, warns", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "dir", path: "mnt/empty" },
    { kind: "file", path: "logs/a.log" },
    { kind: "file", path: "full/b" },
  ]);
  const r = await runCli([
    "snapshot",
    "--json",
    "--store",
    dir.join("store"),
    dir.join("mnt"),
    dir.join("logs"),
    dir.join("full"),
    "--exclude",
    "*.log",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const detail = "no file or symlink below it (empty, or all of it excluded)";
  assert.deepEqual(
    jsonLines(r.stdout).filter((e) => e.event === "warning"),
    [dir.join("mnt"), dir.join("logs")].map((path) => ({
      event: "warning",
      command: "snapshot",
      what: "path_empty",
      reason: detail,
      path,
      detail,
    })),
  );
  const text = await runCli(["snapshot", "--store", dir.join("store"), dir.join("mnt")]);
  assert.equal(text.code, 0, text.stderr);
  assert.equal(text.stderr, `snapyard: Nothing to snapshot in "${dir.join("mnt")}": ${detail}\n`);
});

/**
 * Makes `dir` refuse new entries and returns how to undo it: root passes mode bits, so
 * as root the directory is made immutable (chattr +i: EPERM), otherwise read-only (EACCES).
 * Undefined when neither is possible here.
 */
function lockDir(dir: string): (() => void) | undefined {
  if (!IS_ROOT) {
    fs.chmodSync(dir, 0o555);
    return () => fs.chmodSync(dir, 0o755);
  }
  if (spawnSync("chattr", ["+i", dir]).status !== 0) return undefined;
  return () => spawnSync("chattr", ["-i", dir]);
}

/** Whether `lockDir` works here (chattr +i needs root and a filesystem that has it). */
function canLockDir(): boolean {
  const probe = fs.mkdtempSync("/tmp/snapyard-lock-probe-");
  try {
    const unlock = lockDir(probe);
    unlock?.();
    return unlock !== undefined;
  } finally {
    fs.rmdirSync(probe);
  }
}

test("snapshot of a readable file in a directory it cannot write names the directory", {
  skip: canLockDir() ? false : "chattr +i is not available here (running as root)",
}, async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "d/f", content: "data" },
    { kind: "symlink", path: "d/l", target: "f" },
  ]);
  const unlock = lockDir(dir.join("d"))!;
  try {
    const r = await runCli(["snapshot", "--lock", dir.join("lk"), dir.join("d")]);
    assert.equal(r.code, 3, r.stderr);
    const why = `cannot write directory "${dir.join("d")}": ` +
      (IS_ROOT ? "operation not permitted \\(EPERM\\)" : "permission denied \\(EACCES\\)");
    const lines = r.stderr.trimEnd().split("\n").sort();
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0]!, new RegExp(`^snapyard: Cannot snapshot "${dir.join("d/f")}": ${why}$`));
    assert.match(lines[1]!, new RegExp(`^snapyard: Cannot snapshot "${dir.join("d/l")}": ${why}$`));
  } finally {
    unlock();
  }
});
