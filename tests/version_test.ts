/** lib/version.ts is the one version: package.json agrees with it, and the CLI prints it. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import { VERSION } from "../lib/version.ts";
import { helpText } from "../lib/cli/help.ts";
import { ROOT, runCli } from "./_helpers/helpers.ts";

test("VERSION equals package.json's version", () => {
  const pkg = JSON.parse(readFileSync(posix.join(ROOT, "package.json"), "utf8")) as {
    version?: unknown;
  };
  assert.equal(pkg.version, VERSION, 'package.json "version" differs from lib/version.ts');
});

test("VERSION is what --version prints and what --help names", async () => {
  const r = await runCli(["--version"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `snapyard ${VERSION}\n`);
  assert.ok(helpText(undefined).startsWith(`snapyard ${VERSION}: `), helpText(undefined));
});
