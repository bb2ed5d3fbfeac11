/**
 * Unit tests of `--metrics-file` (lib/cli/metrics.ts, lib/commands/metrics.ts): the samples of
 * a run, the exposition text read back by a real parser (parse-prometheus-text-format), the
 * merge that keeps other series and carries the last success over a failed run.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { formatMetrics, parseMetrics, type Sample } from "../../lib/cli/metrics.ts";
import {
  mergeSamples,
  type RunFacts,
  runSamples,
  writeMetrics,
} from "../../lib/commands/metrics.ts";
import type { SnapshotSummaryEvent } from "../../lib/events.ts";
import { SnapyardError } from "../../lib/errors.ts";
import { tempDir } from "../_helpers/helpers.ts";
import { type Family, parseExposition } from "../_helpers/prometheus.ts";

const SUMMARY: SnapshotSummaryEvent = {
  event: "summary",
  command: "snapshot",
  run: 1,
  targets: 9,
  saved: 4,
  files: 2,
  symlinks: 1,
  absent: 0,
  unchanged: 4,
  deleted: 1,
  skipped: 0,
  failed: 1,
  bytes: 1234,
  seconds: 1.5,
};

function facts(over: Partial<RunFacts> = {}): RunFacts {
  return {
    command: "snapshot",
    tag: "nightly",
    outcome: "OK",
    startedMs: 1_700_000_000_000,
    endedMs: 1_700_000_002_500,
    lockWaitMs: 250,
    summary: SUMMARY,
    ...over,
  };
}

/** The value of `name` whose labels include `labels`, as a number (undefined: no such sample). */
function valueOf(families: Family[], name: string, labels: Record<string, string>) {
  const m = families.find((f) => f.name === name)?.metrics.find((s) =>
    Object.entries(labels).every(([k, v]) => s.labels?.[k] === v)
  );
  return m === undefined ? undefined : Number(m.value);
}

test("formatMetrics() of a snapshot run parses with a real exposition parser, HELP and TYPE included", () => {
  const families = parseExposition(formatMetrics(runSamples(facts())));
  const own = { command: "snapshot", tag: "nightly" };
  assert.equal(valueOf(families, "snapyard_last_run_timestamp_seconds", own), 1_700_000_002.5);
  assert.equal(valueOf(families, "snapyard_last_success_timestamp_seconds", own), 1_700_000_002.5);
  assert.equal(valueOf(families, "snapyard_duration_seconds", own), 2.5);
  assert.equal(valueOf(families, "snapyard_exit_code", own), 0);
  assert.equal(valueOf(families, "snapyard_lock_wait_seconds", own), 0.25);
  assert.equal(valueOf(families, "snapyard_bytes_added", own), 1234);
  assert.equal(valueOf(families, "snapyard_targets", { ...own, state: "new" }), 3);
  assert.equal(valueOf(families, "snapyard_targets", { ...own, state: "unchanged" }), 4);
  assert.equal(valueOf(families, "snapyard_targets", { ...own, state: "deleted" }), 1);
  assert.equal(valueOf(families, "snapyard_targets", { ...own, state: "failed" }), 1);
  for (const f of families) {
    assert.equal(f.type, "GAUGE", f.name);
    assert.ok(f.help.length > 0, f.name);
  }
});

test("runSamples() of a failed run has its exit code and no last success", () => {
  const samples = runSamples(facts({ outcome: "LOCKED", summary: undefined }));
  const names = samples.map((s) => s.name);
  assert.ok(!names.includes("snapyard_last_success_timestamp_seconds"));
  assert.ok(!names.includes("snapyard_targets"));
  assert.equal(samples.find((s) => s.name === "snapyard_exit_code")?.value, 30);
});

test("runSamples() of run counts a rollback", () => {
  const samples = runSamples(facts({
    command: "run",
    outcome: "COMMAND_FAILED",
    summary: {
      event: "summary",
      command: "run",
      run: 1,
      command_run: true,
      rolled_back: true,
      exit_code: 1,
      restored: 2,
      failed: 0,
    },
  }));
  assert.equal(samples.find((s) => s.name === "snapyard_rollbacks")?.value, 1);
  assert.equal(samples.find((s) => s.labels.state === "restored")?.value, 2);
  assert.equal(samples.find((s) => s.name === "snapyard_exit_code")?.value, 80);
});

test("mergeSamples() keeps other commands' and tags' series and carries the last success over a failure", () => {
  const ok = runSamples(facts());
  const other = runSamples(facts({ command: "prune", summary: undefined }));
  const otherTag = runSamples(facts({ tag: "hourly" }));
  const failed = facts({ outcome: "PARTIAL", endedMs: 1_700_000_100_000 });
  const merged = mergeSamples([...ok, ...other, ...otherTag], failed);
  const families = parseExposition(formatMetrics(merged));
  const own = { command: "snapshot", tag: "nightly" };
  assert.equal(valueOf(families, "snapyard_last_run_timestamp_seconds", own), 1_700_000_100);
  assert.equal(valueOf(families, "snapyard_last_success_timestamp_seconds", own), 1_700_000_002.5);
  assert.equal(valueOf(families, "snapyard_exit_code", own), 3);
  assert.equal(valueOf(families, "snapyard_exit_code", { command: "prune", tag: "nightly" }), 0);
  assert.equal(valueOf(families, "snapyard_exit_code", { command: "snapshot", tag: "hourly" }), 0);
  // This series' samples appear once each.
  const runs = merged.filter((s) => s.name === "snapyard_last_run_timestamp_seconds");
  assert.equal(runs.length, 3);
});

test("parseMetrics() reads back what formatMetrics() wrote, escapes included", () => {
  const samples: Sample[] = [
    { name: "snapyard_exit_code", labels: { command: "snapshot", tag: 'a"b\\c\nd' }, value: 3 },
    { name: "snapyard_duration_seconds", labels: { command: "list", tag: "t" }, value: 0.125 },
  ];
  const back = parseMetrics(formatMetrics(samples), "f");
  assert.deepEqual(
    back.sort((a, b) => a.name.localeCompare(b.name)),
    [...samples].sort((a, b) => a.name.localeCompare(b.name)),
  );
});

test("parseMetrics() refuses a file that is not snapyard's", () => {
  for (const text of ["node_load1 0.5\n", 'snapyard_exit_code{command="x"} zero\n', "garbage\n"]) {
    assert.throws(
      () => parseMetrics(text, "m.prom"),
      (e: unknown) => e instanceof SnapyardError && /line 1 is not snapyard's/.test(e.message),
    );
  }
});

test("writeMetrics() replaces the file atomically and leaves no temp beside it", async () => {
  await using dir = tempDir();
  const file = dir.join("snapyard.prom");
  await writeMetrics(file, facts());
  await writeMetrics(file, facts({ command: "verify", summary: undefined }));
  const families = parseExposition(fs.readFileSync(file, "utf8"));
  assert.equal(valueOf(families, "snapyard_exit_code", { command: "snapshot" }), 0);
  assert.equal(valueOf(families, "snapyard_exit_code", { command: "verify" }), 0);
  assert.equal(fs.statSync(file).mode & 0o777, 0o644);
  assert.deepEqual(fs.readdirSync(dir.path).sort(), ["snapyard.prom", "snapyard.prom.lock"]);
});
