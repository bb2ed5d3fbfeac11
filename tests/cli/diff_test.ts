/**
 * `snapyard diff` end to end (issue #11): added, removed and changed targets between a run
 * and the live tree or between two runs, as restic's diff prints them and as `--json`
 * events; unchanged targets only counted; exit 0 with differences, 60 for an `--at` with no
 * entry, 2 for a third `--at`.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { jsonLines, makeTree, tempDir } from "../_helpers/helpers.ts";
import { cli, settle, snap } from "../_helpers/entry_fixture.ts";

/** A small /etc: two files, a symlink, a file in a subdirectory. */
function makeEtc(root: string): void {
  makeTree(root, [
    { kind: "file", path: "etc/app.conf", content: "port=80\n", mode: 0o644 },
    { kind: "file", path: "etc/gone", content: "old\n" },
    { kind: "symlink", path: "etc/current", target: "app.conf" },
    { kind: "file", path: "etc/sub/keep", content: "same\n", mode: 0o644 },
    { kind: "file", path: "etc/sub/mode", content: "m\n", mode: 0o644 },
  ]);
}

/** Changes the tree: content, removal, addition, mode, link text. */
function changeEtc(etc: string): void {
  fs.writeFileSync(`${etc}/app.conf`, "port=8080\n");
  fs.rmSync(`${etc}/gone`);
  fs.writeFileSync(`${etc}/new`, "n\n");
  fs.chmodSync(`${etc}/sub/mode`, 0o600);
  fs.rmSync(`${etc}/current`);
  fs.symlinkSync("new", `${etc}/current`);
}

const EXPECTED = (etc: string) => [
  `M ${etc}/app.conf (content)`,
  `M ${etc}/current (link)`,
  `- ${etc}/gone`,
  `+ ${etc}/new`,
  `M ${etc}/sub/mode (mode)`,
];

test("diff without --at prints +, - and M lines for the live tree against the newest run, exit 0", async () => {
  await using dir = tempDir();
  makeEtc(dir.path);
  const etc = dir.join("etc");
  await snap(dir.path, [etc, "--store", dir.join("store")]);
  changeEtc(etc);
  const r = await cli(dir.path, ["diff", etc, "--store", dir.join("store")]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.deepEqual(lines.slice(0, -1), EXPECTED(etc));
  assert.equal(lines.at(-1), "diff latest..live: 1 added, 1 removed, 3 changed, 1 unchanged");
  assert.equal(r.stderr, "");
});

test("diff --json emits one change event per difference with before, after and what, then counts", async () => {
  await using dir = tempDir();
  makeEtc(dir.path);
  const etc = dir.join("etc");
  await snap(dir.path, [etc]);
  changeEtc(etc);
  const r = await cli(dir.path, ["diff", "--json", etc]);
  assert.equal(r.code, 0, r.stderr);
  const events = jsonLines(r.stdout);
  const change = (
    path: string,
    change: string,
    before: unknown,
    after: unknown,
    what: string[],
  ) => ({
    event: "change",
    command: "diff",
    path: `${etc}/${path}`,
    change,
    before,
    after,
    what,
  });
  assert.deepEqual(events.slice(0, -1), [
    change("app.conf", "changed", "file", "file", ["content"]),
    change("current", "changed", "symlink", "symlink", ["link"]),
    change("gone", "removed", "file", null, []),
    change("new", "added", null, "file", []),
    change("sub/mode", "changed", "file", "file", ["mode"]),
  ]);
  assert.deepEqual(events.at(-1), {
    event: "summary",
    command: "diff",
    from: "latest",
    to: "live",
    targets: 6,
    added: 1,
    removed: 1,
    changed: 3,
    unchanged: 1,
    errors: 0,
    schema: 1,
  });
});

test("diff --at TS1 --at TS2 compares two runs and ignores later changes to the live tree", async () => {
  await using dir = tempDir();
  makeEtc(dir.path);
  const etc = dir.join("etc");
  const store = dir.join("store");
  const ts1 = await snap(dir.path, [etc, "--store", store]);
  changeEtc(etc);
  const ts2 = await snap(dir.path, [etc, "--store", store]);
  fs.writeFileSync(`${etc}/later`, "x\n");
  fs.writeFileSync(`${etc}/sub/keep`, "edited\n");
  const r = await cli(dir.path, [
    "diff",
    etc,
    "--store",
    store,
    "--at",
    `${ts1}`,
    "--at",
    `${ts2}`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.deepEqual(lines.slice(0, -1), EXPECTED(etc));
  assert.match(lines.at(-1)!, new RegExp(`^diff run ${ts1}\\.\\.run ${ts2}: 1 added, 1 removed`));
  // The other way round, added and removed swap.
  const back = await cli(dir.path, [
    "diff",
    etc,
    "--store",
    store,
    "--at",
    `${ts2}`,
    "--at",
    `${ts1}`,
  ]);
  assert.ok(back.stdout.includes(`+ ${etc}/gone\n`) && back.stdout.includes(`- ${etc}/new\n`));
});

test("diff --at TS compares that run with the live tree", async () => {
  await using dir = tempDir();
  makeEtc(dir.path);
  const etc = dir.join("etc");
  const ts1 = await snap(dir.path, [etc]);
  changeEtc(etc);
  await snap(dir.path, [etc]);
  fs.writeFileSync(`${etc}/app.conf`, "port=80\n");
  // app.conf is back to run ts1's bytes: no line for it against ts1, one against latest.
  const r = await cli(dir.path, ["diff", etc, "--at", `${ts1}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stdout.includes("app.conf"), r.stdout);
  assert.ok(r.stdout.includes(`- ${etc}/gone\n`), r.stdout);
  const latest = await cli(dir.path, ["diff", etc]);
  assert.ok(latest.stdout.includes(`M ${etc}/app.conf (content)\n`), latest.stdout);
});

test("diff finds a same-size edit whose mtime was put back by its hash", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "t/f", content: "aaaa" }]);
  const f = dir.join("t", "f");
  const before = fs.statSync(f);
  await settle();
  await snap(dir.path, [dir.join("t")]);
  fs.writeFileSync(f, "bbbb");
  fs.utimesSync(f, before.atime, before.mtime);
  const r = await cli(dir.path, ["diff", dir.join("t")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split("\n")[0], `M ${f} (content)`);
});

test("diff of an unchanged tree prints only the summary line", async () => {
  await using dir = tempDir();
  makeEtc(dir.path);
  const etc = dir.join("etc");
  await settle();
  await snap(dir.path, [etc]);
  const r = await cli(dir.path, ["diff", etc]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "diff latest..live: 0 added, 0 removed, 0 changed, 5 unchanged\n");
});

test("diff --exclude leaves matching targets out on both sides", async () => {
  await using dir = tempDir();
  makeEtc(dir.path);
  const etc = dir.join("etc");
  await snap(dir.path, [etc]);
  changeEtc(etc);
  const r = await cli(dir.path, ["diff", etc, "--exclude", "sub", "--exclude", "gone"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trimEnd().split("\n").slice(0, -1), [
    `M ${etc}/app.conf (content)`,
    `M ${etc}/current (link)`,
    `+ ${etc}/new`,
  ]);
});

test("diff --at TS with no entry at or before TS exits 60 naming the PATH and where it looked", async () => {
  await using dir = tempDir();
  makeEtc(dir.path);
  const etc = dir.join("etc");
  const ts = await snap(dir.path, [etc]);
  const r = await cli(dir.path, ["diff", etc, "--at", `${ts - 1000}`]);
  assert.equal(r.code, 60, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `Cannot diff "${etc}": no entry of tag "snapyard" at or before ${ts - 1000}, ` +
        `and no run covered it at or before ${ts - 1000} ` +
        `\\(looked in "${dir.path}" and below "${etc}"\\)`,
    ),
  );
  const none = await cli(dir.path, ["diff", dir.join("nothing-here")]);
  assert.equal(none.code, 60, none.stderr);
});

test("diff takes at most two --at and restore at most one (exit 2)", async () => {
  await using dir = tempDir();
  const three = await cli(dir.path, ["diff", dir.path, "--at", "1", "--at", "2", "--at", "3"]);
  assert.equal(three.code, 2);
  assert.match(three.stderr, /"diff" takes at most two --at/);
  const two = await cli(dir.path, ["restore", dir.path, "--at", "1", "--at", "2"]);
  assert.equal(two.code, 2);
  assert.match(two.stderr, /"restore" takes at most one --at/);
  const help = await cli(dir.path, ["diff", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^snapyard diff PATH\.\.\. \[--at TS1\] \[--at TS2\]/);
});
