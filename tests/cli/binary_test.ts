/**
 * The single `snapyard` binary, built with `bun build --compile` (the worker passed as an
 * extra entrypoint, or it fails only at run time) and run from another directory.
 *
 * On machines that can download `denort`, the Deno build is:
 *   deno compile -A --include workers/snap_worker.ts -o dist/snapyard main.ts
 * It cannot run here (no access to dl.deno.land), so it is not tested.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import { parseSidecar } from "../../lib/store/sidecar_reader.ts";
import { jsonLines, makeTree, ROOT, runCmd, tempDir } from "../_helpers/helpers.ts";

const BUN = posix.join(ROOT, "node_modules", ".bin", "bun");

test("bun build --compile makes a snapyard binary that snapshots a tree and a file from another directory", async () => {
  await using build = tempDir("snapyard-bin-");
  await using dir = tempDir();
  const bin = build.join("snapyard");
  const b = await runCmd(
    BUN,
    ["build", "--compile", "main.ts", "workers/snap_worker.ts", "--outfile", bin],
    { cwd: ROOT, timeoutMs: 120_000 },
  );
  assert.equal(b.code, 0, b.stderr + b.stdout);

  const version = await runCmd(bin, ["--version"], { cwd: dir.path });
  assert.match(version.stdout, /^snapyard \d+\.\d+\.\d+/);

  makeTree(dir.path, [
    { kind: "file", path: "tree/a.txt", content: "alpha" },
    { kind: "file", path: "tree/sub/b.txt", content: "beta", mode: 0o750 },
    { kind: "symlink", path: "tree/link", target: "a.txt" },
  ]);
  // cwd is the temp dir, far from the repository: the embedded worker must be found.
  const r = await runCmd(
    bin,
    ["snapshot", "--json", "--workers", "2", "--lock", dir.join("lock"), "tree"],
    { cwd: dir.path, timeoutMs: 60_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  const sum = jsonLines(r.stdout).find((e) => e.event === "summary")!;
  assert.deepEqual([sum.files, sum.symlinks, sum.failed], [2, 1, 0]);
  const run = sum.run as number;
  assert.equal(fs.readFileSync(dir.join(`tree/.a.txt.snapyard.${run}.bak`), "utf8"), "alpha");
  assert.equal(fs.readlinkSync(dir.join(`tree/.link.snapyard.${run}.bak`)), "a.txt");
  const side = parseSidecar(
    fs.readFileSync(dir.join(`tree/sub/.b.txt.snapyard.${run}.bak.meta.json`), "utf8"),
  );
  assert.ok(side.ok);
  assert.equal(side.sidecar.mode, "100750");

  // One small file is copied in the main thread (no workers): that code must be embedded too.
  const one = await runCmd(
    bin,
    // --full: a.txt is unchanged since the tree's run, and this copy must happen.
    ["snapshot", "--json", "--full", "--lock", dir.join("lock"), "tree/a.txt"],
    { cwd: dir.path, timeoutMs: 60_000 },
  );
  assert.equal(one.code, 0, one.stderr);
  const oneSum = jsonLines(one.stdout).find((e) => e.event === "summary")!;
  assert.deepEqual([oneSum.files, oneSum.failed], [1, 0]);
  const oneRun = oneSum.run as number;
  assert.equal(fs.readFileSync(dir.join(`tree/.a.txt.snapyard.${oneRun}.bak`), "utf8"), "alpha");
});
