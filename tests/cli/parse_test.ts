/** Unit tests of lib/cli/parse.ts: argument parsing for `snapshot`; usage errors are exit-2 errors. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import { test } from "node:test";
import { parseCommandLine, parseDuration } from "../../lib/cli/parse.ts";
import { SnapyardError } from "../../lib/errors.ts";

function usageError(argv: string[], pattern: RegExp): void {
  assert.throws(
    () => parseCommandLine(argv),
    (e: unknown) => e instanceof SnapyardError && e.code === "USAGE" && pattern.test(e.message),
    argv.join(" "),
  );
}

function command(argv: string[]) {
  const inv = parseCommandLine(argv);
  assert.equal(inv.kind, "command");
  if (inv.kind !== "command") throw new Error("unreachable");
  return inv;
}

test("parseCommandLine() snapshot defaults: tag snapyard, schema v3, durable, absolute paths", () => {
  const inv = command(["snapshot", "/etc/a", "rel/b"]);
  assert.equal(inv.command, "snapshot");
  assert.equal(inv.options.tag, "snapyard");
  assert.equal(inv.options.schema, "v3");
  assert.equal(inv.options.durable, true);
  assert.equal(inv.options.store, undefined);
  assert.equal(inv.options.workers, undefined); // one per CPU, asked when a pool starts
  assert.deepEqual(inv.paths, ["/etc/a", `${process.cwd()}/rel/b`]);
});

test("parseCommandLine() accepts global options before or after the command", () => {
  const a = command(["--json", "snapshot", "x"]);
  const b = command(["snapshot", "x", "--json"]);
  assert.equal(a.options.json, true);
  assert.equal(b.options.json, true);
});

test("parseCommandLine() reads every snapshot option", () => {
  const inv = command([
    "snapshot",
    "--tag",
    "nightly",
    "--store",
    "/var/s",
    "--workers",
    "3",
    "--schema",
    "v2",
    "--exclude",
    "*.log",
    "--exclude",
    "cache/",
    "--no-fsync",
    "p",
  ]);
  assert.equal(inv.options.tag, "nightly");
  assert.equal(inv.options.store, "/var/s");
  assert.equal(inv.options.workers, 3);
  assert.equal(inv.options.schema, "v2");
  assert.deepEqual(inv.options.exclude, ["*.log", "cache/"]);
  assert.equal(inv.options.durable, false);
});

test("parseCommandLine() takes arguments after -- as paths, even ones that look like flags", () => {
  const inv = command(["snapshot", "--", "--tag", "-x"]);
  assert.deepEqual(inv.paths, [`${process.cwd()}/--tag`, `${process.cwd()}/-x`]);
  assert.equal(inv.options.tag, "snapyard");
});

test("parseCommandLine() non-ASCII path arguments become UTF-8 byte strings", () => {
  const inv = command(["snapshot", "/tmp/café"]);
  assert.equal(inv.paths[0], "/tmp/caf\xc3\xa9");
});

test("parseCommandLine() rejects a bad tag as a usage error", () => {
  usageError(["snapshot", "--tag", "a.b", "x"], /Invalid tag "a\.b"/);
  usageError(["snapshot", "--tag", "", "x"], /Invalid tag/);
  usageError(["snapshot", "--tag", "a".repeat(33), "x"], /Invalid tag/);
});

test("parseCommandLine() rejects --workers that is not a whole number from 1 to 256", () => {
  for (const w of ["0", "257", "-1", "x", "1.5", "", " 2"]) {
    usageError(["snapshot", `--workers=${w}`, "x"], /Invalid --workers/);
  }
  usageError(["snapshot", "--workers", "-1", "x"], /workers/);
  assert.equal(command(["snapshot", "--workers", "256", "x"]).options.workers, 256);
});

test("parseCommandLine() rejects an unknown flag, a foreign option and a bad schema", () => {
  usageError(["snapshot", "--frobnicate", "x"], /frobnicate/);
  usageError(["snapshot", "--keep", "3", "x"], /--keep does not apply to "snapshot"/);
  usageError(["snapshot", "--schema", "v4", "x"], /Invalid --schema "v4"/);
  usageError(["snapshot", "--workers"], /workers/);
});

test("parseCommandLine() rejects snapshot without PATH and an unknown command", () => {
  usageError(["snapshot"], /needs at least one PATH/);
  usageError(["snapshots", "x"], /Unknown command "snapshots"/);
});

test("parseCommandLine() --help and --version win over everything else", () => {
  assert.deepEqual(parseCommandLine(["--version"]), { kind: "version" });
  assert.deepEqual(parseCommandLine(["snapshot", "--help"]), {
    kind: "help",
    command: "snapshot",
  });
  assert.deepEqual(parseCommandLine([]), { kind: "help", command: undefined });
});

test("parseDuration() reads whole numbers with w, d, h, m, s, ms and rejects the rest", () => {
  assert.equal(parseDuration("90s"), 90_000);
  assert.equal(parseDuration("2m"), 120_000);
  assert.equal(parseDuration("12h"), 12 * 3600_000);
  assert.equal(parseDuration("30d"), 30 * 86400_000);
  assert.equal(parseDuration("3w"), 21 * 86400_000);
  assert.equal(parseDuration("250ms"), 250);
  for (const bad of ["", "5", "1.5h", "-1d", "3y", "h", "1d 2h", "1d-2h"]) {
    assert.throws(() => parseDuration(bad), SnapyardError, bad);
  }
});

test("parseDuration() adds compound forms, largest unit first, each unit once", () => {
  assert.equal(parseDuration("1d12h"), 36 * 3600_000);
  assert.equal(parseDuration("1h30m"), 90 * 60_000);
  assert.equal(parseDuration("1w2d3h4m5s6ms"), ((((9 * 24 + 3) * 60 + 4) * 60) + 5) * 1000 + 6);
  for (const bad of ["12h1d", "1h1h", "30s1m", "1m1ms1s"]) {
    assert.throws(() => parseDuration(bad), SnapyardError, bad);
  }
});

test("parseCommandLine() --lock-timeout takes milliseconds or a duration, up to 1d", () => {
  assert.equal(command(["snapshot", "x", "--lock-timeout", "250"]).options.lockTimeoutMs, 250);
  assert.equal(command(["snapshot", "x", "--lock-timeout", "5s"]).options.lockTimeoutMs, 5000);
  assert.equal(
    command(["snapshot", "x", "--lock-timeout", "1d"]).options.lockTimeoutMs,
    86_400_000,
  );
  usageError(["snapshot", "x", "--lock-timeout", "86400001"], /Invalid --lock-timeout "86400001"/);
  usageError(["snapshot", "x", "--lock-timeout", "2d"], /Invalid --lock-timeout "2d"/);
  usageError(["snapshot", "x", "--lock-timeout", "soon"], /Invalid duration "soon"/);
});

test("parseCommandLine() a negative value is the option's own usage error", () => {
  usageError(["prune", "x", "--keep", "-1"], /^Invalid --keep "-1": expected a whole number/);
  usageError(["snapshot", "x", "--workers", "-2"], /^Invalid --workers "-2"/);
  usageError(["snapshot", "x", "--lock-timeout", "-5"], /^Invalid duration "-5"/);
});

test("parseCommandLine() help [COMMAND] is --help; an unknown COMMAND is a usage error", () => {
  assert.deepEqual(parseCommandLine(["help"]), { kind: "help", command: undefined });
  assert.deepEqual(parseCommandLine(["help", "prune"]), { kind: "help", command: "prune" });
  usageError(["help", "frob"], /Unknown command "frob"/);
});

test("parseCommandLine() --init is taken by snapshot and run only", () => {
  assert.equal(command(["snapshot", "x", "--init"]).options.init, true);
  assert.equal(command(["snapshot", "x"]).options.init, false);
  usageError(["list", "x", "--init"], /Option --init does not apply to "list"/);
});

test("parseCommandLine() selection: -x, --exclude-if-present, --exclude-file from flags and config", () => {
  const inv = command(["snapshot", "/a", "-x", "--exclude-if-present", "CACHEDIR.TAG"]);
  assert.equal(inv.options.oneFileSystem, true);
  assert.deepEqual(inv.options.excludeIfPresent, ["CACHEDIR.TAG"]);
  assert.equal(command(["snapshot", "/a"]).options.oneFileSystem, false);
  const dir = fs.mkdtempSync(`${os.tmpdir()}/snapyard-parse-`);
  try {
    fs.writeFileSync(`${dir}/ex`, "# c\n*.tmp\r\n\n");
    fs.writeFileSync(`${dir}/c.json`, JSON.stringify({ exclude_file: `${dir}/ex` }));
    const cfg = command([
      "run",
      "--config",
      `${dir}/c.json`,
      "--target",
      "/a",
      "--exclude",
      "x",
      "--",
      "true",
    ]);
    assert.deepEqual(cfg.options.exclude, ["x", "*.tmp"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  usageError(
    ["snapshot", "/a", "--exclude", "[z-a]"],
    /^Invalid --exclude "\[z-a\]": not a valid glob/,
  );
  usageError(["list", "/a", "-x"], /does not apply to "list"/);
});
