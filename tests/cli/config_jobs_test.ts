/**
 * Config jobs end to end (issue #11): cron's `snapyard snapshot --job etc` and
 * `snapyard prune --job etc` from a config file named by SNAPYARD_CONFIG, SNAPYARD_STORE over
 * the job's store and flags over both, an unknown job listed as a usage error, and a config's
 * boolean undone by `--no-X`.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { type CliResult, jsonLines, makeTree, runCli, tempDir } from "../_helpers/helpers.ts";

/** Runs snapyard with a private lock under `dir` and `env` added. */
function cliEnv(dir: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return runCli([...args, "--lock", `${dir}/test.lock`], { env });
}

/** A config with one job `etc` over `dir`/etc, its store `dir`/store-job; returns its path. */
function writeConfig(dir: string, extra: Record<string, unknown> = {}): string {
  const file = `${dir}/snapyard.json`;
  fs.writeFileSync(
    file,
    JSON.stringify({
      no_fsync: true,
      ...extra,
      jobs: {
        etc: {
          paths: [`${dir}/etc`],
          store: `${dir}/store-job`,
          tag: "nightly",
          full: true,
          keep: 1,
          schedule: "hourly",
        },
        home: { paths: [`${dir}/home`] },
      },
    }),
  );
  return file;
}

/** Entry file names below `store` (recursively), sorted. */
function entriesIn(store: string): string[] {
  if (!fs.existsSync(store)) return [];
  return (fs.readdirSync(store, { recursive: true }) as string[])
    .filter((n) => n.endsWith(".bak")).sort();
}

test("snapshot --job and prune --job run a job's PATHs, store, tag and rules from SNAPYARD_CONFIG", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "etc/hosts", content: "h" }]);
  const env = { SNAPYARD_CONFIG: writeConfig(dir.path) };
  for (let i = 0; i < 2; i++) {
    const r = await cliEnv(dir.path, ["snapshot", "--job", "etc", "--json"], env);
    assert.equal(r.code, 0, r.stderr);
    const sum = jsonLines(r.stdout).at(-1)!;
    assert.deepEqual([sum.command, sum.saved], ["snapshot", 1]);
  }
  const store = dir.join("store-job");
  const made = entriesIn(store);
  assert.equal(made.length, 2, made.join(" "));
  assert.ok(made.every((n) => n.includes(".hosts.nightly.")), made.join(" "));
  const p = await cliEnv(dir.path, ["prune", "--job", "etc", "--json"], env);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(jsonLines(p.stdout).at(-1)!.pruned, 1);
  assert.equal(entriesIn(store).length, 1);
});

test("SNAPYARD_STORE overrides a job's store, and --store overrides SNAPYARD_STORE", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "etc/hosts", content: "h" }]);
  const env = { SNAPYARD_CONFIG: writeConfig(dir.path), SNAPYARD_STORE: dir.join("store-env") };
  const r = await cliEnv(dir.path, ["snapshot", "--job", "etc"], env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(entriesIn(dir.join("store-env")).length, 1);
  assert.equal(entriesIn(dir.join("store-job")).length, 0);
  const flag = dir.join("store-flag");
  const f = await cliEnv(dir.path, ["snapshot", "--job", "etc", "--store", flag], env);
  assert.equal(f.code, 0, f.stderr);
  assert.equal(entriesIn(flag).length, 1);
  assert.equal(entriesIn(dir.join("store-env")).length, 1);
});

test("--job with a name the config lacks exits 2 naming the jobs it has; a missing SNAPYARD_CONFIG exits 2", async () => {
  await using dir = tempDir();
  const env = { SNAPYARD_CONFIG: writeConfig(dir.path) };
  const r = await cliEnv(dir.path, ["snapshot", "--job", "var", "--json"], env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown job "var" in config ".*snapyard\.json" \(jobs: etc, home\)/);
  const last = jsonLines(r.stdout).at(-1)!;
  assert.deepEqual([last.event, last.code, last.exit], ["error", "USAGE", 2]);
  const gone = await cliEnv(dir.path, ["list", dir.path], { SNAPYARD_CONFIG: dir.join("gone") });
  assert.equal(gone.code, 2);
  assert.match(gone.stderr, /Cannot read config ".*gone"/);
});

test("a config's quiet and json are undone by --no-quiet and --no-json", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "etc/hosts", content: "h" }]);
  const env = { SNAPYARD_CONFIG: writeConfig(dir.path, { quiet: true }) };
  const quiet = await cliEnv(dir.path, ["snapshot", "--job", "etc"], env);
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.equal(quiet.stdout, "");
  const loud = await cliEnv(dir.path, ["snapshot", "--job", "etc", "--no-quiet"], env);
  assert.equal(loud.code, 0, loud.stderr);
  assert.match(loud.stdout, /^snapshot \d+: 1 saved/m);
  const json = { SNAPYARD_CONFIG: writeConfig(dir.path, { json: true }) };
  const off = await cliEnv(dir.path, ["list", "--job", "etc", "--no-json"], json);
  assert.equal(off.code, 0, off.stderr);
  assert.ok(!off.stdout.trimStart().startsWith("{"), off.stdout);
  const on = await cliEnv(dir.path, ["list", "--job", "etc"], json);
  assert.ok(on.stdout.trimStart().startsWith("{"), on.stdout);
});

test("--help names --job, --metrics-file, the negations and the config lookup", async () => {
  const r = await runCli(["snapshot", "--help"]);
  assert.equal(r.code, 0);
  for (const word of ["--job NAME", "--metrics-file FILE", "--no-quiet", "SNAPYARD_CONFIG"]) {
    assert.ok(r.stdout.includes(word), word);
  }
});
