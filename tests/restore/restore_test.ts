/**
 * CLI-level tests of `snapyard restore` (issue #4: Selection, restore), one or more per
 * clause, each able to fail: checks before any change, no fallback, exit codes, kinds,
 * modes, idempotence, store, dry-run, pre-snapshot undo, switchyard-fs entries, and a
 * replace-phase failure injected through the Io seam.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import { execute } from "../../lib/commands/dispatch.ts";
import { SPAWN } from "../_helpers/pool.ts";
import { parseCommandLine } from "../../lib/cli/parse.ts";
import { type Io, realIo } from "../../lib/fs/io.ts";
import { Reporter } from "../../lib/cli/report.ts";
import type { Event } from "../../lib/events.ts";
import { IS_ROOT, lsHex, makeTree, RUNTIME, tempDir } from "../_helpers/helpers.ts";
import { cli, events, files, HAS_STRACE, runStraced, snap } from "../_helpers/entry_fixture.ts";
import {
  describe,
  picture,
  restoreTemps,
  restoreTree,
  SWITCHYARD,
  switchyardEntry,
} from "../_helpers/restore_fixture.ts";

type Ev = Record<string, unknown>;
const of = (all: Ev[], event: string) => all.filter((e) => e.event === event);
const read = (p: string) => fs.readFileSync(p, "utf8");
const mode = (p: string) => fs.lstatSync(p).mode & 0o7777;

/** Changes every target of `tree`: bytes, mode, link text, and creates the absent one. */
function mutate(t: string): void {
  fs.writeFileSync(posix.join(t, "a.conf"), "CHANGED");
  fs.chmodSync(posix.join(t, "sub/bin"), 0o644);
  fs.rmSync(posix.join(t, "sub/link"));
  fs.symlinkSync("/elsewhere", posix.join(t, "sub/link"));
  fs.writeFileSync(posix.join(t, "gone"), "appeared");
}

test("restore puts back a tree's bytes, setuid mode, relative link text and absence as of the run", async () => {
  await using dir = tempDir();
  const t = restoreTree(dir.path);
  await snap(dir.path, [t, posix.join(t, "gone")]);
  mutate(t);
  const r = await cli(dir.path, ["restore", "--json", t]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(read(posix.join(t, "a.conf")), "alpha\n");
  assert.equal(mode(posix.join(t, "a.conf")), 0o640);
  assert.equal(mode(posix.join(t, "sub/bin")), 0o4755);
  assert.equal(fs.readlinkSync(posix.join(t, "sub/link")), "../a.conf");
  assert.equal(fs.existsSync(posix.join(t, "gone")), false);
  const { all, summary } = events(r);
  assert.equal(of(all, "restored").length, 3);
  assert.deepEqual(of(all, "removed").map((e) => e.path), [posix.join(t, "gone")]);
  assert.deepEqual([summary.restored, summary.removed, summary.unchanged], [3, 1, 0]);
  assert.deepEqual(restoreTemps(dir.path), []);
});

test("restore refuses a tampered payload with exit 71, though an older good entry exists, and changes nothing", async () => {
  await using dir = tempDir();
  const a = dir.join("a.conf");
  fs.writeFileSync(a, "v1");
  await snap(dir.path, [a]);
  fs.writeFileSync(a, "v2");
  const t2 = await snap(dir.path, [a]);
  fs.writeFileSync(a, "current");
  fs.writeFileSync(files(dir.path, "a.conf", "snapyard", t2).payload, "v2 tampered");
  const before = picture(dir.path);
  const r = await cli(dir.path, ["restore", a]);
  assert.equal(r.code, 71, r.stderr);
  assert.match(r.stderr, new RegExp(`Cannot restore "${a}": payload hash mismatch`));
  assert.equal(read(a), "current");
  assert.deepEqual(picture(dir.path), before);
});

test("restore exits 60 naming the target when the selected payload was deleted", async () => {
  await using dir = tempDir();
  const a = dir.join("a");
  fs.writeFileSync(a, "v1");
  const ts = await snap(dir.path, [a]);
  fs.writeFileSync(a, "current");
  fs.rmSync(files(dir.path, "a", "snapyard", ts).payload);
  const r = await cli(dir.path, ["restore", a]);
  assert.equal(r.code, 60, r.stderr);
  assert.match(r.stderr, new RegExp(`Cannot restore "${a}": payload missing`));
  assert.equal(read(a), "current");
});

test("restore exits 71 for a truncated sidecar of an absent target and creates no empty file", async () => {
  await using dir = tempDir();
  const gone = dir.join("gone");
  const ts = await snap(dir.path, [gone]);
  fs.truncateSync(files(dir.path, "gone", "snapyard", ts).sidecar, 20);
  const r = await cli(dir.path, ["restore", gone]);
  assert.equal(r.code, 71, r.stderr);
  assert.match(r.stderr, /sidecar corrupt/);
  assert.equal(fs.existsSync(gone), false);
  // Also when something is there now: it stays.
  fs.writeFileSync(gone, "present");
  const r2 = await cli(dir.path, ["restore", gone]);
  assert.equal(r2.code, 71);
  assert.equal(read(gone), "present");
});

test("restore of a directory with one bad entry changes no file at all", async () => {
  await using dir = tempDir();
  const t = restoreTree(dir.path);
  const ts = await snap(dir.path, [t, posix.join(t, "gone")]);
  mutate(t);
  fs.appendFileSync(files(posix.join(t, "sub"), "bin", "snapyard", ts).payload, "x");
  const before = picture(dir.path);
  const r = await cli(dir.path, ["restore", "--json", t]);
  assert.equal(r.code, 71, r.stderr);
  // Every file, link, entry and mode is exactly as before; no temp, no pre-snapshot.
  assert.deepEqual(picture(dir.path), before);
  const { all, summary } = events(r);
  assert.deepEqual(of(all, "error").map((e) => [e.path, e.code]), [
    [posix.join(t, "sub/bin"), "INTEGRITY"],
  ]);
  assert.equal(of(all, "restored").length, 0);
  assert.equal(summary.failed, 1);
});

test("restore reports every problem of a directory before aborting (missing and tampered)", async () => {
  await using dir = tempDir();
  const t = restoreTree(dir.path);
  const ts = await snap(dir.path, [t]);
  fs.rmSync(files(t, "a.conf", "snapyard", ts).payload);
  fs.appendFileSync(files(posix.join(t, "sub"), "bin", "snapyard", ts).payload, "x");
  const r = await cli(dir.path, ["restore", "--json", t]);
  assert.equal(r.code, 71, "integrity outranks missing");
  const errs = of(events(r).all, "error").map((e) => [e.path, e.code]).sort();
  assert.deepEqual(errs, [
    [posix.join(t, "a.conf"), "BACKUP_MISSING"],
    [posix.join(t, "sub/bin"), "INTEGRITY"],
  ]);
});

test("restore selects latest, previous and --at TS (newest at or before TS), never falling back", async () => {
  await using dir = tempDir();
  const a = dir.join("a");
  const ts: number[] = [];
  for (const v of ["one", "two", "three"]) {
    fs.writeFileSync(a, v);
    ts.push(await snap(dir.path, [a]));
  }
  const restoreAt = async (at: string[]) => {
    fs.writeFileSync(a, "scratch");
    const r = await cli(dir.path, ["restore", "--no-pre-snapshot", "--no-fsync", ...at, a]);
    assert.equal(r.code, 0, r.stderr);
    return read(a);
  };
  assert.equal(await restoreAt([]), "three");
  assert.equal(await restoreAt(["--at", "latest"]), "three");
  assert.equal(await restoreAt(["--at", "previous"]), "two");
  assert.equal(await restoreAt(["--at", String(ts[1]!)]), "two");
  assert.equal(await restoreAt(["--at", String(ts[2]! - 1)]), "two");
  assert.equal(await restoreAt(["--at", String(ts[0]!)]), "one");
  const early = await cli(dir.path, ["restore", "--at", String(ts[0]! - 1), a]);
  assert.equal(early.code, 60);
  assert.match(early.stderr, new RegExp(`Cannot restore "${a}": no entry .* at or before`));
  // A broken previous entry fails; latest is not used instead.
  fs.writeFileSync(a, "scratch");
  fs.writeFileSync(files(dir.path, "a", "snapyard", ts[1]!).sidecar, "{");
  const broken = await cli(dir.path, ["restore", "--at", "previous", a]);
  assert.equal(broken.code, 71);
  assert.equal(read(a), "scratch");
});

test("restore --at previous with a single entry exits 60 instead of using latest", async () => {
  await using dir = tempDir();
  const a = dir.join("a");
  fs.writeFileSync(a, "only");
  await snap(dir.path, [a]);
  fs.writeFileSync(a, "now");
  const r = await cli(dir.path, ["restore", "--at", "previous", a]);
  assert.equal(r.code, 60);
  assert.match(r.stderr, /no previous entry/);
  assert.equal(read(a), "now");
});

test("restore of a target without entries exits 60 naming it; entries of foo.conf are not foo's", async () => {
  await using dir = tempDir();
  fs.writeFileSync(dir.join("foo.conf"), "conf");
  await snap(dir.path, [dir.join("foo.conf")]);
  const r = await cli(dir.path, ["restore", dir.join("foo")]);
  assert.equal(r.code, 60);
  assert.match(r.stderr, new RegExp(`Cannot restore "${dir.join("foo")}": no entry`));
  const d = await cli(dir.path, ["restore", dir.join("empty")]);
  assert.equal(d.code, 60);
});

test("restore twice: the second reports every target unchanged and leaves the inodes alone", async () => {
  await using dir = tempDir();
  const t = restoreTree(dir.path);
  await snap(dir.path, [t, posix.join(t, "gone")]);
  mutate(t);
  const first = await cli(dir.path, ["restore", t]);
  assert.equal(first.code, 0, first.stderr);
  const ino = (p: string) => fs.lstatSync(posix.join(t, p)).ino;
  const inodes = ["a.conf", "sub/bin", "sub/link"].map(ino);
  const before = picture(dir.path);
  const second = await cli(dir.path, ["restore", "--json", t]);
  assert.equal(second.code, 0, second.stderr);
  const { all, summary } = events(second);
  assert.equal(of(all, "unchanged").length, 4);
  assert.deepEqual([summary.restored, summary.removed, summary.unchanged], [0, 0, 4]);
  assert.equal(summary.pre_snapshot, null, "nothing to change, nothing snapshotted");
  assert.deepEqual(["a.conf", "sub/bin", "sub/link"].map(ino), inodes);
  assert.deepEqual(picture(dir.path), before);
});

test("restore compares content, not only kind: same size and mode but other bytes is restored", async () => {
  await using dir = tempDir();
  const a = dir.join("a");
  fs.writeFileSync(a, "abc");
  await snap(dir.path, [a]);
  fs.writeFileSync(a, "xyz");
  const r = await cli(dir.path, ["restore", "--json", a]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(of(events(r).all, "restored").length, 1);
  assert.equal(read(a), "abc");
  // Same bytes, other mode: restored too.
  fs.chmodSync(a, 0o600);
  const m = await cli(dir.path, ["restore", "--json", "--no-pre-snapshot", a]);
  assert.equal(of(events(m).all, "restored").length, 1);
});

test("restore keeps relative, absolute and dangling link texts byte for byte", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "symlink", path: "rel", target: "../../bin" },
    { kind: "symlink", path: "abs", target: "/usr/bin/true" },
    { kind: "symlink", path: "dangling", target: "no/such/thing" },
  ]);
  await snap(dir.path, [dir.join("rel"), dir.join("abs"), dir.join("dangling")]);
  for (const n of ["rel", "abs", "dangling"]) {
    fs.rmSync(dir.join(n));
    fs.writeFileSync(dir.join(n), "a file now");
  }
  const r = await cli(dir.path, [
    "restore",
    dir.join("rel"),
    dir.join("abs"),
    dir.join("dangling"),
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.readlinkSync(dir.join("rel")), "../../bin");
  assert.equal(fs.readlinkSync(dir.join("abs")), "/usr/bin/true");
  assert.equal(fs.readlinkSync(dir.join("dangling")), "no/such/thing");
});

test("restore removes a file or symlink that appeared where the target was absent", async () => {
  await using dir = tempDir();
  await snap(dir.path, [dir.join("f"), dir.join("l")]);
  fs.writeFileSync(dir.join("f"), "new");
  fs.symlinkSync("f", dir.join("l"));
  const r = await cli(dir.path, ["restore", dir.join("f"), dir.join("l")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(describe(dir.join("f")), undefined);
  assert.equal(describe(dir.join("l")), undefined);
});

test("restore exits 70 and removes nothing when a directory is in place of a target (even an empty one)", async () => {
  await using dir = tempDir();
  fs.writeFileSync(dir.join("file"), "data");
  await snap(dir.path, [dir.join("absent"), dir.join("file")]);
  fs.mkdirSync(dir.join("absent"));
  fs.rmSync(dir.join("file"));
  fs.mkdirSync(dir.join("file"));
  fs.writeFileSync(dir.join("file/inside"), "keep");
  const before = picture(dir.path);
  const r = await cli(dir.path, ["restore", "--json", dir.join("absent"), dir.join("file")]);
  assert.equal(r.code, 70, r.stderr);
  const errs = of(events(r).all, "error");
  assert.deepEqual(errs.map((e) => e.path).sort(), [dir.join("absent"), dir.join("file")]);
  assert.match(String(errs[0]!.reason), /a directory is in its place/);
  assert.deepEqual(picture(dir.path), before);
});

test("restore --store brings back a deleted tree, creating its directories, across filesystems", async () => {
  await using dir = tempDir();
  // The store on tmpfs when there is one: payloads are copied, not renamed, across devices.
  const shm = fs.existsSync("/dev/shm") ? fs.mkdtempSync("/dev/shm/snapyard-store-") : undefined;
  const store = shm ?? dir.join("store");
  try {
    const t = restoreTree(dir.path);
    await snap(dir.path, ["--store", store, t]);
    const before = picture(t);
    fs.rmSync(t, { recursive: true });
    const r = await cli(dir.path, ["restore", "--json", "--store", store, t]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(picture(t), before);
    assert.deepEqual(restoreTemps(dir.path), []);
    // Payloads are kept: a second restore from the same entries works after another loss.
    fs.rmSync(posix.join(t, "a.conf"));
    const again = await cli(dir.path, ["restore", "--store", store, posix.join(t, "a.conf")]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(read(posix.join(t, "a.conf")), "alpha\n");
    // Entries stayed in the store: nothing of ours beside the targets.
    assert.deepEqual(Object.keys(picture(t)).filter((n) => n.includes(".snapyard.")), []);
  } finally {
    if (shm !== undefined) fs.rmSync(shm, { recursive: true, force: true });
  }
});

test("restore --dry-run checks everything, prints the plan and changes nothing", async () => {
  await using dir = tempDir();
  const t = restoreTree(dir.path);
  const ts = await snap(dir.path, [t, posix.join(t, "gone")]);
  mutate(t);
  fs.writeFileSync(posix.join(t, "a.conf"), "alpha\n");
  fs.chmodSync(posix.join(t, "a.conf"), 0o640);
  const before = picture(dir.path);
  const r = await cli(dir.path, ["restore", "--dry-run", t]);
  assert.equal(r.code, 0, r.stderr);
  // Only what changes gets a line; the unchanged ones are counted in the summary.
  assert.doesNotMatch(r.stdout, /^unchanged /m);
  assert.match(r.stdout, /, 1 unchanged/);
  assert.match(r.stdout, new RegExp(`would restore "${t}/sub/bin" \\(file from run ${ts}\\)`));
  assert.match(r.stdout, new RegExp(`would restore "${t}/sub/link" \\(symlink`));
  assert.match(r.stdout, new RegExp(`would remove "${t}/gone"`));
  assert.match(r.stdout, /nothing changed/);
  assert.deepEqual(picture(dir.path), before);
  // The checks run: a tampered payload fails the dry run.
  fs.appendFileSync(files(posix.join(t, "sub"), "bin", "snapyard", ts).payload, "x");
  const bad = await cli(dir.path, ["restore", "--dry-run", t]);
  assert.equal(bad.code, 71);
});

test("restore snapshots the pre-restore state first: --at previous and --at its TS undo the restore", async () => {
  await using dir = tempDir();
  const t = restoreTree(dir.path);
  await snap(dir.path, [t, posix.join(t, "gone")]);
  mutate(t);
  const mutated = picture(t);
  const r = await cli(dir.path, ["restore", "--json", t]);
  assert.equal(r.code, 0, r.stderr);
  const pre = events(r).summary.pre_snapshot as number;
  assert.equal(typeof pre, "number");
  const undo = await cli(dir.path, ["restore", "--at", "previous", "--no-pre-snapshot", t]);
  assert.equal(undo.code, 0, undo.stderr);
  const strip = (p: Record<string, string>) =>
    Object.fromEntries(Object.entries(p).filter(([k]) => !k.includes(".snapyard.")));
  assert.deepEqual(strip(picture(t)), strip(mutated));
  // The same by the TS printed in the summary, after restoring the run again (latest).
  assert.equal((await cli(dir.path, ["restore", t])).code, 0);
  assert.notDeepEqual(strip(picture(t)), strip(mutated));
  const byTs = await cli(dir.path, ["restore", "--at", String(pre), t]);
  assert.equal(byTs.code, 0, byTs.stderr);
  assert.deepEqual(strip(picture(t)), strip(mutated));
});

test("restore --no-pre-snapshot writes no entry", async () => {
  await using dir = tempDir();
  const a = dir.join("a");
  fs.writeFileSync(a, "v1");
  await snap(dir.path, [a]);
  fs.writeFileSync(a, "v2");
  const names = fs.readdirSync(dir.path).sort();
  const r = await cli(dir.path, ["restore", "--no-pre-snapshot", a]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(read(a), "v1");
  assert.deepEqual(fs.readdirSync(dir.path).sort(), names);
});

test("restore --tag switchyard restores switchyard-fs entries; a v1 file entry needs --allow-unverified", async () => {
  await using dir = tempDir();
  const ts = 1726300000123;
  switchyardEntry(
    dir.path,
    "su",
    ts,
    { kind: "file", content: "hello", mode: 0o4755 },
    SWITCHYARD.file4755Hello,
  );
  switchyardEntry(
    dir.path,
    "ln",
    ts,
    { kind: "symlink", text: "../../bin" },
    SWITCHYARD.symlinkRelative,
  );
  switchyardEntry(dir.path, "gone", ts, { kind: "none" }, SWITCHYARD.absent);
  switchyardEntry(
    dir.path,
    "old",
    ts,
    { kind: "file", content: "v1 bytes", mode: 0o640 },
    SWITCHYARD.fileV1,
  );
  fs.writeFileSync(dir.join("su"), "changed");
  fs.writeFileSync(dir.join("gone"), "appeared");
  fs.writeFileSync(dir.join("old"), "changed");
  const all = [dir.join("su"), dir.join("ln"), dir.join("gone"), dir.join("old")];
  fs.writeFileSync(dir.join("test.lock"), "");
  const before = picture(dir.path);
  const refused = await cli(dir.path, ["restore", "--tag", "switchyard", ...all]);
  assert.equal(refused.code, 71);
  assert.match(
    refused.stderr,
    new RegExp(`Cannot restore "${dir.join("old")}": .*--allow-unverified`),
  );
  assert.deepEqual(picture(dir.path), before, "nothing changed");
  const r = await cli(dir.path, [
    "restore",
    "--json",
    "--tag",
    "switchyard",
    "--allow-unverified",
    ...all,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const { all: evs, summary } = events(r);
  assert.deepEqual(evs.filter((e) => e.unverified === true).map((e) => e.path), [dir.join("old")]);
  assert.equal(summary.unverified, 1);
  assert.equal(read(dir.join("su")), "hello");
  assert.equal(mode(dir.join("su")), 0o4755);
  assert.equal(fs.readlinkSync(dir.join("ln")), "../../bin");
  assert.equal(fs.existsSync(dir.join("gone")), false);
  assert.equal(read(dir.join("old")), "v1 bytes");
  assert.equal(mode(dir.join("old")), 0o640);
  // People are told too.
  fs.writeFileSync(dir.join("old"), "again");
  const h = await cli(dir.path, [
    "restore",
    "--tag",
    "switchyard",
    "--allow-unverified",
    "--at",
    String(ts),
    dir.join("old"),
  ]);
  assert.match(h.stdout, /UNVERIFIED/);
});

test(
  "restore as root gives a file back its recorded owner, setuid kept",
  { skip: !IS_ROOT },
  async () => {
    await using dir = tempDir();
    const a = dir.join("a");
    fs.writeFileSync(a, "owned");
    fs.chownSync(a, 1234, 4321);
    fs.chmodSync(a, 0o6750);
    await snap(dir.path, [a]);
    fs.chownSync(a, 0, 0);
    const r = await cli(dir.path, ["restore", a]);
    assert.equal(r.code, 0, r.stderr);
    const st = fs.lstatSync(a);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [1234, 4321, 0o6750]);
  },
);

/** Runs restore in this process with an injected Io; returns the outcome and the events. */
async function restoreWithIo(args: string[], io: Io): Promise<{ outcome: string; all: Ev[] }> {
  const inv = parseCommandLine(["restore", "--json", ...args]);
  assert.equal(inv.kind, "command");
  if (inv.kind !== "command") throw new Error("unreachable");
  const all: Ev[] = [];
  class Capture extends Reporter {
    override emit(e: Event): void {
      if (e.event !== "progress") all.push(e as unknown as Ev);
    }
  }
  const outcome = await execute(
    inv.command,
    inv.paths,
    inv.argv,
    inv.options,
    SPAWN,
    new Capture("json", false),
    io,
  );
  return { outcome, all };
}

test("restore exits 70 naming which targets were restored and which not when a rename fails", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "t/1", content: "one" },
    { kind: "file", path: "t/2", content: "two" },
    { kind: "file", path: "t/3", content: "three" },
  ]);
  const t = dir.join("t");
  await snap(dir.path, [t]);
  for (const n of ["1", "2", "3"]) fs.writeFileSync(posix.join(t, n), "changed");
  let renames = 0;
  const io: Io = {
    ...realIo,
    rename(from, to) {
      // The pre- and post-snapshot sidecar commits go through here too: fail the 2nd target.
      if (to.endsWith("/t/2")) throw Object.assign(new Error("injected"), { code: "EIO" });
      renames++;
      realIo.rename(from, to);
    },
  };
  const { outcome, all } = await restoreWithIo([t, "--lock", dir.join("test.lock")], io);
  assert.equal(outcome, "RESTORE_FAILED");
  assert.ok(renames > 0);
  assert.deepEqual(of(all, "restored").map((e) => e.path), [posix.join(t, "1")]);
  assert.deepEqual(of(all, "not_restored").map((e) => e.path), [
    posix.join(t, "2"),
    posix.join(t, "3"),
  ]);
  assert.match(String(of(all, "error")[0]!.reason), /input\/output error/);
  assert.equal(read(posix.join(t, "1")), "one");
  assert.equal(read(posix.join(t, "2")), "changed");
  assert.equal(read(posix.join(t, "3")), "changed");
  assert.deepEqual(restoreTemps(dir.path), [], "the temps of targets not restored are removed");
  const sum = of(all, "summary")[0]!;
  assert.deepEqual([sum.restored, sum.not_restored, sum.failed], [1, 2, 1]);
});

test("restore changes nothing and leaves no temp when the temps cannot be made durable", async () => {
  await using dir = tempDir();
  const t = restoreTree(dir.path);
  await snap(dir.path, [t]);
  mutate(t);
  const calls: string[] = [];
  const io: Io = {
    ...realIo,
    syncfs(d) {
      calls.push(d);
      // The pre-snapshot's flush succeeds; the restore temps' flush fails.
      if (calls.length > 1) throw Object.assign(new Error("injected"), { code: "EIO" });
      realIo.syncfs(d);
    },
  };
  const targets = picture(t);
  const { outcome, all } = await restoreWithIo([t, "--lock", dir.join("test.lock")], io);
  assert.equal(outcome, "RESTORE_FAILED");
  assert.match(String(of(all, "error")[0]!.reason), /syncfs/);
  assert.equal(of(all, "restored").length, 0);
  const strip = (p: Record<string, string>) =>
    Object.fromEntries(Object.entries(p).filter(([k]) => !k.includes(".snapyard.")));
  assert.deepEqual(strip(picture(t)), strip(targets));
  assert.deepEqual(restoreTemps(dir.path), []);
});

test("restore brings back a file whose name is not valid UTF-8, byte for byte (Bun)", {
  skip: RUNTIME === "deno",
}, async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{
    kind: "rawname",
    dirPath: "t",
    hexName: "6361666539ff2e747874",
    content: "bytes",
  }]);
  const t = dir.join("t");
  await snap(dir.path, [t]);
  const name = lsHex(t).find((h) => !h.startsWith("2e"))!;
  assert.equal(name, "6361666539ff2e747874");
  // Overwrite it by its raw name (python3), then restore the directory.
  const py =
    "import os,sys; open(os.path.join(sys.argv[1].encode(), bytes.fromhex(sys.argv[2])),'w').write('changed')";
  assert.equal(spawnSync("python3", ["-c", py, t, name]).status, 0);
  const r = await cli(dir.path, ["restore", "--json", t]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(of(events(r).all, "restored").length, 1);
  const cat =
    "import os,sys; print(open(os.path.join(sys.argv[1].encode(), bytes.fromhex(sys.argv[2]))).read())";
  assert.equal(spawnSync("python3", ["-c", cat, t, name], { encoding: "utf8" }).stdout, "bytes\n");
  // No restore temp left: no name holds ".restore.tmp" (in hex).
  assert.deepEqual(lsHex(t).filter((h) => h.includes("2e726573746f72652e746d70")), []);
});

test("restore brings back a file whose name holds a real U+FFFD (valid UTF-8) on every runtime", async () => {
  await using dir = tempDir();
  const t = dir.join("t");
  const f = posix.join(t, "caf\ufffd.txt");
  makeTree(dir.path, [{ kind: "file", path: "t/caf\ufffd.txt", content: "v1" }]);
  await snap(dir.path, [t]);
  fs.writeFileSync(f, "v2");
  const r = await cli(dir.path, ["restore", "--json", t]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(of(events(r).all, "restored").length, 1);
  assert.equal(fs.readFileSync(f, "utf8"), "v1");
});

test("restore changes no target when the pre-restore snapshot fails, and says how to go on", async () => {
  await using dir = tempDir();
  const a = dir.join("a");
  fs.writeFileSync(a, "v1");
  const ts = await snap(dir.path, [a]);
  fs.writeFileSync(a, "v2");
  const io: Io = {
    ...realIo,
    rename(from, to) {
      // The pre-snapshot's sidecar commit fails.
      if (to.endsWith(".meta.json")) throw Object.assign(new Error("injected"), { code: "EIO" });
      realIo.rename(from, to);
    },
  };
  const { outcome, all } = await restoreWithIo([a, "--lock", dir.join("test.lock")], io);
  assert.equal(outcome, "RESTORE_FAILED");
  // The pre-snapshot's own error comes first; then the restore's, which says how to go on.
  assert.deepEqual(of(all, "error").map((e) => e.command), ["snapshot", "restore"]);
  const err = of(all, "error")[1]!;
  assert.match(String(err.reason), /pre-restore snapshot failed/);
  assert.match(String(err.reason), new RegExp(`--no-pre-snapshot --at ${ts}`));
  assert.deepEqual(of(all, "not_restored").map((e) => e.path), [a]);
  assert.equal(read(a), "v2");
  assert.deepEqual(restoreTemps(dir.path), []);
});

test(
  "restore makes its temps durable with one syncfs before the first rename, then fsyncs each directory once",
  {
    skip: !HAS_STRACE,
  },
  async () => {
    await using dir = tempDir();
    makeTree(dir.path, [
      { kind: "file", path: "t/a/1", content: "1" },
      { kind: "file", path: "t/a/2", content: "2" },
      { kind: "file", path: "t/b/3", content: "3" },
    ]);
    const t = dir.join("t");
    await snap(dir.path, [t]);
    for (const p of ["a/1", "a/2", "b/3"]) fs.writeFileSync(posix.join(t, p), "changed");
    const trace = dir.join("trace");
    // -y names each fd's file: the runtime's own fsyncs (Deno's caches) are not counted.
    const r = await runStraced(dir.path, ["-y", "-e", "trace=syncfs,fsync,rename", "-o", trace], [
      "restore",
      "--no-pre-snapshot",
      t,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const calls = read(trace).split("\n").filter((l) => l.includes(t))
      .map((l) => /(syncfs|fsync|rename)\(/.exec(l)?.[1]).filter((c) => c !== undefined);
    assert.deepEqual(calls, ["syncfs", "rename", "rename", "rename", "fsync", "fsync"]);
    assert.match(
      read(trace),
      /rename\("[^"]*\/t\/a\/\.1\.snapyard\.\d+\.restore\.tmp-\d+-\d+", "[^"]*\/t\/a\/1"\)/,
    );
  },
);
