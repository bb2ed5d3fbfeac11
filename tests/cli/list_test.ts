import assert from "node:assert/strict";
import * as fs from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import { holdLock, makeTree, runCli, tempDir } from "../_helpers/helpers.ts";
import { cli, events, files, snap } from "../_helpers/entry_fixture.ts";

type Ev = Record<string, unknown>;
const rows = (all: Ev[]) => all.filter((e) => e.event === "entry");

test("list --json gives each entry newest first: TS, local time, kind, size, hash, state", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "t/a", content: "12345" },
    { kind: "symlink", path: "t/l", target: "../bin/x" },
  ]);
  const t = dir.join("t");
  const r1 = await snap(dir.path, [t, posix.join(t, "none")]);
  fs.writeFileSync(posix.join(t, "a"), "1234567");
  const r2 = await snap(dir.path, [posix.join(t, "a")]);
  const r = await cli(dir.path, ["list", "--json", t, posix.join(t, "none")]);
  assert.equal(r.code, 0, r.stderr);
  const a = rows(events(r).all).filter((e) => e.target === posix.join(t, "a"));
  assert.deepEqual(a.map((e) => [e.ts, e.kind, e.size, e.state]), [
    [r2, "file", 7, "complete"],
    [r1, "file", 5, "complete"],
  ]);
  assert.match(a[0]!.hash as string, /^[0-9a-f]{64}$/);
  assert.equal(new Date(a[0]!.time as string).getTime(), r2);
  const l = rows(events(r).all).find((e) => e.target === posix.join(t, "l"))!;
  assert.deepEqual([l.kind, l.dest, l.size, l.hash], ["symlink", "../bin/x", 8, null]);
  const n = rows(events(r).all).find((e) => e.target === posix.join(t, "none"))!;
  assert.deepEqual([n.kind, n.state], ["none", "complete"]);
});

test("list prints a table per target with a 12-hex short hash, newest first", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "t/a", content: "hello" }]);
  const a = dir.join("t/a");
  const r1 = await snap(dir.path, [a]);
  const r2 = await snap(dir.path, [a]);
  const r = await cli(dir.path, ["list", a]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.equal(lines[0], `${a}:`);
  assert.match(lines[1]!, /^\s+TS\s+TIME\s+KIND\s+SIZE\s+HASH\s+STATE$/);
  assert.match(
    lines[2]!,
    new RegExp(
      `^\\s+${r2}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\s+file\\s+5 B\\s+2cf24dba5fb0\\s+complete$`,
    ),
  );
  assert.match(lines[3]!, new RegExp(`^\\s+${r1}\\s`));
});

test("list marks payload missing, corrupt sidecars and orphan payloads", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "x" }]);
  const a = dir.join("a");
  const ts = [await snap(dir.path, [a]), await snap(dir.path, [a]), await snap(dir.path, [a])];
  fs.rmSync(files(dir.path, "a", "snapyard", ts[0]!).sidecar);
  fs.writeFileSync(
    files(dir.path, "a", "snapyard", ts[1]!).sidecar,
    '{"schema": "backup_meta.v3"}',
  );
  fs.rmSync(files(dir.path, "a", "snapyard", ts[2]!).payload);
  const r = await cli(dir.path, ["list", "--json", a]);
  assert.equal(r.code, 0);
  assert.deepEqual(rows(events(r).all).map((e) => [e.ts, e.state]), [
    [ts[2], "payload_missing"],
    [ts[1], "sidecar_corrupt"],
    [ts[0], "orphan_payload"],
  ]);
  const h = await cli(dir.path, ["list", a]);
  assert.match(h.stdout, /PAYLOAD MISSING/);
  assert.match(h.stdout, /SIDECAR CORRUPT: missing prior_kind/);
  assert.match(h.stdout, /ORPHAN PAYLOAD/);
});

test("list of foo never shows foo.conf's or another tag's entries", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "foo", content: "1" },
    { kind: "file", path: "foo.conf", content: "2" },
    { kind: "file", path: "foo.x", content: "3" },
  ]);
  const foo = dir.join("foo");
  const mine = await snap(dir.path, [foo]);
  await snap(dir.path, [dir.join("foo.conf"), dir.join("foo.x")]);
  const tagged = await snap(dir.path, ["--tag", "x", foo]);
  const r = await cli(dir.path, ["list", "--json", foo]);
  assert.deepEqual(rows(events(r).all).map((e) => [e.target, e.ts]), [[foo, mine]]);
  const x = await cli(dir.path, ["list", "--json", "--tag", "x", dir.path]);
  assert.deepEqual(rows(events(x).all).map((e) => [e.target, e.ts]), [[foo, tagged]]);
});

test("list reads a --store and says when a target has no entries", async () => {
  await using dir = tempDir();
  const store = dir.join("store");
  makeTree(dir.path, [{ kind: "file", path: "t/sub/f", content: "f" }]);
  const ts = await snap(dir.path, ["--store", store, dir.join("t")]);
  const r = await cli(dir.path, ["list", "--json", "--store", store, dir.join("t")]);
  const [row] = rows(events(r).all);
  assert.equal(row!.ts, ts);
  assert.equal(
    row!.payload,
    files(posix.join(store, dir.join("t/sub")), "f", "snapyard", ts).payload,
  );
  const none = await cli(dir.path, ["list", dir.join("t/other")]);
  assert.equal(none.code, 0);
  assert.match(none.stdout, /t\/other: no entries/);
});

test("list takes no lock: it answers while another process holds the run lock", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "x" }]);
  await snap(dir.path, [dir.join("a")]);
  const lock = dir.join("held.lock");
  // Another process holds the run lock for the whole test.
  await using _held = await holdLock(lock);
  for (const cmd of ["list", "verify"]) {
    const r = await runCli([cmd, "--lock", lock, "--lock-timeout", "0", dir.join("a")]);
    assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
  }
  const snapR = await runCli(["snapshot", "--lock", lock, "--lock-timeout", "0", dir.join("a")]);
  assert.equal(snapR.code, 30, "the lock really is held");
});
