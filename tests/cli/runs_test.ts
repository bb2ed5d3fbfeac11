import assert from "node:assert/strict";
import * as fs from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import { tempDir } from "../_helpers/helpers.ts";
import { cli, events } from "../_helpers/entry_fixture.ts";
import { recordOf, writeRecord } from "../_helpers/run_fixture.ts";

type Ev = Record<string, unknown>;
const runsOf = (all: Ev[]) => all.filter((e) => e.event === "run");

test("runs lists the runs above, at and below a PATH, newest first, a run over several PATHs once", async () => {
  await using dir = tempDir();
  const store = dir.join("store");
  const srv = dir.join("srv");
  const data = posix.join(srv, "data");
  const sub = posix.join(data, "sub");
  const anchor = (p: string) => posix.join(store, p);
  writeRecord(anchor(srv), recordOf(1000, [srv], { new: 3, unchanged: 2, bytesAdded: 4096 }));
  writeRecord(anchor(data), recordOf(2000, [data]));
  // One run over two PATHs: one copy in each anchor.
  const multi = recordOf(3000, [sub, dir.join("etc")], { origin: "pre-restore" });
  const copies = [writeRecord(anchor(sub), multi), writeRecord(anchor(dir.join("etc")), multi)];
  // A run of a sibling file, whose record sits in an ancestor's anchor: not listed.
  writeRecord(anchor(srv), recordOf(4000, [posix.join(srv, "other.conf")]));
  // Another tag: not listed.
  writeRecord(anchor(data), recordOf(5000, [data], { tag: "nightly" }));
  const r = await cli(dir.path, ["runs", "--json", "--store", store, data]);
  assert.equal(r.code, 0, r.stderr);
  const { all, summary } = events(r);
  assert.deepEqual(runsOf(all).map((e) => e.ts), [3000, 2000, 1000]);
  const first = runsOf(all)[0]!;
  assert.deepEqual(first.records, [copies[0]]);
  assert.deepEqual(first.paths, [sub, dir.join("etc")]);
  assert.equal(first.origin, "pre-restore");
  const oldest = runsOf(all)[2]!;
  assert.deepEqual(
    [oldest.new, oldest.unchanged, oldest.bytes_added, oldest.outcome, oldest.finished_at],
    [3, 2, 4096, "complete", 1005],
  );
  assert.equal(typeof oldest.time, "string");
  assert.deepEqual([summary.runs, summary.errors], [3, 0]);
  // The whole store: every run of the tag, the multi-PATH one once with both copies.
  const whole = await cli(dir.path, ["runs", "--json", "--store", store]);
  assert.equal(whole.code, 0, whole.stderr);
  const w = runsOf(events(whole).all);
  assert.deepEqual(w.map((e) => e.ts), [4000, 3000, 2000, 1000]);
  assert.deepEqual((w[1]!.records as string[]).sort(), [...copies].sort());
  const nightly = await cli(dir.path, ["runs", "--json", "--tag", "nightly", "--store", store]);
  assert.deepEqual(runsOf(events(nightly).all).map((e) => e.ts), [5000]);
});

test("runs finds records beside the targets without --store and prints a table", async () => {
  await using dir = tempDir();
  const t = dir.join("t");
  fs.mkdirSync(posix.join(t, "sub"), { recursive: true });
  writeRecord(t, recordOf(1000, [t], { new: 2, outcome: "partial", failed: 1 }));
  writeRecord(posix.join(t, "sub"), recordOf(2000, [posix.join(t, "sub")], { origin: "run" }));
  const r = await cli(dir.path, ["runs", t]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.match(
    lines[0]!,
    /^TS\s+TIME\s+TAG\s+OUTCOME\s+NEW\s+UNCHANGED\s+DELETED\s+ADDED\s+PATHS$/,
  );
  assert.match(lines[1]!, new RegExp(`^2000 .* complete .* ${posix.join(t, "sub")} \\(run\\)$`));
  assert.match(lines[2]!, new RegExp(`^1000 .* PARTIAL \\(1 failed\\) .* ${t}$`));
  assert.equal(lines[3], "runs: 2 runs");
});

test("runs reports a record that does not parse, naming its file, lists the rest and exits 3", async () => {
  await using dir = tempDir();
  const t = dir.join("t");
  writeRecord(t, recordOf(1000, [t]));
  const bad = writeRecord(t, recordOf(2000, [t]));
  fs.writeFileSync(bad, JSON.stringify({ schema: "snapyard_run.v9" }));
  const wrongTs = writeRecord(t, recordOf(3000, [t]));
  fs.writeFileSync(wrongTs, fs.readFileSync(wrongTs, "utf8").replace('"ts": 3000', '"ts": 3001'));
  const r = await cli(dir.path, ["runs", "--json", t]);
  assert.equal(r.code, 3, r.stderr);
  const { all, summary } = events(r);
  assert.deepEqual(runsOf(all).map((e) => e.ts), [1000]);
  const errors = all.filter((e) => e.event === "error");
  assert.deepEqual(errors.map((e) => e.path).sort(), [bad, wrongTs].sort());
  assert.match(errors.find((e) => e.path === bad)!.reason as string, /unknown schema/);
  assert.deepEqual([summary.runs, summary.errors], [1, 2]);
  const text = await cli(dir.path, ["runs", t]);
  assert.match(text.stderr, new RegExp(`Cannot read run record "${bad}": run record corrupt`));
});

test("runs needs PATHs or --store, takes no lock and refuses prune's options", async () => {
  await using dir = tempDir();
  const none = await cli(dir.path, ["runs"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /"runs" needs PATHs or --store DIR/);
  const keep = await cli(dir.path, ["runs", "--keep", "1", dir.path]);
  assert.equal(keep.code, 2);
  const empty = await cli(dir.path, ["runs", dir.path]);
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /No runs of tag "snapyard" found/);
  assert.ok(!fs.existsSync(dir.join("test.lock")), "runs took the lock");
});
