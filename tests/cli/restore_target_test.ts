/**
 * `restore --target DIR` end to end (issue #11): the selected entries are written under DIR
 * (/a/b/c → DIR/a/b/c), with the same checks as an in-place restore, and nothing in place
 * changes: the live tree stays byte-identical and the store gets no entry or run record.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import { jsonLines, makeTree, tempDir } from "../_helpers/helpers.ts";
import { cli, snap, snapRun } from "../_helpers/entry_fixture.ts";

/** Every path below `root` with its kind, mode and content hash or link text, sorted. */
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const p = posix.join(dir, name);
      const st = fs.lstatSync(p);
      const rel = posix.relative(root, p);
      if (st.isDirectory()) {
        out.push(`${rel}/`);
        walk(p);
      } else if (st.isSymbolicLink()) out.push(`${rel} -> ${fs.readlinkSync(p)}`);
      else {
        const hash = createHash("sha256").update(fs.readFileSync(p)).digest("hex").slice(0, 12);
        out.push(`${rel} ${(st.mode & 0o7777).toString(8)} ${hash}`);
      }
    }
  };
  walk(root);
  return out;
}

function makeEtc(root: string): void {
  makeTree(root, [
    { kind: "file", path: "etc/app.conf", content: "port=80\n", mode: 0o640 },
    { kind: "symlink", path: "etc/current", target: "app.conf" },
    { kind: "file", path: "etc/sub/deep", content: "deep\n", mode: 0o600 },
  ]);
}

test("restore --target writes every target under DIR with bytes, mode and link text; nothing in place or in the store changes", async () => {
  await using dir = tempDir();
  makeEtc(dir.path);
  const etc = dir.join("etc");
  const store = dir.join("store");
  const ts = await snap(dir.path, [etc, "--store", store]);
  fs.writeFileSync(`${etc}/app.conf`, "port=8080\n");
  fs.chmodSync(`${etc}/sub/deep`, 0o644);
  fs.rmSync(`${etc}/current`);
  fs.symlinkSync("elsewhere", `${etc}/current`);
  const live = tree(etc);
  const stored = tree(store);
  const out = dir.join("out");
  const r = await cli(dir.path, ["restore", etc, "--store", store, "--target", out, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(tree(etc), live);
  assert.deepEqual(tree(store), stored);
  const under = posix.join(out, etc);
  const hash = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 12);
  assert.deepEqual(tree(under), [
    `app.conf 640 ${hash("port=80\n")}`,
    "current -> app.conf",
    "sub/",
    `sub/deep 600 ${hash("deep\n")}`,
  ]);
  const events = jsonLines(r.stdout);
  const restored = events.filter((e) => e.event === "restored");
  assert.deepEqual(restored.map((e) => [e.path, e.dest, e.ts]), [
    [`${etc}/app.conf`, `${under}/app.conf`, ts],
    [`${etc}/current`, `${under}/current`, ts],
    [`${etc}/sub/deep`, `${under}/sub/deep`, ts],
  ]);
  const sum = events.at(-1)!;
  assert.deepEqual(
    [sum.restored, sum.target, sum.absent, sum.pre_snapshot, sum.post_snapshot],
    [3, out, 0, null, null],
  );
});

test("restore --target replaces a file already under DIR and leaves no temp beside it", async () => {
  await using dir = tempDir();
  makeEtc(dir.path);
  const etc = dir.join("etc");
  await snap(dir.path, [etc]);
  const out = dir.join("out");
  const under = posix.join(out, etc);
  makeTree(under, [{ kind: "file", path: "app.conf", content: "stale", mode: 0o644 }]);
  const r = await cli(dir.path, ["restore", `${etc}/app.conf`, "--target", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.readFileSync(`${under}/app.conf`, "utf8"), "port=80\n");
  assert.deepEqual(fs.readdirSync(under), ["app.conf"]);
  assert.match(r.stdout, new RegExp(`^restored "${etc}/app.conf" to "${under}/app.conf"`));
});

test("restore --target writes nothing for an entry of an absent target and reports it", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "t/a", content: "a" }]);
  const gone = dir.join("t", "gone");
  await snap(dir.path, [dir.join("t", "a"), gone]);
  const out = dir.join("out");
  const r = await cli(dir.path, ["restore", dir.join("t", "a"), gone, "--target", out, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const events = jsonLines(r.stdout);
  const absent = events.filter((e) => e.event === "absent");
  assert.deepEqual(absent.map((e) => [e.path, e.kind]), [[gone, "none"]]);
  assert.equal(events.at(-1)!.absent, 1);
  assert.deepEqual(fs.readdirSync(posix.join(out, dir.path, "t")), ["a"]);
});

test("restore --target --at TS writes nothing for a target created after that run and reports it absent", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "t/a", content: "a" }]);
  const t = dir.join("t");
  const first = await snapRun(dir.path, [t]);
  fs.writeFileSync(`${t}/later`, "later");
  await snapRun(dir.path, [t]);
  const out = dir.join("out");
  const ts = first.sum.run as number;
  const r = await cli(dir.path, ["restore", t, "--at", `${ts}`, "--target", out, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const events = jsonLines(r.stdout);
  assert.deepEqual(events.filter((e) => e.event === "absent").map((e) => [e.path, e.ts]), [
    [`${t}/later`, ts],
  ]);
  assert.equal(events.some((e) => e.event === "left_alone"), false);
  assert.deepEqual(fs.readdirSync(posix.join(out, t)), ["a"]);
  assert.equal(fs.readFileSync(`${t}/later`, "utf8"), "later");
});

test("restore --target verifies every entry first: a corrupt payload exits 71 and writes nothing under DIR", async () => {
  await using dir = tempDir();
  makeEtc(dir.path);
  const etc = dir.join("etc");
  const store = dir.join("store");
  const ts = await snap(dir.path, [etc, "--store", store]);
  // Same size, other bytes: only the hash can tell.
  fs.writeFileSync(posix.join(store, etc, "sub", `.deep.snapyard.${ts}.bak`), "DEEP\n");
  const out = dir.join("out");
  const r = await cli(dir.path, ["restore", etc, "--store", store, "--target", out]);
  assert.equal(r.code, 71, r.stderr);
  assert.match(r.stderr, /payload hash mismatch/);
  assert.equal(fs.existsSync(out), false);
});

test("restore --target --dry-run writes nothing; --target twice or with --delete is a usage error", async () => {
  await using dir = tempDir();
  makeEtc(dir.path);
  const etc = dir.join("etc");
  await snap(dir.path, [etc]);
  const out = dir.join("out");
  const dry = await cli(dir.path, ["restore", etc, "--target", out, "--dry-run"]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(
    dry.stdout,
    new RegExp(`would restore "${etc}/app.conf" to "${out}${etc}/app.conf"`),
  );
  assert.equal(fs.existsSync(out), false);
  const twice = await cli(dir.path, ["restore", etc, "--target", out, "--target", dir.join("o2")]);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /"restore" takes one --target DIR/);
  const del = await cli(dir.path, ["restore", etc, "--target", out, "--delete", "--at", "1"]);
  assert.equal(del.code, 2);
  assert.match(del.stderr, /does not take --delete/);
});
