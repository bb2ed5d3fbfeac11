/**
 * The `--store` check (lib/store/usable.ts, called by lib/commands/dispatch.ts): an
 * unusable store is one error naming it and the reason, exit 10, before any work; a
 * missing store is created only when its parent exists, or with `--init`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { test } from "node:test";
import { IS_ROOT, jsonLines, makeTree, runCli, tempDir } from "../_helpers/helpers.ts";

/** Asserts `r` failed with one store error matching `reason`, and `--json` saw it too. */
function assertUnusable(
  r: { code: number | null; stderr: string; stdout: string },
  reason: RegExp,
  json: boolean,
): void {
  assert.equal(r.code, 10, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^snapyard: Cannot use store "/);
  assert.match(lines[0]!, reason);
  if (!json) return;
  const events = jsonLines(r.stdout);
  assert.equal(events.length, 1, r.stdout);
  assert.deepEqual(
    { ...events[0], reason: undefined },
    {
      event: "error",
      command: "snapshot",
      reason: undefined,
      code: "STORE_UNUSABLE",
      exit: 10,
      schema: 1,
    },
  );
  assert.match(events[0]!.reason as string, reason);
}

test("snapshot --store through a regular file exits 10 with one error naming the file", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "a" }, { kind: "file", path: "f" }]);
  const store = dir.join("f", "store");
  const r = await runCli(["snapshot", "--json", dir.join("a"), "--store", store]);
  assertUnusable(r, new RegExp(`"${dir.join("f")}" on its path is not a directory`), true);
  assert.deepEqual(fs.readdirSync(dir.path).sort(), ["a", "f"]);
});

test("snapshot --store that is a regular file exits 10: not a directory", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "a" }, { kind: "file", path: "f" }]);
  const r = await runCli(["snapshot", dir.join("a"), "--store", dir.join("f")]);
  assertUnusable(r, new RegExp(`store "${dir.join("f")}": not a directory$`), false);
  assert.deepEqual(fs.readdirSync(dir.path).sort(), ["a", "f"]);
});

test("snapshot --store whose parent is missing creates nothing and names the parent; --init creates the path", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "a" }]);
  const store = dir.join("x", "y", "store");
  const r = await runCli(["snapshot", "--json", dir.join("a"), "--store", store]);
  assertUnusable(r, new RegExp(`its parent "${dir.join("x", "y")}" does not exist.*--init`), true);
  assert.deepEqual(fs.readdirSync(dir.path), ["a"]);

  const init = await runCli(["snapshot", "--init", dir.join("a"), "--store", store]);
  assert.equal(init.code, 0, init.stderr);
  assert.ok(fs.statSync(store).isDirectory());
  // A store whose parent exists is created without --init.
  const next = await runCli(["snapshot", dir.join("a"), "--store", dir.join("x", "s2")]);
  assert.equal(next.code, 0, next.stderr);
  assert.ok(fs.statSync(dir.join("x", "s2")).isDirectory());
});

test("list and verify --store that does not exist exit 10 and create nothing", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "a" }]);
  for (const cmd of ["list", "verify"]) {
    const r = await runCli([cmd, dir.join("a"), "--store", dir.join("nope")]);
    assertUnusable(r, /: it does not exist/, false);
  }
  assert.deepEqual(fs.readdirSync(dir.path), ["a"]);
});

const SETPRIV = spawnSync("setpriv", ["--version"]).status === 0;

test(
  "snapshot into a store the user cannot write exits 10 with one EACCES error, --lock elsewhere too",
  { skip: IS_ROOT && SETPRIV ? false : "needs root and setpriv(1) to run as nobody" },
  async () => {
    await using dir = tempDir();
    makeTree(dir.path, [
      { kind: "file", path: "t/a", content: "a" },
      { kind: "file", path: "t/b", content: "b" },
      { kind: "dir", path: "store" },
    ]);
    // nobody may read the targets and enter the store, not write in it.
    fs.chmodSync(dir.path, 0o755);
    fs.chmodSync(dir.join("t"), 0o755);
    fs.chmodSync(dir.join("t", "a"), 0o644);
    fs.chmodSync(dir.join("t", "b"), 0o644);
    fs.chmodSync(dir.join("store"), 0o755);
    const asNobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
    const env = { HOME: dir.path, DENO_DIR: dir.join("deno") };
    fs.mkdirSync(dir.join("deno"), { mode: 0o777 });
    fs.chmodSync(dir.join("deno"), 0o777);
    for (const lock of [[], ["--lock", dir.join("deno", "held.lock")]]) {
      const r = await runCli(
        ["snapshot", dir.join("t"), "--store", dir.join("store"), "--json", ...lock],
        { wrap: asNobody, env },
      );
      assertUnusable(r, /cannot write to it: permission denied \(EACCES\)/, true);
    }
    assert.deepEqual(fs.readdirSync(dir.join("store")), []);
  },
);

test("a target whose store directory is taken by a regular file fails alone, naming it (exit 3); its siblings are saved", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "t/a/f1", content: "1" },
    { kind: "file", path: "t/b/f2", content: "2" },
  ]);
  const store = dir.join("store");
  const image = (rel: string) => `${store}${dir.join(rel)}`;
  fs.mkdirSync(image("t"), { recursive: true });
  fs.writeFileSync(image("t/a"), "in the way");
  const r = await runCli(["snapshot", "--json", dir.join("t"), "--store", store]);
  assert.equal(r.code, 3, r.stderr);
  const events = jsonLines(r.stdout);
  const failed = events.filter((e) => e.event === "error");
  assert.equal(failed.length, 1, r.stdout);
  assert.equal(failed[0]!.path, dir.join("t/a/f1"));
  assert.match(
    failed[0]!.reason as string,
    new RegExp(`cannot create store directory "${image("t/a")}"`),
  );
  const saved = events.filter((e) => e.event === "saved").map((e) => e.path);
  assert.deepEqual(saved, [dir.join("t/b/f2")]);
  assert.equal(fs.readFileSync(image("t/a"), "utf8"), "in the way");
});
