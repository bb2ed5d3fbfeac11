import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import {
  cliCommand,
  type Fixture,
  holdLock,
  makeTree,
  runCli,
  tempDir,
} from "./_helpers/helpers.ts";
import {
  assertEntry,
  cli,
  events,
  exists,
  fastTempDir,
  files,
  NO_STRACE,
  picture,
  retime,
  runStraced,
  snap,
} from "./_helpers/entry_fixture.ts";
import { judgeRuns, planTarget, type RunVerdict } from "../lib/prune_plan.ts";
import type { EntryRef, TargetScan } from "../lib/store/entries.ts";
import { parseAnyName, payloadName, runRecordName } from "../lib/store/layout.ts";

const DAY = 86_400_000;
type Ev = Record<string, unknown>;

// planTarget: the retention rule alone, on scans declared as data.

const NOW = 100 * DAY;

/** A scan of target /t/a whose entries have these TSs (newest first) and states. */
function scanOf(entries: [ts: number, state: EntryRef["state"]][]): TargetScan {
  return {
    target: "/t/a",
    dir: "/t",
    name: "a",
    tag: "snapyard",
    entries: entries.map(([ts, state]) => ({
      ts,
      state,
      payload: `/t/.a.snapyard.${ts}.bak`,
      sidecar: `/t/.a.snapyard.${ts}.bak.meta.json`,
    })),
    orphanPayloads: [],
    temps: [],
  };
}

/**
 * planTarget's verdict as TS lists, each entry TS an implicit run judged by `rules`, with
 * `asked`: the TSs isComplete was asked about.
 */
function plan(
  scan: TargetScan,
  rules: { keep?: number; maxAgeMs?: number },
  complete = (e: EntryRef) => e.state === "complete",
) {
  const asked: number[] = [];
  const verdicts = judgeRuns(scan.entries.map((e) => e.ts), {
    last: rules.keep,
    maxAgeMs: rules.maxAgeMs,
    now: NOW,
  });
  const p = planTarget(scan.entries, [...verdicts.values()], (e) => {
    asked.push(e.ts);
    return complete(e);
  });
  return {
    kept: p.kept.map((e) => e.ts),
    removed: p.removed.map((r) => `${r.entry.ts} ${r.why}`),
    asked,
  };
}

test("planTarget() with --keep N keeps the N newest and removes the rest by count", () => {
  const scan = scanOf([[NOW - 1, "complete"], [NOW - 2, "complete"], [NOW - 3, "complete"]]);
  assert.deepEqual(plan(scan, { keep: 2 }), {
    kept: [NOW - 1, NOW - 2],
    removed: [`${NOW - 3} count`],
    asked: [NOW - 1],
  });
});

test("planTarget() with --max-age removes entries strictly older, and names both rules when both apply", () => {
  const scan = scanOf([
    [NOW - DAY, "complete"],
    [NOW - 2 * DAY, "complete"],
    [NOW - 3 * DAY, "complete"],
  ]);
  assert.deepEqual(plan(scan, { maxAgeMs: 2 * DAY }).removed, [`${NOW - 3 * DAY} age`]);
  assert.deepEqual(plan(scan, { keep: 1, maxAgeMs: 2 * DAY }).removed, [
    `${NOW - 2 * DAY} count`,
    `${NOW - 3 * DAY} count, age`,
  ]);
  assert.deepEqual(plan(scan, {}).removed, [], "no rule: everything is kept");
});

test("planTarget() keeps the newest complete entry below newer broken ones, whatever the rules", () => {
  const scan = scanOf([
    [NOW - DAY, "payload_missing"],
    [NOW - 2 * DAY, "payload_missing"],
    [NOW - 3 * DAY, "complete"],
    [NOW - 4 * DAY, "complete"],
  ]);
  const p = plan(scan, { keep: 0, maxAgeMs: 0 });
  assert.deepEqual(p.kept, [NOW - 3 * DAY]);
  assert.equal(p.removed.length, 3);
  assert.deepEqual(p.asked, [NOW - DAY, NOW - 2 * DAY, NOW - 3 * DAY], "asked only until found");
  // A broken entry inside the window stays (verify keeps naming it).
  assert.deepEqual(plan(scan, { keep: 2 }).kept, [NOW - DAY, NOW - 2 * DAY, NOW - 3 * DAY]);
});

test("planTarget() protects no entry when none is complete: every one past the rules goes", () => {
  const scan = scanOf([[NOW - 1, "payload_missing"], [NOW - 2, "complete"]]);
  assert.deepEqual(plan(scan, { keep: 0 }, () => false), {
    kept: [],
    removed: [`${NOW - 1} count`, `${NOW - 2} count`],
    asked: [NOW - 1, NOW - 2],
  });
});

test("judgeRuns() names why each run goes: count, age, or both", () => {
  const v = judgeRuns([NOW - DAY, NOW - 2 * DAY, NOW - 3 * DAY, NOW - 4 * DAY], {
    last: 2,
    maxAgeMs: 1.5 * DAY,
    now: NOW,
  });
  assert.deepEqual([...v.values()].map((r) => r.kept ? `${r.ts} kept` : `${r.ts} ${r.why}`), [
    `${NOW - DAY} kept`,
    `${NOW - 2 * DAY} age`,
    `${NOW - 3 * DAY} count, age`,
    `${NOW - 4 * DAY} count, age`,
  ]);
  const countOnly = judgeRuns([1, 2, 3], { last: 1, now: NOW });
  assert.deepEqual(countOnly.get(1), { ts: 1, kept: false, why: "count" });
});

/** Verdicts as data: `[ts, true]` kept, `[ts, why]` going. */
function runsOf(list: [ts: number, v: true | "count" | "age"][]): RunVerdict[] {
  return list.map(([ts, v]) => v === true ? { ts, kept: true } : { ts, kept: false, why: v });
}

test("planTarget() keeps the older version a kept run needs when the target has no entry at its TS", () => {
  // Incremental runs: the target changed at 10, 30 and 40; kept run 20 found it unchanged.
  const scan = scanOf([[40, "complete"], [30, "complete"], [10, "complete"]]);
  const p = planTarget(
    scan.entries,
    runsOf([[40, true], [30, "count"], [20, true], [10, "count"]]),
    (e) => e.state === "complete",
  );
  assert.deepEqual(p.kept.map((e) => e.ts), [40, 10]);
  assert.deepEqual(p.removed.map((r) => [r.entry.ts, r.why]), [[30, "count"]]);
});

test("planTarget() gives an entry the reasons of every dropped run that needed it", () => {
  const scan = scanOf([[50, "complete"], [30, "complete"]]);
  const p = planTarget(
    scan.entries,
    runsOf([[50, true], [40, "count"], [30, "age"]]),
    (e) => e.state === "complete",
  );
  assert.deepEqual(p.removed.map((r) => [r.entry.ts, r.why]), [[30, "count, age"]]);
});

test("planTarget() keeps an entry that no run selects, and anything when no run is given", () => {
  const scan = scanOf([[30, "complete"], [20, "complete"], [10, "complete"]]);
  // Run 25 selects 20; nothing selects 10 (no run at or after it before 20).
  const p = planTarget(scan.entries, runsOf([[30, true], [25, "count"]]), () => true);
  assert.deepEqual(p.kept.map((e) => e.ts), [30, 10]);
  assert.deepEqual(p.removed.map((r) => r.entry.ts), [20]);
  assert.deepEqual(planTarget(scan.entries, [], () => true).removed, []);
});

/** `n` runs of target `<dir>/a` (content changes each time), oldest first. */
/**
 * `n` entries of `dir/a`, as a store written before run records had them: each TS is a
 * run of its own (what these per-entry tests of --keep and --max-age rely on; runs with
 * records have tests in tests/cli/prune_runs_test.ts).
 */
async function runs(dir: string, n: number, extra: string[] = []): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    fs.writeFileSync(posix.join(dir, "a"), `version ${i}`);
    const ts = await snap(dir, [...extra, posix.join(dir, "a")]);
    const store = extra.indexOf("--store");
    const anchor = store < 0 ? dir : posix.join(extra[store + 1]!, dir);
    fs.rmSync(posix.join(anchor, runRecordName("snapyard", ts)), { force: true });
    out.push(ts);
  }
  return out;
}

test("prune --keep N keeps exactly the N newest entries and removes both files of the rest", async () => {
  await using dir = tempDir();
  const ts = await runs(dir.path, 5);
  const r = await cli(dir.path, ["prune", "--json", "--keep", "2", dir.join("a")]);
  assert.equal(r.code, 0, r.stderr);
  for (const t of ts.slice(3)) assertEntry(dir.path, "a", "snapyard", t, true);
  for (const t of ts.slice(0, 3)) assertEntry(dir.path, "a", "snapyard", t, false);
  const { all, summary } = events(r);
  assert.deepEqual(all.filter((e) => e.event === "pruned").map((e) => e.ts).sort(), ts.slice(0, 3));
  assert.deepEqual([summary.pruned, summary.kept, summary.failed], [3, 2, 0]);
  const v = await cli(dir.path, ["verify", dir.join("a")]);
  assert.equal(v.code, 0, v.stderr);
});

test("prune --keep 0 still keeps the newest entry's pair", async () => {
  await using dir = tempDir();
  const ts = await runs(dir.path, 3);
  const r = await cli(dir.path, ["prune", "--keep", "0", dir.join("a")]);
  assert.equal(r.code, 0, r.stderr);
  assertEntry(dir.path, "a", "snapyard", ts[2]!, true);
  assertEntry(dir.path, "a", "snapyard", ts[1]!, false);
  assertEntry(dir.path, "a", "snapyard", ts[0]!, false);
});

test("prune keeps the newest complete entry when newer entries are broken", async () => {
  await using dir = tempDir();
  const [t0, t1, t2, t3] = await runs(dir.path, 4);
  // The two newest are unusable: payload gone, sidecar corrupt.
  fs.rmSync(files(dir.path, "a", "snapyard", t3!).payload);
  fs.writeFileSync(files(dir.path, "a", "snapyard", t2!).sidecar, "{");
  const r = await cli(dir.path, ["prune", "--keep", "1", dir.join("a")]);
  assert.equal(r.code, 0, r.stderr);
  assertEntry(dir.path, "a", "snapyard", t1!, true); // newest complete: kept
  assert.ok(exists(files(dir.path, "a", "snapyard", t3!).sidecar)); // index 0: within --keep 1
  assertEntry(dir.path, "a", "snapyard", t2!, false);
  assertEntry(dir.path, "a", "snapyard", t0!, false);
  // By age alone every entry is old: the broken ones go, the newest complete stays.
  for (const t of [t3!, t1!]) retime(dir.path, "a", "snapyard", t, t - 10 * DAY);
  const old = await cli(dir.path, ["prune", "--max-age", "1d", dir.join("a")]);
  assert.equal(old.code, 0, old.stderr);
  assertEntry(dir.path, "a", "snapyard", t1! - 10 * DAY, true);
  assert.ok(!exists(files(dir.path, "a", "snapyard", t3! - 10 * DAY).sidecar));
});

test("prune --max-age and --keep combine as OR, age by the TS in the name", async () => {
  await using dir = tempDir();
  const made = await runs(dir.path, 5);
  // Ages, newest first: 0, 10, 20, 35, 40 days.
  const ages = [40, 35, 20, 10, 0];
  const ts = made.map((t, i) => t - ages[i]! * DAY);
  made.forEach((t, i) => retime(dir.path, "a", "snapyard", t, ts[i]!));
  // Age removes more than count: --keep 4 alone would remove one, 15d removes three.
  const r = await cli(dir.path, [
    "prune",
    "--json",
    "--keep",
    "4",
    "--max-age",
    "15d",
    dir.join("a"),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const why = Object.fromEntries(
    events(r).all.filter((e) => e.event === "pruned").map((e) => [e.ts as number, e.why]),
  );
  assert.deepEqual(why, { [ts[0]!]: "count, age", [ts[1]!]: "age", [ts[2]!]: "age" });
  for (const t of ts.slice(3)) assertEntry(dir.path, "a", "snapyard", t, true);
  for (const t of ts.slice(0, 3)) assertEntry(dir.path, "a", "snapyard", t, false);
  // Count removes more than age: --keep 2 removes three, 38d only one.
  const dir2 = dir.join("second");
  fs.mkdirSync(dir2);
  const made2 = await runs(dir2, 5);
  const ts2 = made2.map((t, i) => t - ages[i]! * DAY);
  made2.forEach((t, i) => retime(dir2, "a", "snapyard", t, ts2[i]!));
  const r2 = await cli(dir.path, [
    "prune",
    "--keep",
    "2",
    "--max-age",
    "38d",
    posix.join(dir2, "a"),
  ]);
  assert.equal(r2.code, 0, r2.stderr);
  for (const t of ts2.slice(3)) assertEntry(dir2, "a", "snapyard", t, true);
  for (const t of ts2.slice(0, 3)) assertEntry(dir2, "a", "snapyard", t, false);
});

test("verify names and prune removes the temps of a run record and of a version cache", async () => {
  await using dir = tempDir();
  fs.mkdirSync(dir.join("t"));
  fs.writeFileSync(dir.join("t/f"), "x");
  const store = dir.join("store");
  const made = await snap(dir.path, ["--store", store, dir.join("t")]);
  const image = posix.join(store, dir.join("t"));
  const recordTemp = posix.join(image, `${runRecordName("snapyard", made + 9)}.tmp-999-1`);
  const cacheTemp = posix.join(image, ".snapyard-cache.snapyard.json.tmp-999-2");
  const otherTag = posix.join(image, ".snapyard-cache.nightly.json.tmp-999-3");
  for (const t of [recordTemp, cacheTemp, otherTag]) fs.writeFileSync(t, '{"torn');
  const v = await cli(dir.path, ["verify", "--json", "--store", store]);
  assert.equal(v.code, 71, v.stdout);
  const named = events(v).all.filter((e) => e.event === "problem" && e.state === "temp")
    .map((e) => e.path).sort();
  assert.deepEqual(named, [recordTemp, cacheTemp].sort());
  const r = await cli(dir.path, [
    "prune",
    "--json",
    "--keep",
    "10",
    "--store",
    store,
    dir.join("t"),
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(events(r).summary.temps, 2);
  assert.ok(!exists(recordTemp) && !exists(cacheTemp), "both temps are gone");
  assert.ok(exists(otherTag), "another tag's temp is not this prune's");
  const after = await cli(dir.path, ["verify", "--store", store]);
  assert.equal(after.code, 0, after.stdout + after.stderr);
});

test("prune removes orphan payloads and leftover temp files, then verify exits 0", async () => {
  await using dir = tempDir();
  const ts = await runs(dir.path, 2);
  const orphan = files(dir.path, "a", "snapyard", ts[1]! + 7).payload;
  fs.writeFileSync(orphan, "half a payload");
  const temp = `${files(dir.path, "a", "snapyard", ts[1]! + 7).sidecar}.tmp-999-3`;
  fs.writeFileSync(temp, '{"schema"');
  const before = await cli(dir.path, ["verify", dir.join("a")]);
  assert.equal(before.code, 71);
  const r = await cli(dir.path, ["prune", "--json", "--keep", "10", dir.join("a")]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!exists(orphan) && !exists(temp));
  for (const t of ts) assertEntry(dir.path, "a", "snapyard", t, true);
  const { summary } = events(r);
  assert.deepEqual([summary.pruned, summary.orphan_payloads, summary.temps], [0, 1, 1]);
  const after = await cli(dir.path, ["verify", dir.join("a")]);
  assert.equal(after.code, 0, after.stderr);
});

test("prune of foo leaves foo.conf, foo.x and other tags untouched", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "foo", content: "1" },
    { kind: "file", path: "foo.conf", content: "2" },
    { kind: "file", path: "foo.x", content: "3" },
  ]);
  const all = ["foo", "foo.conf", "foo.x"].map((n) => dir.join(n));
  const def = [await snap(dir.path, all), await snap(dir.path, all)];
  const tagged = [
    await snap(dir.path, ["--tag", "x", dir.join("foo")]),
    await snap(dir.path, ["--tag", "x", dir.join("foo")]),
  ];
  const r = await cli(dir.path, ["prune", "--keep", "1", dir.join("foo")]);
  assert.equal(r.code, 0, r.stderr);
  assertEntry(dir.path, "foo", "snapyard", def[0]!, false);
  assertEntry(dir.path, "foo", "snapyard", def[1]!, true);
  for (const n of ["foo.conf", "foo.x"]) {
    for (const t of def) assertEntry(dir.path, n, "snapyard", t, true);
  }
  for (const t of tagged) assertEntry(dir.path, "foo", "x", t, true);
  const x = await cli(dir.path, ["prune", "--keep", "1", "--tag", "x", dir.path]);
  assert.equal(x.code, 0, x.stderr);
  assertEntry(dir.path, "foo", "x", tagged[0]!, false);
  assertEntry(dir.path, "foo", "x", tagged[1]!, true);
  for (const t of def) assertEntry(dir.path, "foo.x", "snapyard", t, true);
});

test("prune of a directory PATH in a --store prunes every target below, in the store only", async () => {
  await using dir = tempDir();
  const store = dir.join("store");
  makeTree(dir.path, [
    { kind: "file", path: "t/one", content: "1" },
    { kind: "file", path: "t/sub/two", content: "2" },
  ]);
  const ts = [
    await snap(dir.path, ["--store", store, dir.join("t")]),
    await snap(dir.path, ["--store", store, dir.join("t")]),
  ];
  const tree = picture(dir.join("t"));
  const r = await cli(dir.path, ["prune", "--store", store, "--keep", "1", dir.join("t")]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(picture(dir.join("t")), tree);
  for (const [d, n] of [[dir.join("t"), "one"], [dir.join("t/sub"), "two"]] as const) {
    assertEntry(posix.join(store, d), n, "snapyard", ts[0]!, false);
    assertEntry(posix.join(store, d), n, "snapyard", ts[1]!, true);
  }
});

test("prune with --store removes a restore temp a crash left beside its target", async () => {
  await using dir = tempDir();
  const store = dir.join("store");
  makeTree(dir.path, [{ kind: "file", path: "t/one", content: "1" }]);
  const ts = await snap(dir.path, ["--store", store, dir.join("t")]);
  const temp = dir.join(`t/.one.snapyard.${ts}.restore.tmp-31337-1`);
  fs.writeFileSync(temp, "half a restore");
  const v = await cli(dir.path, ["verify", "--json", "--store", store]);
  assert.equal(v.code, 71);
  assert.deepEqual(
    events(v).all.filter((e) => e.event === "problem").map((e) => [e.state, e.path]),
    [["temp", temp]],
  );
  const r = await cli(dir.path, ["prune", "--store", store, "--keep", "5", dir.join("t")]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!exists(temp));
  assertEntry(posix.join(store, dir.join("t")), "one", "snapyard", ts, true);
  assert.equal((await cli(dir.path, ["verify", "--store", store])).code, 0);
});

test("prune --dry-run prints what would go and changes nothing", async () => {
  await using dir = tempDir();
  const ts = await runs(dir.path, 3);
  fs.writeFileSync(files(dir.path, "a", "snapyard", 5).payload, "orphan");
  const before = picture(dir.path);
  const r = await cli(dir.path, ["prune", "--dry-run", "--keep", "1", dir.join("a")]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(picture(dir.path), before);
  assert.match(r.stdout, new RegExp(`Would prune "${dir.join("a")}" entry ${ts[0]}`));
  assert.match(r.stdout, new RegExp(`Would prune "${dir.join("a")}" entry ${ts[1]}`));
  assert.match(r.stdout, /Would remove orphan payload/);
  assert.match(r.stdout, /2 entries would be pruned, 1 kept/);
});

test("prune reports a failed removal with path and reason, does not count it, exits 3", {
  skip: NO_STRACE,
}, async () => {
  await using dir = tempDir();
  const ts = await runs(dir.path, 4);
  const stuck = files(dir.path, "a", "snapyard", ts[0]!).sidecar;
  const half = files(dir.path, "a", "snapyard", ts[1]!).payload;
  const inject = ["-e", "trace=unlink,unlinkat", "-e", "inject=unlink,unlinkat:error=EIO"];
  const r = await runStraced(dir.path, ["-o", "/dev/null", "-P", stuck, "-P", half, ...inject], [
    "prune",
    "--json",
    "--keep",
    "1",
    dir.join("a"),
  ]);
  assert.equal(r.code, 3, r.stderr);
  const { all, summary } = events(r);
  const errors = all.filter((e) => e.event === "error");
  assert.deepEqual(errors.map((e) => e.path).sort(), [half, stuck].sort());
  assert.ok(errors.every((e) => /input\/output error \(EIO\)/.test(e.reason as string)));
  assert.deepEqual([summary.pruned, summary.failed], [1, 2]);
  assertEntry(dir.path, "a", "snapyard", ts[0]!, true); // sidecar could not go: entry intact
  assertEntry(dir.path, "a", "snapyard", ts[2]!, false);
  // Sidecar gone, payload stuck: an orphan, never a sidecar without data.
  assert.ok(exists(half) && !exists(files(dir.path, "a", "snapyard", ts[1]!).sidecar));
  const h = await cli(dir.path, ["prune", "--keep", "1", dir.join("a")]);
  assert.equal(h.code, 0, h.stderr);
  assert.ok(!exists(half));
  assertEntry(dir.path, "a", "snapyard", ts[0]!, false);
});

test("prune removes each sidecar before its payload and fsyncs each touched directory once", {
  skip: NO_STRACE,
}, async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "t/a", content: "1" },
    { kind: "file", path: "t/s/b", content: "2" },
    { kind: "file", path: "u/c", content: "3" },
  ]);
  const all = [dir.join("t"), dir.join("u")];
  for (let i = 0; i < 3; i++) await snap(dir.path, all);
  const trace = dir.join("trace.txt");
  const r = await runStraced(dir.path, [
    "-y",
    "-o",
    trace,
    "-e",
    "trace=unlink,unlinkat,fsync,fdatasync",
  ], ["prune", "--keep", "1", dir.join("t")]);
  assert.equal(r.code, 0, r.stderr);
  const lines = fs.readFileSync(trace, "utf8").split("\n").filter((l) => l.includes(dir.path));
  const unlinked = lines.flatMap((l) => /unlink(?:at)?\(.*?"([^"]+)"/.exec(l)?.[1] ?? []);
  // Two entries of each of t's three targets, then the records of t's two dropped runs.
  assert.equal(unlinked.length, 8 + 2, unlinked.join("\n"));
  assert.ok(unlinked.slice(8).every((p) => p.includes(".snapyard-run.")), "records go last");
  for (const p of unlinked.filter((p) => p.endsWith(".bak"))) {
    assert.ok(unlinked.indexOf(`${p}.meta.json`) < unlinked.indexOf(p), `${p} before its sidecar`);
  }
  const synced = lines.flatMap((l) => /fsync\(\d+<([^>]+)>\)/.exec(l)?.[1] ?? []).sort();
  assert.deepEqual(synced, [dir.join("t"), dir.join("t/s")]);
  // --no-fsync: no directory fsync at all.
  await snap(dir.path, all);
  await snap(dir.path, all);
  const r2 = await runStraced(dir.path, ["-y", "-o", trace, "-e", "trace=fsync,fdatasync"], [
    "prune",
    "--no-fsync",
    "--keep",
    "1",
    dir.join("t"),
  ]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.ok(!fs.readFileSync(trace, "utf8").includes(`<${dir.path}`));
});

test("prune waits for the run lock and exits 30 naming the lock file", async () => {
  await using dir = tempDir();
  await runs(dir.path, 2);
  const lock = dir.join("held.lock");
  // Another process holds the run lock for the whole test.
  await using _held = await holdLock(lock);
  const t0 = performance.now();
  const r = await runCli([
    "prune",
    "--keep",
    "1",
    "--lock",
    lock,
    "--lock-timeout",
    "200",
    dir.join("a"),
  ]);
  assert.equal(r.code, 30);
  assert.ok(performance.now() - t0 >= 200);
  assert.ok(r.stderr.includes(lock), r.stderr);
});

/** Starts a snapshot and SIGKILLs it after `ms`; resolves with the signal (null: it finished). */
function killedSnapshot(dir: string, args: string[], ms: number): Promise<string | null> {
  const [cmd, argv] = cliCommand([
    "snapshot",
    "-q",
    "--lock",
    posix.join(dir, "test.lock"),
    ...args,
  ]);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: "ignore" });
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      resolve(signal);
    });
  });
}

test("incremental snapshots killed by SIGKILL at random moments leave only complete entries of states the files had, or leftovers that verify names and prune removes", async () => {
  await using dir = fastTempDir();
  const fixtures: Fixture[] = [];
  /** Every content each file ever had: no entry may claim another. */
  const states = new Map<string, Set<string>>();
  for (let i = 0; i < 2000; i++) {
    const path = `t/d${i % 20}/f${i}`;
    const content = `file ${i} `.repeat(20);
    fixtures.push({ kind: "file", path, content });
    states.set(dir.join(path), new Set([content]));
  }
  makeTree(dir.path, fixtures);
  let round = 0;
  /** Rewrites a tenth of the files, so each incremental run has copying to do. */
  const mutate = () => {
    round++;
    for (let i = round % 10; i < 2000; i += 10) {
      const path = dir.join(`t/d${i % 20}/f${i}`);
      const content = `file ${i} round ${round} `.repeat(20 + round);
      fs.writeFileSync(path, content);
      states.get(path)!.add(content);
    }
  };
  const store = dir.join("store");
  const args = ["--store", store, dir.join("t")];
  const t0 = performance.now();
  await snap(dir.path, args.concat()); // one good run first
  const full = performance.now() - t0;
  let kills = 0;
  let killed = 0;
  let v;
  do {
    // Four kills at random moments of a run, then one look; again if none left anything.
    for (let i = 0; i < 4; i++, kills++) {
      mutate();
      // A random moment inside a run (startup to exit), where files are being written.
      const ms = Math.floor(full * (0.2 + 0.75 * Math.random()));
      if (await killedSnapshot(dir.path, args, ms) === "SIGKILL") killed++;
    }
    v = await cli(dir.path, ["verify", "--json", "--store", store]);
  } while (events(v).summary.problems === 0 && kills < 24);
  const { all, summary } = events(v);
  const found = new Set(all.filter((e) => e.event === "problem").map((e) => e.state));
  // A crash leaves nothing but orphan payloads and temps; every committed entry is ok.
  for (const s of found) assert.ok(s === "orphan_payload" || s === "temp", `state ${s}`);
  // Every committed entry holds a state its file really had.
  const image = posix.join(store, dir.join("t"));
  for (const rel of fs.readdirSync(image, { recursive: true }) as string[]) {
    const p = parseAnyName(posix.basename(rel));
    if (p?.kind !== "sidecar") continue;
    const target = posix.join(dir.join("t"), posix.dirname(rel), p.name);
    const payload = posix.join(image, posix.dirname(rel), payloadName(p.name, p.tag, p.ts));
    const content = fs.readFileSync(payload, "utf8");
    assert.ok(states.get(target)?.has(content), `${target}: entry ${p.ts} claims another state`);
  }
  assert.equal(summary.ok, summary.entries);
  assert.equal(v.code, 71);
  const leftovers = summary.problems as number;
  const entries = summary.entries as number;
  assert.ok(killed >= 1, "no run was killed mid-way");
  assert.ok(leftovers > 0, "no kill left anything behind");
  const p = await cli(dir.path, [
    "prune",
    "--json",
    "--store",
    store,
    "--keep",
    "1000",
    dir.join("t"),
  ]);
  assert.equal(p.code, 0, p.stderr);
  const ps = events(p).summary;
  assert.equal(ps.pruned, 0);
  assert.equal((ps.orphan_payloads as number) + (ps.temps as number), leftovers);
  const after = await cli(dir.path, ["verify", "--json", "--store", store]);
  assert.equal(after.code, 0, after.stdout);
  assert.equal(events(after).summary.entries, entries);
  const temps = (fs.readdirSync(store, { recursive: true }) as string[])
    .filter((rel) => posix.basename(rel).includes(".tmp-"));
  assert.deepEqual(temps, [], "prune left no temp of any kind (entry, record, cache)");
  // The version caches the killed runs wrote are only caches: the next run judges every file
  // right, so the newest versions are the tree as it is, byte for byte.
  const s = await cli(dir.path, ["snapshot", "-q", "--store", store, dir.join("t")]);
  assert.equal(s.code, 0, s.stderr);
  const out = dir.join("out");
  const r = await cli(dir.path, [
    "restore",
    "-q",
    "--store",
    store,
    "--target",
    out,
    dir.join("t"),
  ]);
  assert.equal(r.code, 0, r.stderr);
  for (const target of states.keys()) {
    assert.equal(fs.readFileSync(out + target, "utf8"), fs.readFileSync(target, "utf8"), target);
  }
});
