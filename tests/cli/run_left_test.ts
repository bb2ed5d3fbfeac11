/**
 * `run` after a rollback (issue #11, defect 8): the files COMMAND created below a directory
 * target stay (no entry of the run), and the summary lists them, in the text and as `left` in
 * `--json`; how COMMAND ended (exit code or signal) is in the text output too.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { jsonLines, makeTree, runCli, tempDir } from "../_helpers/helpers.ts";
import { summaryText } from "../../lib/cli/summary_text.ts";
import type { RunSummaryEvent } from "../../lib/events.ts";

test("run lists the files COMMAND created below a directory target, and leaves them", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "t/a", content: "a" },
    { kind: "file", path: "t/old.log", content: "excluded, there before" },
    { kind: "dir", path: "t/sub" },
  ]);
  const t = dir.join("t");
  const script = `echo b > ${t}/a; echo n > ${t}/new; echo m > ${t}/sub/m; ` +
    `ln -s a ${t}/link; echo l > ${t}/new.log; exit 7`;
  const run = (json: string[]) =>
    runCli([
      "--lock",
      dir.join("lock"),
      "run",
      ...json,
      "--store",
      dir.join("store"),
      "--exclude",
      "*.log",
      "--target",
      t,
      "--",
      "sh",
      "-c",
      script,
    ]);
  const r = await run(["--json"]);
  assert.equal(r.code, 80, r.stderr);
  const summary = jsonLines(r.stdout).at(-1)!;
  assert.equal(summary.rolled_back, true);
  // The excluded .log files are no targets of the run: never listed.
  assert.deepEqual(summary.left, [`${t}/link`, `${t}/new`, `${t}/sub/m`]);
  assert.equal(fs.readFileSync(`${t}/a`, "utf8"), "a");
  assert.equal(fs.readFileSync(`${t}/new`, "utf8"), "n\n");

  // Again, in text: the left files were saved by this run's snapshot now, so nothing is left
  // but what COMMAND created again (the same names are rewritten: no longer new).
  fs.rmSync(`${t}/sub/m`);
  const text = await run([]);
  assert.equal(text.code, 80, text.stderr);
  assert.match(text.stderr, /Command exited with code 7: rolling back/);
  assert.match(
    text.stdout,
    new RegExp(
      `command exited with code 7; rolled back: .*; left in place: 1 file created by COMMAND: ` +
        `"${t}/sub/m"\\n$`,
    ),
  );
});

test("run says in its text output that COMMAND was killed by a signal", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "a" }]);
  const r = await runCli([
    "--lock",
    dir.join("lock"),
    "run",
    "--target",
    dir.join("a"),
    "--",
    "sh",
    "-c",
    `echo b > ${dir.join("a")}; kill -TERM $$`,
  ]);
  assert.equal(r.code, 80, r.stderr);
  assert.match(r.stderr, /Command was killed by SIGTERM: rolling back/);
  assert.match(r.stdout, /command was killed by SIGTERM; rolled back: 1 restored/);
  assert.doesNotMatch(r.stdout, /left in place/);
});

test("summaryText() of a run names the first 10 files left and counts the rest", () => {
  const left = Array.from({ length: 12 }, (_, i) => `/t/f${String(i).padStart(2, "0")}`);
  const e: RunSummaryEvent = {
    event: "summary",
    command: "run",
    run: 1,
    command_run: true,
    rolled_back: true,
    exit_code: 1,
    restored: 0,
    removed: 0,
    unchanged: 1,
    failed: 0,
    not_restored: 0,
    pre_snapshot: null,
    left,
  };
  const text = summaryText(e);
  assert.match(text, /left in place: 12 files created by COMMAND: "\/t\/f00", /);
  assert.match(text, /"\/t\/f09", and 2 more \(see --json\)$/);
  assert.doesNotMatch(text, /f10/);
});
