import assert from "node:assert/strict";
import * as fs from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import { tempDir } from "../_helpers/helpers.ts";
import { assertEntry, cli, events, exists } from "../_helpers/entry_fixture.ts";
import { incrementalRun, recordOf, writeRecord } from "../_helpers/run_fixture.ts";
import { runRecordName } from "../../lib/store/layout.ts";

/** Local time on a simulated day of January 2024 (so days are local days). */
const at = (day: number, hour: number) => new Date(2024, 0, day, hour).getTime();

/** The tree's state: file name → content, absent names left out. */
type State = Record<string, string>;

const NAMES = ["a", "b", "c", "sub/d"];

function stateOf(root: string): State {
  const out: State = {};
  for (const n of NAMES) {
    const p = posix.join(root, n);
    if (exists(p)) out[n] = fs.readFileSync(p, "utf8");
  }
  return out;
}

function setState(root: string, s: State): void {
  for (const n of NAMES) {
    const p = posix.join(root, n);
    if (s[n] === undefined) fs.rmSync(p, { force: true });
    else {
      fs.mkdirSync(posix.dirname(p), { recursive: true });
      fs.writeFileSync(p, s[n]!);
    }
  }
}

/**
 * Five incremental runs of `<dir>/t` on three days (two, one, two runs): each saves only
 * what changed since the one before. Returns each run's TS and the tree it saw.
 */
async function threeDays(work: string, store: string) {
  const root = posix.join(work, "t");
  const steps: [ts: number, state: State][] = [
    [at(10, 9), { a: "a1", b: "b1", c: "c1", "sub/d": "d1" }],
    [at(10, 18), { a: "a2", b: "b1", c: "c1", "sub/d": "d1" }],
    [at(11, 12), { a: "a2", b: "b3", "sub/d": "d1" }], // c deleted: a tombstone
    [at(12, 8), { a: "a4", b: "b3", "sub/d": "d4" }],
    [at(12, 20), { a: "a4", b: "b5", "sub/d": "d4" }],
  ];
  let before: State = {};
  for (const [ts, state] of steps) {
    setState(root, state);
    const changed = NAMES.filter((n) => state[n] !== before[n]).map((n) => posix.join(root, n));
    await incrementalRun(work, store, root, changed, ts);
    before = state;
  }
  return { root, steps };
}

/** The TSs `runs --json` lists. */
async function listed(work: string, store: string, root: string): Promise<number[]> {
  const r = await cli(work, ["runs", "--json", "--store", store, root]);
  assert.equal(r.code, 0, r.stderr);
  return events(r).all.filter((e) => e.event === "run").map((e) => e.ts as number);
}

/** Restores `root` at `ts` and returns the tree it gives. */
async function restoredAt(work: string, store: string, root: string, ts: number) {
  const r = await cli(work, [
    "restore",
    "--no-pre-snapshot",
    "--no-fsync",
    "--store",
    store,
    "--at",
    String(ts),
    root,
  ]);
  assert.equal(r.code, 0, `restore --at ${ts}: ${r.stderr}`);
  return stateOf(root);
}

test("prune --keep-daily 2 keeps every run runs lists restorable as a whole and drops the rest", async () => {
  await using dir = tempDir();
  const store = dir.join("store");
  const { root, steps } = await threeDays(dir.path, store);
  const ts = steps.map(([t]) => t);
  assert.deepEqual(await listed(dir.path, store, root), [...ts].reverse());
  const r = await cli(dir.path, ["prune", "--json", "--store", store, "--keep-daily", "2", root]);
  assert.equal(r.code, 0, r.stderr);
  const { all, summary } = events(r);
  // The newest run of each of the two newest days: day 12 at 20:00 and day 11.
  assert.deepEqual(await listed(dir.path, store, root), [ts[4], ts[2]]);
  assert.deepEqual(
    all.filter((e) => e.event === "run_pruned").map((e) => e.ts).sort(),
    [ts[0], ts[1], ts[3]],
  );
  assert.deepEqual([summary.runs_kept, summary.runs_pruned, summary.failed], [2, 3, 0]);
  for (const t of [ts[0]!, ts[1]!, ts[3]!]) {
    assert.ok(!exists(posix.join(store, root, runRecordName("snapyard", t))), `record ${t}`);
  }
  // Run 3 needs d from run 1 (unchanged since): kept; a, b, c of run 1 are needed by no
  // kept run: gone.
  const entryDir = posix.join(store, root);
  assertEntry(posix.join(entryDir, "sub"), "d", "snapyard", ts[0]!, true);
  for (const n of ["a", "b", "c"]) assertEntry(entryDir, n, "snapyard", ts[0]!, false);
  for (const [t, state] of [steps[2]!, steps[4]!]) {
    assert.deepEqual(await restoredAt(dir.path, store, root, t), state, `run ${t}`);
  }
});

test("prune --keep 1 after incremental runs keeps every target restorable at its newest version", async () => {
  await using dir = tempDir();
  const store = dir.join("store");
  const { root, steps } = await threeDays(dir.path, store);
  const r = await cli(dir.path, ["prune", "--store", store, "--keep", "1", root]);
  assert.equal(r.code, 0, r.stderr);
  const newest = steps[4]!;
  assert.deepEqual(await listed(dir.path, store, root), [newest[0]]);
  // Scramble the tree, then the newest run gives it back whole (c stays absent).
  setState(root, { a: "x", b: "x", c: "x", "sub/d": "x" });
  assert.deepEqual(await restoredAt(dir.path, store, root, newest[0]), newest[1]);
  const l = await cli(dir.path, ["list", "--json", "--store", store, root]);
  const kept = events(l).all.filter((e) => e.event === "entry").map((e) => `${e.target} ${e.ts}`);
  const [t1, , t3, t4, t5] = steps.map(([t]) => t);
  assert.deepEqual(
    kept.sort(),
    [`a ${t4}`, `b ${t5}`, `c ${t3}`, `sub/d ${t4}`].map((k) => `${root}/${k}`).sort(),
    `run 1 (${t1}) left nothing`,
  );
});

test("prune treats entries without a run record as runs of their own TS", async () => {
  await using dir = tempDir();
  const store = dir.join("store");
  const { root, steps } = await threeDays(dir.path, store);
  const ts = steps.map(([t]) => t);
  // Records lost (written before run records existed): per-entry retention, as before.
  for (const t of ts) fs.rmSync(posix.join(store, root, runRecordName("snapyard", t)));
  const r = await cli(dir.path, ["prune", "--json", "--store", store, "--keep", "2", root]);
  assert.equal(r.code, 0, r.stderr);
  const pruned = events(r).all.filter((e) => e.event === "pruned").map((e) =>
    `${posix.relative(root, e.target as string)} ${e.ts}`
  );
  // Runs 4 and 5 are kept; a and sub/d keep their newest (run 4), b run 5 and c its
  // newest complete entry (the tombstone of run 3); everything older goes.
  assert.deepEqual(
    pruned.sort(),
    [`a ${ts[0]}`, `a ${ts[1]}`, `b ${ts[0]}`, `b ${ts[2]}`, `c ${ts[0]}`, `sub/d ${ts[0]}`]
      .sort(),
  );
});

test("prune keeps the TS of a run record that does not parse, reports it and exits 3", async () => {
  await using dir = tempDir();
  const store = dir.join("store");
  const { root, steps } = await threeDays(dir.path, store);
  const t1 = steps[0]![0];
  const bad = posix.join(store, root, runRecordName("snapyard", t1));
  fs.writeFileSync(bad, "{");
  const r = await cli(dir.path, ["prune", "--json", "--store", store, "--keep", "1", root]);
  assert.equal(r.code, 3, r.stderr);
  const errors = events(r).all.filter((e) => e.event === "error");
  assert.deepEqual(errors.map((e) => e.path), [bad]);
  assert.ok(exists(bad));
  // Run 1 may need anything: every target keeps its version at run 1.
  for (const n of ["a", "b", "c"]) assertEntry(posix.join(store, root), n, "snapyard", t1, true);
});

test("prune --dry-run names the runs it would drop and changes nothing", async () => {
  await using dir = tempDir();
  const store = dir.join("store");
  const root = dir.join("t");
  fs.mkdirSync(root);
  fs.writeFileSync(posix.join(root, "a"), "1");
  await incrementalRun(dir.path, store, root, [posix.join(root, "a")], at(10, 9));
  fs.writeFileSync(posix.join(root, "a"), "2");
  await incrementalRun(dir.path, store, root, [posix.join(root, "a")], at(11, 9));
  // A record of another tree in the same store: not this prune's business.
  const other = writeRecord(posix.join(store, dir.join("u")), recordOf(at(1, 1), [dir.join("u")]));
  const before = fs.readdirSync(store, { recursive: true }).sort();
  const r = await cli(dir.path, ["prune", "--dry-run", "--store", store, "--keep", "1", root]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(store, { recursive: true }).sort(), before);
  assert.match(r.stdout, new RegExp(`Would prune run ${at(10, 9)} `));
  assert.doesNotMatch(r.stdout, new RegExp(`run ${at(1, 1)}`));
  assert.match(r.stdout, /1 run would be dropped/);
  const real = await cli(dir.path, ["prune", "--store", store, "--keep", "1", root]);
  assert.equal(real.code, 0, real.stderr);
  assert.ok(exists(other));
});
