/** Unit tests of lib/store/retention.ts (restic/borg keep policies over runs). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { keptRuns, periodKey } from "../../lib/store/retention.ts";

const H = 3_600_000;
const D = 24 * H;
/** Local noon on 2026-03-02 (a Monday), so hour/day arithmetic stays inside days. */
const BASE = new Date(2026, 2, 2, 12, 0, 0).getTime();

test("keptRuns() --keep N keeps the N newest runs", () => {
  const runs = [BASE, BASE + 1, BASE + 2, BASE + 3];
  assert.deepEqual([...keptRuns(runs, { last: 2, now: BASE })].sort(), [BASE + 2, BASE + 3]);
  assert.equal(keptRuns(runs, { last: 0, now: BASE }).size, 0);
});

test("keptRuns() --keep-daily N keeps the newest run of each of the N newest days", () => {
  const runs = [BASE, BASE + H, BASE + D, BASE + D + H, BASE + 2 * D, BASE + 2 * D + 2 * H];
  const kept = keptRuns(runs, { daily: 2, now: BASE });
  assert.deepEqual([...kept].sort((a, b) => a - b), [BASE + D + H, BASE + 2 * D + 2 * H]);
});

test("keptRuns() --keep-hourly, weekly, monthly, yearly use local-time periods", () => {
  const runs = [BASE, BASE + 10 * 60_000, BASE + H, BASE + 7 * D, BASE + 40 * D, BASE + 400 * D];
  assert.deepEqual(
    [...keptRuns(runs, { hourly: 3, now: BASE })].sort((a, b) => a - b),
    [BASE + 40 * D, BASE + 7 * D, BASE + 400 * D].sort((a, b) => a - b),
  );
  assert.equal(keptRuns(runs, { weekly: 10, now: BASE }).size, 4);
  assert.equal(keptRuns(runs, { monthly: 10, now: BASE }).size, 3);
  assert.equal(keptRuns(runs, { yearly: 10, now: BASE }).size, 2);
});

test("keptRuns() combines policies as a union and then drops runs beyond --max-age", () => {
  const runs = [BASE, BASE + D, BASE + 2 * D, BASE + 3 * D];
  const union = keptRuns(runs, { last: 1, withinMs: D, now: BASE });
  assert.deepEqual([...union].sort((a, b) => a - b), [BASE + 2 * D, BASE + 3 * D]);
  const aged = keptRuns(runs, { maxAgeMs: D + 1, now: BASE + 3 * D });
  assert.deepEqual([...aged].sort((a, b) => a - b), [BASE + 2 * D, BASE + 3 * D]);
});

test("periodKey() puts Sunday and the next Monday in different ISO weeks", () => {
  const sunday = new Date(2026, 2, 8, 23, 0).getTime();
  const monday = new Date(2026, 2, 9, 1, 0).getTime();
  assert.notEqual(periodKey(sunday, "weekly"), periodKey(monday, "weekly"));
  assert.equal(periodKey(BASE, "weekly"), periodKey(sunday, "weekly"));
  assert.equal(periodKey(new Date(2027, 0, 1).getTime(), "weekly"), "2026-W53");
});
