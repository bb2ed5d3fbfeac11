/**
 * Unit tests of the config file and its layers (lib/cli/config.ts, lib/cli/settings.ts) and of
 * the `--no-X` negations (lib/cli/flags.ts), through `parseCommandLine` with an injected
 * environment: default config paths point at temp files, never at the real /etc/snapyard.json.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { type CliEnv, parseCommandLine } from "../../lib/cli/parse.ts";
import { readConfig } from "../../lib/cli/config.ts";
import { defaultConfigs, findConfig } from "../../lib/cli/settings.ts";
import { NEGATIONS } from "../../lib/cli/options.ts";
import { SnapyardError } from "../../lib/errors.ts";
import { tempDir } from "../_helpers/helpers.ts";

const JOBS = {
  store: "/var/top",
  tag: "top",
  quiet: true,
  jobs: {
    etc: {
      paths: ["/etc", "/srv/app.conf"],
      exclude: ["*.bak"],
      store: "/var/job",
      tag: "nightly",
      keep_daily: 7,
      keep: 24,
      schedule: "hourly",
    },
    home: { paths: ["/home"] },
  },
};

function writeJson(path: string, value: unknown): string {
  fs.writeFileSync(path, JSON.stringify(value));
  return path;
}

function command(argv: string[], env: CliEnv) {
  const inv = parseCommandLine(argv, env);
  if (inv.kind !== "command") throw new Error(`not a command: ${inv.kind}`);
  return inv;
}

function assertUsage(f: () => unknown, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof SnapyardError && e.code === "USAGE", String(e));
    assert.match(e.message, pattern);
    return true;
  });
}

test("readConfig() reads jobs: options keyed as flags, absolute paths and the schedule hint", async () => {
  await using dir = tempDir();
  const c = readConfig(writeJson(dir.join("c.json"), JOBS))!;
  assert.deepEqual(c.defaults, { store: "/var/top", tag: "top", quiet: true });
  const etc = c.jobs.get("etc")!;
  assert.deepEqual(etc.paths, ["/etc", "/srv/app.conf"]);
  assert.equal(etc.schedule, "hourly");
  assert.deepEqual(etc.options, {
    exclude: ["*.bak"],
    store: "/var/job",
    tag: "nightly",
    "keep-daily": "7",
    keep: "24",
  });
  assert.deepEqual([...c.jobs.keys()], ["etc", "home"]);
});

test("readConfig() rejects malformed jobs with the key that is wrong", async () => {
  await using dir = tempDir();
  const cases: [unknown, RegExp][] = [
    [{ jobs: [] }, /"jobs" is not an object/],
    [{ jobs: { etc: { paths: ["etc"] } } }, /"jobs\.etc\.paths": expected a list of absolute/],
    [{ jobs: { etc: { schedule: 3 } } }, /"jobs\.etc\.schedule"/],
    [{ jobs: { etc: { bogus: 1 } } }, /unknown key "jobs\.etc\.bogus"/],
    [{ jobs: { etc: { job: "x" } } }, /unknown key "jobs\.etc\.job"/],
    [{ jobs: { "a b": {} } }, /invalid job name "a b"/],
    [{ jobs: { etc: "x" } }, /job "etc" is not an object/],
  ];
  for (const [value, pattern] of cases) {
    const file = writeJson(dir.join("c.json"), value);
    assertUsage(() => readConfig(file), pattern);
  }
});

test("readConfig() of an optional path that does not exist is undefined; a named one is a usage error", async () => {
  await using dir = tempDir();
  assert.equal(readConfig(dir.join("none.json"), true), undefined);
  assertUsage(() => readConfig(dir.join("none.json")), /Cannot read config ".*none\.json"/);
});

test("defaultConfigs() is the system file, then $XDG_CONFIG_HOME's, else ~/.config's", () => {
  const sys = "/x/etc/snapyard.json";
  assert.deepEqual(
    defaultConfigs({ systemConfig: sys, vars: { XDG_CONFIG_HOME: "/xdg", HOME: "/h" } }),
    [sys, "/xdg/snapyard.json"],
  );
  assert.deepEqual(defaultConfigs({ systemConfig: sys, vars: { HOME: "/h" } }), [
    sys,
    "/h/.config/snapyard.json",
  ]);
  // A relative XDG_CONFIG_HOME is invalid (XDG base directory spec): ~/.config instead.
  assert.deepEqual(
    defaultConfigs({ systemConfig: undefined, vars: { XDG_CONFIG_HOME: "x", HOME: "/h" } }),
    [
      "/h/.config/snapyard.json",
    ],
  );
});

test("findConfig() takes --config, else SNAPYARD_CONFIG, else the first default path that exists", async () => {
  await using dir = tempDir();
  const flag = writeJson(dir.join("flag.json"), { tag: "flag" });
  const named = writeJson(dir.join("named.json"), { tag: "named" });
  const sys = writeJson(dir.join("sys.json"), { tag: "sys" });
  fs.mkdirSync(dir.join("xdg"));
  writeJson(dir.join("xdg/snapyard.json"), { tag: "xdg" });
  const vars = { SNAPYARD_CONFIG: named, XDG_CONFIG_HOME: dir.join("xdg") };
  const tagOf = (f: string | undefined, env: CliEnv) => findConfig(f, env)?.defaults.tag;
  assert.equal(tagOf(flag, { systemConfig: sys, vars }), "flag");
  assert.equal(tagOf(undefined, { systemConfig: sys, vars }), "named");
  assert.equal(
    tagOf(undefined, { systemConfig: sys, vars: { ...vars, SNAPYARD_CONFIG: "" } }),
    "sys",
  );
  const noSys = {
    systemConfig: dir.join("absent.json"),
    vars: { XDG_CONFIG_HOME: dir.join("xdg") },
  };
  assert.equal(tagOf(undefined, noSys), "xdg");
  assert.equal(tagOf(undefined, { systemConfig: dir.join("absent.json"), vars: {} }), undefined);
  // Named explicitly, it must exist.
  assertUsage(
    () => findConfig(undefined, { systemConfig: sys, vars: { SNAPYARD_CONFIG: dir.join("gone") } }),
    /Cannot read config ".*gone"/,
  );
});

test("parseCommandLine() --job applies the job's options and PATHs; PATHs given replace the job's", async () => {
  await using dir = tempDir();
  const env = { systemConfig: writeJson(dir.join("sys.json"), JOBS), vars: {} };
  const snap = command(["snapshot", "--job", "etc"], env);
  assert.deepEqual(snap.paths, ["/etc", "/srv/app.conf"]);
  assert.deepEqual([snap.options.store, snap.options.tag, snap.options.quiet], [
    "/var/job",
    "nightly",
    true,
  ]);
  assert.deepEqual(snap.options.exclude, ["*.bak"]);
  assert.equal(snap.options.job, "etc");
  const prune = command(["prune", "--job", "etc"], env);
  assert.deepEqual([prune.options.keepDaily, prune.options.keep], [7, 24]);
  assert.deepEqual(prune.paths, ["/etc", "/srv/app.conf"]);
  const one = command(["restore", "--job", "etc", "/etc/hosts"], env);
  assert.deepEqual(one.paths, ["/etc/hosts"]);
  assert.equal(one.options.tag, "nightly");
  // Without --job, the top level only.
  const top = command(["list", "/x"], env);
  assert.deepEqual([top.options.store, top.options.tag], ["/var/top", "top"]);
  const run = command(["run", "--job", "home", "--", "true"], env);
  assert.deepEqual(run.paths, ["/home"]);
});

test("parseCommandLine() precedence: flags over SNAPYARD_STORE over the job over the top level", async () => {
  await using dir = tempDir();
  const sys = writeJson(dir.join("sys.json"), JOBS);
  const withEnv = { systemConfig: sys, vars: { SNAPYARD_STORE: "/var/env" } };
  assert.equal(command(["verify", "--job", "etc"], withEnv).options.store, "/var/env");
  assert.equal(command(["verify", "--job", "home"], withEnv).options.store, "/var/env");
  assert.equal(
    command(["verify", "--job", "etc", "--store", "/var/flag"], withEnv).options.store,
    "/var/flag",
  );
  assert.equal(
    command(["verify", "--job", "home"], { systemConfig: sys, vars: {} }).options.store,
    "/var/top",
  );
  assert.equal(command(["verify", "--job", "etc", "--tag", "t"], withEnv).options.tag, "t");
  // An empty SNAPYARD_STORE is unset.
  const empty = { systemConfig: sys, vars: { SNAPYARD_STORE: "" } };
  assert.equal(command(["verify", "--job", "etc"], empty).options.store, "/var/job");
});

test("parseCommandLine() an unknown job is a usage error that lists the known jobs", async () => {
  await using dir = tempDir();
  const env = { systemConfig: writeJson(dir.join("sys.json"), JOBS), vars: {} };
  assertUsage(
    () => parseCommandLine(["snapshot", "--job", "var"], env),
    /Unknown job "var" .*\(jobs: etc, home\)/,
  );
  const none = { systemConfig: writeJson(dir.join("none.json"), { tag: "x" }), vars: {} };
  assertUsage(() => parseCommandLine(["prune", "--job", "var"], none), /defines no jobs/);
  const nofile = { systemConfig: dir.join("absent.json"), vars: {} };
  assertUsage(() => parseCommandLine(["snapshot", "--job", "etc"], nofile), /no config file/);
  assertUsage(
    () => parseCommandLine(["demo", "--job", "etc"], env),
    /--job does not apply to "demo"/,
  );
});

test("parseCommandLine() --no-X undoes a config's true; the last of --X and --no-X wins", async () => {
  await using dir = tempDir();
  const cfg = {
    quiet: true,
    json: true,
    full: true,
    dry_run: true,
    no_fsync: true,
    no_pre_snapshot: true,
  };
  const env = { systemConfig: writeJson(dir.join("sys.json"), cfg), vars: {} };
  assert.equal(command(["snapshot", "/a"], env).options.quiet, true);
  const snap = command(["snapshot", "/a", "--no-quiet", "--no-json", "--no-full", "--fsync"], env);
  assert.deepEqual(
    [snap.options.quiet, snap.options.json, snap.options.full, snap.options.durable],
    [false, false, false, true],
  );
  const restore = command(["restore", "/a", "--no-dry-run", "--pre-snapshot"], env);
  assert.deepEqual([restore.options.dryRun, restore.options.preSnapshot], [false, true]);
  assert.equal(command(["snapshot", "/a", "--no-quiet", "-q"], env).options.quiet, true);
  assert.equal(command(["snapshot", "/a", "-q", "--no-quiet"], env).options.quiet, false);
  assertUsage(
    () => parseCommandLine(["verify", "/a", "--no-full"], env),
    /--no-full does not apply to "verify"/,
  );
});

test("NEGATIONS has --no-X for every boolean a config sets, and --X for each --no-X", () => {
  assert.equal(NEGATIONS["no-quiet"], "quiet");
  assert.equal(NEGATIONS["no-dry-run"], "dry-run");
  assert.equal(NEGATIONS["fsync"], "no-fsync");
  assert.equal(NEGATIONS["pre-snapshot"], "no-pre-snapshot");
  assert.equal(NEGATIONS["no-help"], undefined);
  assert.equal(NEGATIONS["no-version"], undefined);
  assert.equal(NEGATIONS["no-tag"], undefined);
});
