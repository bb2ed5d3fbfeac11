/**
 * lib/cli/parse.ts for the inspection options (issue #11): `--at` repeatable for `diff` only,
 * `restore --target DIR` from the command line only, once, and never with `--delete`.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { parseCommandLine } from "../../lib/cli/parse.ts";
import { SnapyardError } from "../../lib/errors.ts";
import { tempDir } from "../_helpers/helpers.ts";

function options(argv: string[]) {
  const inv = parseCommandLine(argv);
  if (inv.kind !== "command") throw new Error(`not a command: ${argv.join(" ")}`);
  return inv.options;
}

function usageError(argv: string[], pattern: RegExp): void {
  assert.throws(
    () => parseCommandLine(argv),
    (e: unknown) => e instanceof SnapyardError && e.code === "USAGE" && pattern.test(e.message),
    argv.join(" "),
  );
}

test("parseCommandLine() diff keeps its two --at in order and defaults to none", () => {
  assert.deepEqual(options(["diff", "/etc", "--at", "5", "--at", "previous"]).ats, [
    { kind: "ts", ts: 5 },
    { kind: "previous" },
  ]);
  assert.deepEqual(options(["diff", "/etc"]).ats, []);
  assert.deepEqual(options(["diff", "/etc"]).at, { kind: "latest" });
  usageError(["diff", "/etc", "--at", "1", "--at", "2", "--at", "3"], /at most two --at/);
  usageError(["diff"], /"diff" needs at least one PATH/);
  usageError(["diff", "/etc", "--dry-run"], /--dry-run does not apply to "diff"/);
});

test("parseCommandLine() restore takes one --at and one absolute --target DIR, not with --delete", () => {
  const o = options(["restore", "/etc", "--at", "7", "--target", "out"]);
  assert.deepEqual(o.at, { kind: "ts", ts: 7 });
  assert.equal(o.into, `${process.cwd()}/out`);
  assert.equal(options(["restore", "/etc"]).into, undefined);
  usageError(["restore", "/etc", "--at", "1", "--at", "2"], /"restore" takes at most one --at/);
  usageError(["restore", "/etc", "--target", "a", "--target", "b"], /one --target DIR/);
  usageError(["restore", "/etc", "--target", "a", "--delete"], /does not take --delete/);
  // run's --target is its targets, not a restore destination.
  assert.equal(options(["run", "--target", "/etc", "--", "true"]).into, undefined);
});

test("parseCommandLine() reads a config file's at as one --at and never its target for restore", async () => {
  await using dir = tempDir();
  const config = dir.join("c.json");
  fs.writeFileSync(config, JSON.stringify({ at: "42", target: ["/srv"] }));
  const o = options(["restore", "/etc", "--config", config]);
  assert.deepEqual(o.at, { kind: "ts", ts: 42 });
  assert.equal(o.into, undefined);
});
