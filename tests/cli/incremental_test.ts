/**
 * Incremental runs end to end (issue #10): a target unchanged since its newest complete
 * entry gets no entry; every kind of change is caught with its reason; deletions below a
 * directory get tombstones; a run restores as a whole; `--full` writes every entry.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { posix } from "node:path";
import { IS_ROOT, jsonLines, makeTree, tempDir } from "../_helpers/helpers.ts";
import { cli, settle, snapRun } from "../_helpers/entry_fixture.ts";
import { picture } from "../_helpers/restore_fixture.ts";

type Ev = Record<string, unknown>;

const run = snapRun;

/** Sets `to`'s atime and mtime to `from`'s, to the nanosecond (Node's utimes rounds). */
function keepTimes(from: string, to: string): void {
  if (!fs.existsSync(to)) fs.writeFileSync(to, "");
  const r = spawnSync("touch", ["-r", from, to]);
  assert.equal(r.status, 0, String(r.stderr));
}

const byPath = (events: Ev[], event: string): Record<string, Ev> =>
  Object.fromEntries(events.filter((e) => e.event === event).map((e) => [String(e.path), e]));

/** Every file name below `dir` (entries and records of the store included). */
function allNames(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

test("snapshot: an unchanged second run writes no entry and reports every target unchanged", async () => {
  await using dir = tempDir();
  const t = dir.join("t");
  makeTree(t, [
    { kind: "file", path: "a", content: "one" },
    { kind: "file", path: "d/b", content: "two", mode: 0o750 },
    { kind: "symlink", path: "d/l", target: "../a" },
  ]);
  await settle();
  const store = dir.join("store");
  const first = await run(dir.path, [t, "--store", store]);
  assert.equal(first.sum.saved, 3);
  const before = allNames(store);
  const second = await run(dir.path, [t, "--store", store]);
  assert.equal(second.sum.saved, 0);
  assert.equal(second.sum.unchanged, 3);
  assert.equal(second.sum.targets, 3);
  const unchanged = byPath(second.events, "unchanged");
  assert.deepEqual(Object.keys(unchanged).sort(), [`${t}/a`, `${t}/d/b`, `${t}/d/l`]);
  for (const e of Object.values(unchanged)) assert.equal(e.ts, first.sum.run);
  // Only the second run's record is new: no payload, no sidecar.
  const added = allNames(store).filter((n) => !before.includes(n));
  assert.deepEqual(added.map((n) => posix.basename(n)), [
    `.snapyard-run.snapyard.${second.sum.run}.json`,
  ]);
});

test("snapshot: touch, chmod, same-size rewrite with mtime set back, retarget, kind swap and delete are each caught", async () => {
  await using dir = tempDir();
  const t = dir.join("t");
  makeTree(t, [
    { kind: "file", path: "touched", content: "x" },
    { kind: "file", path: "chmodded", content: "x" },
    { kind: "file", path: "rewritten", content: "abc" },
    { kind: "file", path: "grown", content: "abc" },
    { kind: "file", path: "to-link", content: "x" },
    { kind: "symlink", path: "link", target: "a" },
    { kind: "symlink", path: "link-to-file", target: "a" },
    { kind: "file", path: "deleted", content: "x" },
    { kind: "file", path: "kept", content: "x" },
  ]);
  await settle();
  await run(dir.path, [t]);
  const old = new Date(Date.now() - 3_600_000);
  fs.utimesSync(posix.join(t, "touched"), new Date(), new Date(Date.now() + 5_000));
  fs.chmodSync(posix.join(t, "chmodded"), 0o600);
  const times = dir.join("times");
  keepTimes(posix.join(t, "rewritten"), times);
  fs.writeFileSync(posix.join(t, "rewritten"), "xyz");
  keepTimes(times, posix.join(t, "rewritten"));
  fs.appendFileSync(posix.join(t, "grown"), "d");
  fs.rmSync(posix.join(t, "to-link"));
  fs.symlinkSync("elsewhere", posix.join(t, "to-link"));
  fs.rmSync(posix.join(t, "link"));
  fs.symlinkSync("b", posix.join(t, "link"));
  fs.rmSync(posix.join(t, "link-to-file"));
  fs.writeFileSync(posix.join(t, "link-to-file"), "now a file");
  fs.utimesSync(posix.join(t, "link-to-file"), old, old);
  fs.rmSync(posix.join(t, "deleted"));
  const second = await run(dir.path, [t]);
  const saved = byPath(second.events, "saved");
  const why = Object.fromEntries(
    Object.entries(saved).map(([p, e]) => [posix.basename(p), e.change]),
  );
  assert.deepEqual(why, {
    touched: "mtime",
    chmodded: "mode",
    rewritten: "ctime",
    grown: "size",
    "to-link": "kind",
    link: "link",
    "link-to-file": "kind",
    deleted: "kind",
  });
  assert.equal(saved[`${t}/deleted`]!.kind, "none");
  assert.deepEqual(Object.keys(byPath(second.events, "unchanged")), [`${t}/kept`]);
  assert.equal(second.sum.deleted, 1);
});

test("snapshot: ownership changes are caught (root only)", { skip: !IS_ROOT }, async () => {
  await using dir = tempDir();
  const t = dir.join("t");
  makeTree(t, [{ kind: "file", path: "f", content: "x" }]);
  await settle();
  await run(dir.path, [t]);
  fs.chownSync(posix.join(t, "f"), 4242, 4242);
  const second = await run(dir.path, [t]);
  assert.equal(byPath(second.events, "saved")[`${t}/f`]?.change, "owner");
});

test("snapshot: a broken newest entry (payload deleted, sidecar corrupt) is not reused", async () => {
  await using dir = tempDir();
  const t = dir.join("t");
  makeTree(t, [
    { kind: "file", path: "p", content: "payload goes" },
    { kind: "file", path: "s", content: "sidecar breaks" },
    { kind: "file", path: "ok", content: "fine" },
  ]);
  await settle();
  const first = await run(dir.path, [t]);
  fs.rmSync(posix.join(t, `.p.snapyard.${first.sum.run}.bak`));
  fs.writeFileSync(posix.join(t, `.s.snapyard.${first.sum.run}.bak.meta.json`), "{");
  const second = await run(dir.path, [t]);
  const saved = byPath(second.events, "saved");
  assert.equal(saved[`${t}/p`]?.change, "broken-entry");
  assert.equal(saved[`${t}/s`]?.change, "broken-entry");
  assert.deepEqual(Object.keys(byPath(second.events, "unchanged")), [`${t}/ok`]);
});

test("snapshot --full writes an entry for every target, changed or not", async () => {
  await using dir = tempDir();
  const t = dir.join("t");
  makeTree(t, [
    { kind: "file", path: "a", content: "a" },
    { kind: "symlink", path: "l", target: "a" },
  ]);
  await settle();
  await run(dir.path, [t]);
  const full = await run(dir.path, [t, "--full"]);
  assert.equal(full.sum.saved, 2);
  assert.equal(full.sum.unchanged, 0);
  for (const e of Object.values(byPath(full.events, "saved"))) assert.equal(e.change, "full");
});

test("snapshot --ignore-inode keeps unchanged files unchanged and still catches a replaced file", async () => {
  await using dir = tempDir();
  const t = dir.join("t");
  makeTree(t, [
    { kind: "file", path: "f", content: "same" },
    { kind: "file", path: "g", content: "kept" },
  ]);
  await settle();
  await run(dir.path, [t, "--ignore-inode"]);
  // Replaced by an identical copy with the same times: a new inode (or a reused one), and
  // a new ctime, which no user can set back: changed with or without --ignore-inode.
  const f = posix.join(t, "f");
  const times = dir.join("times");
  keepTimes(f, times);
  fs.writeFileSync(dir.join("copy"), "same");
  fs.renameSync(dir.join("copy"), f);
  keepTimes(times, f);
  const second = await run(dir.path, [t, "--ignore-inode"]);
  assert.equal(byPath(second.events, "saved")[f]?.change, "ctime");
  assert.deepEqual(Object.keys(byPath(second.events, "unchanged")), [posix.join(t, "g")]);
});

test("restore DIR --at each of three incremental runs gives exactly that run's tree, deletions included", async () => {
  await using dir = tempDir();
  const t = dir.join("t");
  const store = dir.join("store");
  makeTree(t, [
    { kind: "file", path: "a", content: "a1" },
    { kind: "file", path: "b", content: "b1" },
    { kind: "symlink", path: "l", target: "a" },
  ]);
  await settle();
  const runs: { ts: number; tree: Record<string, string> }[] = [];
  const take = async () => {
    const { sum } = await run(dir.path, [t, "--store", store]);
    runs.push({ ts: sum.run as number, tree: picture(t) });
  };
  await take();
  fs.writeFileSync(posix.join(t, "a"), "a2 longer");
  fs.rmSync(posix.join(t, "b"));
  await take();
  fs.writeFileSync(posix.join(t, "b"), "b3");
  fs.rmSync(posix.join(t, "l"));
  fs.symlinkSync("b", posix.join(t, "l"));
  await take();
  for (const k of [0, 1, 2, 1, 0]) {
    const r = await cli(dir.path, ["restore", t, "--store", store, "--at", String(runs[k]!.ts)]);
    assert.equal(r.code, 0, `run ${k}: ${r.stderr}`);
    assert.deepEqual(picture(t), runs[k]!.tree, `tree at run ${k}`);
  }
});

test("restore DIR --at an older run leaves a file created later alone (exit 0), and --delete removes it", async () => {
  await using dir = tempDir();
  const t = dir.join("t");
  const store = dir.join("store");
  makeTree(t, [{ kind: "file", path: "old", content: "old" }]);
  await settle();
  const first = await run(dir.path, [t, "--store", store]);
  fs.writeFileSync(posix.join(t, "new"), "created later");
  fs.writeFileSync(posix.join(t, "old"), "changed");
  await run(dir.path, [t, "--store", store]);
  const at = String(first.sum.run);
  const kept = await cli(dir.path, ["restore", t, "--store", store, "--at", at]);
  assert.equal(kept.code, 0, kept.stderr);
  assert.match(
    kept.stdout,
    /left alone ".*\/t\/new" \(created after run \d+; --delete removes it\)/,
  );
  assert.match(kept.stdout, /1 left alone/);
  assert.equal(fs.readFileSync(posix.join(t, "old"), "utf8"), "old");
  assert.equal(fs.readFileSync(posix.join(t, "new"), "utf8"), "created later");
  const deleted = await cli(dir.path, ["restore", t, "--store", store, "--at", at, "--delete"]);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.match(deleted.stdout, /removed ".*\/t\/new"/);
  assert.deepEqual(fs.readdirSync(t), ["old"]);
});

test("restore DIR --at TS still fails (60) for a target whose version at TS was deleted by hand", async () => {
  await using dir = tempDir();
  const t = dir.join("t");
  const store = dir.join("store");
  makeTree(t, [{ kind: "file", path: "f", content: "v1" }]);
  await settle();
  const first = await run(dir.path, [t, "--store", store]);
  fs.writeFileSync(posix.join(t, "f"), "v2 longer");
  await run(dir.path, [t, "--store", store]);
  const image = posix.join(store, t);
  for (const n of fs.readdirSync(image)) {
    if (n.includes(`.${first.sum.run}.bak`)) fs.rmSync(posix.join(image, n));
  }
  const r = await cli(dir.path, ["restore", t, "--store", store, "--at", String(first.sum.run)]);
  assert.equal(r.code, 60, r.stdout + r.stderr);
  assert.equal(fs.readFileSync(posix.join(t, "f"), "utf8"), "v2 longer");
});

test("run rolls back a file that was unchanged since an older run (no entry from the run itself)", async () => {
  await using dir = tempDir();
  const t = dir.join("t");
  makeTree(t, [
    { kind: "file", path: "stable", content: "stable" },
    { kind: "file", path: "moving", content: "m1" },
  ]);
  await settle();
  await run(dir.path, [t]);
  fs.writeFileSync(posix.join(t, "moving"), "m2 longer");
  const r = await cli(dir.path, [
    "run",
    "--json",
    "--no-fsync",
    "--target",
    t,
    "--",
    "sh",
    "-c",
    `echo broken > '${t}/stable'; echo broken > '${t}/moving'; exit 3`,
  ]);
  assert.equal(r.code, 80, r.stderr + r.stdout);
  assert.equal(fs.readFileSync(posix.join(t, "stable"), "utf8"), "stable");
  assert.equal(fs.readFileSync(posix.join(t, "moving"), "utf8"), "m2 longer");
  const snapEvents = jsonLines(r.stdout).filter((e) => e.event === "unchanged");
  assert.ok(snapEvents.some((e) => e.path === `${t}/stable`), "stable had no entry from the run");
});
