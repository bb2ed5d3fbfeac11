/**
 * `--metrics-file` end to end (issue #11): the textfile a real exposition parser reads, one
 * series per command and tag in one file, the last success kept through a lock timeout, an
 * unusable store recorded, and no file for a usage error.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { type CliResult, holdLock, makeTree, runCli, tempDir } from "../_helpers/helpers.ts";
import { type Family, parseExposition } from "../_helpers/prometheus.ts";

function cli(dir: string, args: string[]): Promise<CliResult> {
  return runCli([...args, "--lock", `${dir}/test.lock`]);
}

/** The value of `name` for `command` and `tag` in the file `file` (undefined: none). */
function value(families: Family[], name: string, labels: Record<string, string>) {
  const f = families.find((x) => x.name === name);
  const m = f?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  return m === undefined ? undefined : Number(m.value);
}

function read(file: string): Family[] {
  return parseExposition(fs.readFileSync(file, "utf8"));
}

test("--metrics-file: a snapshot's series, then a lock timeout's exit 30 keeps its last success", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "t/a", content: "abc" }]);
  const metrics = dir.join("snapyard.prom");
  const before = Date.now() / 1000;
  const ok = await cli(dir.path, [
    "snapshot",
    dir.join("t"),
    "--tag",
    "nightly",
    "--metrics-file",
    metrics,
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  const own = { command: "snapshot", tag: "nightly" };
  const first = read(metrics);
  const success = value(first, "snapyard_last_success_timestamp_seconds", own)!;
  assert.ok(success >= before && success <= Date.now() / 1000, String(success));
  assert.equal(value(first, "snapyard_exit_code", own), 0);
  assert.equal(value(first, "snapyard_targets", { ...own, state: "new" }), 1);
  assert.equal(value(first, "snapyard_bytes_added", own), 3);
  assert.ok(value(first, "snapyard_lock_wait_seconds", own)! >= 0);

  await using _held = await holdLock(dir.join("held.lock"));
  const locked = await runCli([
    "snapshot",
    dir.join("t"),
    "--tag",
    "nightly",
    "--metrics-file",
    metrics,
    "--lock",
    dir.join("held.lock"),
    "--lock-timeout",
    "200ms",
  ]);
  assert.equal(locked.code, 30, locked.stderr);
  const second = read(metrics);
  assert.equal(value(second, "snapyard_exit_code", own), 30);
  assert.equal(value(second, "snapyard_last_success_timestamp_seconds", own), success);
  assert.ok(value(second, "snapyard_last_run_timestamp_seconds", own)! > success);
  assert.ok(value(second, "snapyard_lock_wait_seconds", own)! >= 0.2);
  assert.equal(value(second, "snapyard_targets", own), undefined);
});

test("--metrics-file keeps one series per command and tag in one file (verify, list, prune)", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "t/a", content: "abc" }]);
  const metrics = dir.join("snapyard.prom");
  const store = dir.join("store");
  const t = dir.join("t");
  const steps = [
    ["snapshot", t, "--store", store, "--no-fsync", "--metrics-file", metrics],
    ["verify", t, "--store", store, "--metrics-file", metrics],
    ["prune", t, "--store", store, "--no-fsync", "--keep", "1", "--metrics-file", metrics],
    ["list", t, "--store", store, "--tag", "other", "--metrics-file", metrics],
  ];
  for (const args of steps) {
    const r = await cli(dir.path, args);
    assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
  }
  const families = read(metrics);
  const runs = families.find((f) => f.name === "snapyard_last_run_timestamp_seconds")!.metrics;
  assert.deepEqual(
    runs.map((m) => `${m.labels?.command}/${m.labels?.tag}`).sort(),
    ["list/other", "prune/snapyard", "snapshot/snapyard", "verify/snapyard"],
  );
  assert.equal(value(families, "snapyard_targets", { command: "verify", state: "ok" }), 1);
  assert.equal(value(families, "snapyard_targets", { command: "prune", state: "kept" }), 1);
});

test("--metrics-file records an unusable store (exit 10) and nothing for a usage error", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "t/a", content: "abc" }]);
  const metrics = dir.join("snapyard.prom");
  const bad = await cli(dir.path, [
    "verify",
    dir.join("t"),
    "--store",
    dir.join("no/such"),
    "--metrics-file",
    metrics,
  ]);
  assert.equal(bad.code, 10, bad.stderr);
  assert.equal(value(read(metrics), "snapyard_exit_code", { command: "verify" }), 10);
  const other = dir.join("other.prom");
  const usage = await cli(dir.path, ["snapshot", "--bogus", "--metrics-file", other]);
  assert.equal(usage.code, 2);
  assert.equal(fs.existsSync(other), false);
});

test("--metrics-file refuses to overwrite a file that is not snapyard's, and says so", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "t/a", content: "abc" }]);
  const metrics = dir.join("node.prom");
  fs.writeFileSync(metrics, "node_load1 0.5\n");
  const r = await cli(dir.path, ["snapshot", dir.join("t"), "--metrics-file", metrics]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Cannot replace metrics ".*node\.prom": line 1 is not snapyard's/);
  assert.equal(fs.readFileSync(metrics, "utf8"), "node_load1 0.5\n");
});
