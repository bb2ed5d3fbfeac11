/**
 * A run that saved an empty tree (a directory PATH with nothing below it to save: a run
 * record and no entry), end to end, beside the targets and in a `--store`: `restore --at`
 * that run succeeds (later files left alone, `--delete` removes those with entries),
 * `diff --at` it lists later files as added, `run`'s rollback of such a target succeeds,
 * `verify` of it finds nothing to check (a warning, exit 0);
 * a PATH no run covered and without entries stays exit 60, naming where it looked.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { posix } from "node:path";
import { jsonLines, runCli, tempDir } from "../_helpers/helpers.ts";
import { cli, snapRun } from "../_helpers/entry_fixture.ts";

const LAYOUTS = [
  { name: "beside", store: (_dir: string): string[] => [] },
  { name: "--store", store: (dir: string): string[] => ["--store", posix.join(dir, "store")] },
];

/** An empty directory `d` snapshotted (TS1), then files `a` and `sub/b` created in it. */
async function emptyRun(dir: string, store: readonly string[]) {
  const d = posix.join(dir, "d");
  fs.mkdirSync(d);
  const first = await snapRun(dir, [d, ...store]);
  assert.equal(first.sum.targets, 0);
  fs.mkdirSync(posix.join(d, "sub"));
  fs.writeFileSync(posix.join(d, "a"), "a");
  fs.writeFileSync(posix.join(d, "sub", "b"), "b");
  return { d, ts1: String(first.sum.run) };
}

for (const layout of LAYOUTS) {
  test(`restore DIR --at a run that saved an empty tree exits 0, leaves later files alone, --delete removes them (${layout.name})`, async () => {
    await using dir = tempDir();
    const store = layout.store(dir.path);
    const { d, ts1 } = await emptyRun(dir.path, store);
    await snapRun(dir.path, [d, ...store]);
    const kept = await cli(dir.path, ["restore", "--json", d, ...store, "--at", ts1]);
    assert.equal(kept.code, 0, kept.stdout + kept.stderr);
    const left = jsonLines(kept.stdout).filter((e) => e.event === "left_alone").map((e) => e.path);
    assert.deepEqual(left.sort(), [`${d}/a`, `${d}/sub/b`]);
    assert.equal(fs.readFileSync(posix.join(d, "a"), "utf8"), "a");
    const gone = await cli(dir.path, ["restore", d, ...store, "--at", ts1, "--delete"]);
    assert.equal(gone.code, 0, gone.stdout + gone.stderr);
    assert.deepEqual(fs.readdirSync(d).filter((n) => !n.startsWith(".")), ["sub"]);
    assert.deepEqual(fs.readdirSync(posix.join(d, "sub")).filter((n) => !n.startsWith(".")), []);
  });

  test(`restore DIR with no entries below it exits 0 when a run covered it, leaving its files alone (${layout.name})`, async () => {
    await using dir = tempDir();
    const store = layout.store(dir.path);
    const { d, ts1 } = await emptyRun(dir.path, store);
    for (const at of [[], ["--at", ts1]]) {
      const r = await cli(dir.path, ["restore", d, ...store, ...at]);
      assert.equal(r.code, 0, `${at.join(" ")}: ${r.stdout}${r.stderr}`);
    }
    assert.equal(fs.readFileSync(posix.join(d, "a"), "utf8"), "a");
    assert.equal(fs.readFileSync(posix.join(d, "sub", "b"), "utf8"), "b");
  });

  test(`diff DIR --at a run that saved an empty tree exits 0 and lists later files as added (${layout.name})`, async () => {
    await using dir = tempDir();
    const store = layout.store(dir.path);
    const { d, ts1 } = await emptyRun(dir.path, store);
    const live = await cli(dir.path, ["diff", d, ...store, "--at", ts1]);
    assert.equal(live.code, 0, live.stdout + live.stderr);
    assert.match(live.stdout, new RegExp(`^\\+ ${d}/a$`, "m"));
    assert.match(live.stdout, new RegExp(`^\\+ ${d}/sub/b$`, "m"));
    const second = await snapRun(dir.path, [d, ...store]);
    const runs = await cli(dir.path, [
      "diff",
      d,
      ...store,
      "--at",
      ts1,
      "--at",
      `${second.sum.run}`,
    ]);
    assert.equal(runs.code, 0, runs.stdout + runs.stderr);
    assert.match(runs.stdout, /2 added, 0 removed, 0 changed/);
  });

  test(`restore and diff of a DIR no run covered at TS, without entries, exit 60 naming where they looked (${layout.name})`, async () => {
    await using dir = tempDir();
    const store = layout.store(dir.path);
    const { d, ts1 } = await emptyRun(dir.path, store);
    const before = String(Number(ts1) - 1);
    const looked = new RegExp(
      `no run covered it at or before ${before} \\(looked in "[^"]+" and below "[^"]*${d}"\\)`,
    );
    const r = await cli(dir.path, ["restore", d, ...store, "--at", before]);
    assert.equal(r.code, 60, r.stdout + r.stderr);
    assert.match(r.stderr, looked);
    const df = await cli(dir.path, ["diff", d, ...store, "--at", before]);
    assert.equal(df.code, 60, df.stdout + df.stderr);
    assert.match(df.stderr, looked);
    assert.equal(fs.readFileSync(posix.join(d, "a"), "utf8"), "a");
  });

  test(`verify DIR whose latest run saved an empty tree exits 0 with a warning; a DIR no run covered exits 60 (${layout.name})`, async () => {
    await using dir = tempDir();
    const store = layout.store(dir.path);
    const { d, ts1 } = await emptyRun(dir.path, store);
    const r = await cli(dir.path, ["verify", "--json", d, ...store]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const warning = jsonLines(r.stdout).find((e) => e.event === "warning")!;
    assert.equal(warning.what, "no_entries");
    assert.equal(warning.path, d);
    assert.match(String(warning.reason), new RegExp(`latest run \\(${ts1}\\) saved an empty tree`));
    const other = dir.join("other");
    fs.mkdirSync(other);
    const missing = await cli(dir.path, ["verify", other, ...store]);
    assert.equal(missing.code, 60, missing.stdout + missing.stderr);
    assert.match(
      missing.stderr,
      /no entries of tag "snapyard" .*, and no run covered it \(looked in /,
    );
  });

  test(`run rolls back a directory target that was empty at the run: exit 80, COMMAND's files left in place (${layout.name})`, async () => {
    await using dir = tempDir();
    const store = layout.store(dir.path);
    const d = dir.join("d");
    fs.mkdirSync(d);
    // The lock before `--`, where it is snapyard's and not COMMAND's.
    const lock = ["--lock", dir.join("test.lock")];
    const script = `echo new > '${d}/made'; exit 3`;
    const r = await runCli([
      ...lock,
      "run",
      "--json",
      ...store,
      "--target",
      d,
      "--",
      "sh",
      "-c",
      script,
    ]);
    assert.equal(r.code, 80, r.stdout + r.stderr);
    const summary = jsonLines(r.stdout).find((e) => e.event === "summary")!;
    assert.equal(summary.rolled_back, true);
    assert.deepEqual(summary.left, [`${d}/made`]);
    assert.equal(fs.readFileSync(posix.join(d, "made"), "utf8"), "new\n");
  });
}
