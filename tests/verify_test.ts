import assert from "node:assert/strict";
import * as fs from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import { type Fixture, makeTree, tempDir } from "./_helpers/helpers.ts";
import { cli, events, files, snap } from "./_helpers/entry_fixture.ts";
import { type Finding, verify } from "../lib/verify.ts";
import type { WorkerPool } from "../lib/pool/pool.ts";

type Ev = Record<string, unknown>;
const problems = (all: Ev[]) => all.filter((e) => e.event === "problem");

/** A tree with a file, a symlink and an absent target, snapshotted twice. */
async function twoRuns(root: string, extra: string[] = []): Promise<[number, number]> {
  makeTree(root, [
    { kind: "file", path: "t/a.txt", content: "one" },
    { kind: "symlink", path: "t/link", target: "../x/y" },
  ]);
  const t = posix.join(root, "t");
  const first = await snap(root, [t, posix.join(t, "gone"), ...extra]);
  fs.writeFileSync(posix.join(t, "a.txt"), "two");
  const second = await snap(root, [t, posix.join(t, "gone"), ...extra]);
  return [first, second];
}

test("verify exits 0 and counts every entry ok after snapshots (file, symlink, absent)", async () => {
  await using dir = tempDir();
  await twoRuns(dir.path);
  const r = await cli(dir.path, ["verify", "--json", dir.join("t")]);
  assert.equal(r.code, 0, r.stderr);
  const { all, summary } = events(r);
  assert.deepEqual(problems(all), []);
  assert.equal(summary.entries, 6);
  assert.equal(summary.ok, 6);
  assert.equal(summary.hashed_files, 2);
  assert.equal(typeof summary.files_per_s, "number");
  assert.equal(typeof summary.mib_per_s, "number");
});

test("verify names a tampered payload as hash mismatch and exits 71 though an older entry is good", async () => {
  await using dir = tempDir();
  const [first, second] = await twoRuns(dir.path);
  const bad = files(dir.join("t"), "a.txt", "snapyard", second).payload;
  fs.writeFileSync(bad, "TWO");
  const r = await cli(dir.path, ["verify", "--json", dir.join("t")]);
  assert.equal(r.code, 71, r.stderr);
  const p = problems(events(r).all);
  assert.equal(p.length, 1, JSON.stringify(p));
  assert.equal(p[0]!.state, "hash_mismatch");
  assert.equal(p[0]!.path, bad);
  assert.equal(p[0]!.target, dir.join("t/a.txt"));
  assert.equal(p[0]!.ts, second);
  assert.notEqual(p[0]!.ts, first);
  // People see the path and the reason on stderr, and a summary on stdout.
  const h = await cli(dir.path, ["verify", dir.join("t")]);
  assert.equal(h.code, 71);
  assert.match(h.stderr, new RegExp(`Hash mismatch: "${bad.replace(/\./g, "\\.")}"`));
  assert.match(h.stdout, /verify: 6 entries, 5 ok, 1 problem \(1 hash mismatch\)/);
});

test("verify reports a deleted payload as payload missing and exits 71", async () => {
  await using dir = tempDir();
  const [, second] = await twoRuns(dir.path);
  const gone = files(dir.join("t"), "a.txt", "snapyard", second).payload;
  fs.rmSync(gone);
  const r = await cli(dir.path, ["verify", "--json", dir.join("t/a.txt")]);
  assert.equal(r.code, 71);
  const p = problems(events(r).all);
  assert.deepEqual(p.map((e) => [e.state, e.path]), [["payload_missing", gone]]);
});

test("verify reports a truncated sidecar as sidecar corrupt and exits 71", async () => {
  await using dir = tempDir();
  const [first] = await twoRuns(dir.path);
  const sc = files(dir.join("t"), "gone", "snapyard", first).sidecar;
  fs.truncateSync(sc, 12);
  const r = await cli(dir.path, ["verify", "--json", dir.join("t")]);
  assert.equal(r.code, 71);
  const p = problems(events(r).all);
  assert.deepEqual(p.map((e) => [e.state, e.path]), [["sidecar_corrupt", sc]]);
});

test("verify reports orphan payloads, orphan sidecars and leftover temp files", async () => {
  await using dir = tempDir();
  const [first, second] = await twoRuns(dir.path);
  const t = dir.join("t");
  // A payload whose sidecar never committed, a tombstone lost, a sidecar temp of a crash.
  fs.rmSync(files(t, "a.txt", "snapyard", first).sidecar);
  fs.rmSync(files(t, "gone", "snapyard", second).payload);
  const temp = `${files(t, "link", "snapyard", second + 5).sidecar}.tmp-4242-7`;
  fs.writeFileSync(temp, "{");
  const r = await cli(dir.path, ["verify", "--json", t]);
  assert.equal(r.code, 71);
  const p = problems(events(r).all).map((e) => [e.state, e.path]).sort();
  assert.deepEqual(
    p,
    [
      ["orphan_payload", files(t, "a.txt", "snapyard", first).payload],
      ["orphan_sidecar", files(t, "gone", "snapyard", second).sidecar],
      ["temp", temp],
    ].sort(),
  );
});

test("verify reports a symlink payload with other link text and a non-empty tombstone", async () => {
  await using dir = tempDir();
  const [first] = await twoRuns(dir.path);
  const t = dir.join("t");
  const link = files(t, "link", "snapyard", first).payload;
  fs.rmSync(link);
  fs.symlinkSync("../x/z", link);
  const tomb = files(t, "gone", "snapyard", first).payload;
  fs.writeFileSync(tomb, "not empty");
  const r = await cli(dir.path, ["verify", "--json", t]);
  assert.equal(r.code, 71);
  const p = problems(events(r).all).map((e) => [e.state, e.path]).sort();
  assert.deepEqual(p, [["payload_mismatch", link], ["payload_mismatch", tomb]].sort());
});

test("verify without PATH checks the whole --store; with a directory PATH, that subtree", async () => {
  await using dir = tempDir();
  const store = dir.join("store");
  makeTree(dir.path, [
    { kind: "file", path: "t/a/one", content: "1" },
    { kind: "file", path: "t/b/two", content: "2" },
  ]);
  const ts = await snap(dir.path, ["--store", store, dir.join("t")]);
  // Entries live under STORE/<absolute dir>/, nothing beside the targets.
  assert.deepEqual(fs.readdirSync(dir.join("t/a")), ["one"]);
  const bad = files(posix.join(store, dir.join("t/b")), "two", "snapyard", ts).payload;
  fs.appendFileSync(bad, "x");
  const all = await cli(dir.path, ["verify", "--json", "--store", store]);
  assert.equal(all.code, 71);
  assert.deepEqual(problems(events(all).all).map((e) => e.path), [bad]);
  assert.equal(events(all).summary.entries, 2);
  const sub = await cli(dir.path, ["verify", "--json", "--store", store, dir.join("t/a")]);
  assert.equal(sub.code, 0, sub.stdout + sub.stderr);
  assert.equal(events(sub).summary.entries, 1);
});

test("verify of foo never sees foo.conf's entries, and tags never see each other", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "t/foo", content: "foo" },
    { kind: "file", path: "t/foo.conf", content: "conf" },
    { kind: "file", path: "t/foo.x", content: "x" },
  ]);
  const t = dir.join("t");
  const ts = await snap(dir.path, [t]);
  const tx = await snap(dir.path, ["--tag", "x", posix.join(t, "foo")]);
  fs.appendFileSync(files(t, "foo.conf", "snapyard", ts).payload, "!");
  fs.appendFileSync(files(t, "foo.x", "snapyard", ts).payload, "!");
  const foo = await cli(dir.path, ["verify", "--json", posix.join(t, "foo")]);
  assert.equal(foo.code, 0, foo.stdout);
  assert.equal(events(foo).summary.entries, 1);
  fs.appendFileSync(files(t, "foo", "x", tx).payload, "!");
  const def = await cli(dir.path, ["verify", "--json", posix.join(t, "foo")]);
  assert.equal(def.code, 0, def.stdout);
  const x = await cli(dir.path, ["verify", "--json", "--tag", "x", t]);
  assert.equal(x.code, 71);
  assert.deepEqual(problems(events(x).all).map((e) => e.path), [files(t, "foo", "x", tx).payload]);
});

test("verify reports a v1 file entry without payload_hash as unverified (fails closed)", async () => {
  await using dir = tempDir();
  const f = files(dir.path, "old.conf", "switchyard", 1700000000000);
  fs.writeFileSync(f.payload, "legacy");
  fs.writeFileSync(
    f.sidecar,
    JSON.stringify({ schema: "backup_meta.v1", prior_kind: "file", mode: "100644" }),
  );
  const r = await cli(dir.path, ["verify", "--json", "--tag", "switchyard", dir.path]);
  assert.equal(r.code, 71);
  assert.deepEqual(problems(events(r).all).map((e) => [e.state, e.path]), [
    ["unverified", f.payload],
  ]);
});

test("verify with one worker and with several finds exactly the tampered payloads", async () => {
  await using dir = tempDir();
  const fixtures: Fixture[] = [];
  for (let i = 0; i < 300; i++) {
    fixtures.push({ kind: "file", path: `t/d${i % 7}/f${i}`, content: `file ${i}\n` });
  }
  // Two files over the per-message byte budget, so batches are cut by bytes too.
  const big = new Uint8Array(9 << 20).fill(7);
  fixtures.push({ kind: "file", path: "t/big1", content: big }, {
    kind: "file",
    path: "t/big2",
    content: big,
  });
  makeTree(dir.path, fixtures);
  const ts = await snap(dir.path, [dir.join("t")]);
  const tampered = [3, 77, 150, 299].map((i) =>
    files(dir.join(`t/d${i % 7}`), `f${i}`, "snapyard", ts).payload
  );
  tampered.push(files(dir.join("t"), "big2", "snapyard", ts).payload);
  for (const p of tampered) fs.appendFileSync(p, "!");
  for (const workers of ["1", "3"]) {
    const r = await cli(dir.path, ["verify", "--json", "--workers", workers, dir.join("t")]);
    assert.equal(r.code, 71);
    const { all, summary } = events(r);
    const p = problems(all);
    assert.deepEqual(p.map((e) => e.path).sort(), [...tampered].sort());
    assert.ok(p.every((e) => e.state === "hash_mismatch"));
    assert.equal(summary.entries, 302);
    assert.equal(summary.ok, 297);
  }
});

test("verify checks v2 (switchyard-fs) entries and a v3 file payload swapped for a directory", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "t/a", content: "alpha" },
    { kind: "file", path: "t/b", content: "beta" },
    { kind: "symlink", path: "t/l", target: "a" },
  ]);
  const t = dir.join("t");
  const v2 = await snap(dir.path, ["--schema", "v2", t, posix.join(t, "gone")]);
  const v3 = await snap(dir.path, [posix.join(t, "b")]);
  const ok = await cli(dir.path, ["verify", "--json", t]);
  assert.equal(ok.code, 0, ok.stdout);
  assert.equal(events(ok).summary.entries, 5);
  const tampered = files(t, "a", "snapyard", v2).payload;
  fs.writeFileSync(tampered, "ALPHA");
  const swapped = files(t, "b", "snapyard", v3).payload;
  fs.rmSync(swapped);
  fs.mkdirSync(swapped);
  const r = await cli(dir.path, ["verify", "--json", t]);
  assert.equal(r.code, 71);
  const p = problems(events(r).all).map((e) => [e.state, e.path]).sort();
  assert.deepEqual(p, [["hash_mismatch", tampered], ["payload_mismatch", swapped]].sort());
});

test("verify() reports each file whose worker died as unreadable, never ok (fails closed)", async () => {
  await using dir = tempDir();
  await twoRuns(dir.path);
  // A pool whose every hash batch fails as a dead worker's does.
  const dead = {
    size: 2,
    hash: () => Promise.reject(new Error("worker exited with code 1")),
  } as unknown as WorkerPool;
  const found: Finding[] = [];
  const sum = await verify({
    paths: [dir.join("t")],
    tag: "snapyard",
    store: undefined,
    pool: () => dead,
    onFinding: (f) => found.push(f),
  });
  assert.deepEqual([sum.entries, sum.ok, sum.problems, sum.hashedFiles], [6, 4, 2, 0]);
  assert.deepEqual(found.map((f) => f.state), ["unreadable", "unreadable"]);
  for (const f of found) {
    assert.match(f.reason, /^cannot hash payload: worker failed: worker exited with code 1$/);
  }
});
