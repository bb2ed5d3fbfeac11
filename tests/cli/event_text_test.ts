/** Unit tests of lib/cli/event_text.ts: the text people read for each event. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { textOf } from "../../lib/cli/event_text.ts";

test("textOf() an error names the operation and the path, or the run for a whole-run failure", () => {
  assert.deepEqual(
    textOf({ event: "error", command: "prune", target: "/t", path: "/t/.x", reason: "busy" }),
    { to: "error", text: 'Cannot prune "/t/.x": busy' },
  );
  assert.deepEqual(
    textOf({
      event: "error",
      command: "run",
      reason: "snapshot failed; command not run",
      run: 17,
      program: "make",
      failed: 2,
    }),
    { to: "error", text: 'Not running "make": the snapshot of run 17 failed for 2 targets' },
  );
  assert.deepEqual(
    textOf({
      event: "error",
      command: "rollback",
      reason: "entries of the run are gone",
      run: 17,
      missing: 1,
      saved: 3,
    }),
    {
      to: "error",
      text: "Cannot roll back run 17: 1 of its 3 entries is gone (deleted with their directory?)",
    },
  );
});

test("textOf() a warning is a warning, worded by what it is about", () => {
  assert.deepEqual(
    textOf({
      event: "warning",
      command: "restore",
      what: "post_snapshot_incomplete",
      path: "/t",
      reason: "post-restore snapshot incomplete: busy",
      detail: "busy",
    }),
    {
      to: "warn",
      text: 'Post-restore snapshot incomplete: "/t": busy ' +
        "(a later restore at latest would select the pre-restore state)",
    },
  );
  assert.deepEqual(
    textOf({
      event: "warning",
      command: "run",
      what: "signal_ignored",
      reason: "SIGINT ignored",
      signal: "SIGINT",
    }),
    { to: "warn", text: "SIGINT ignored while rolling back" },
  );
});

test("textOf() tells prune's and restore's `removed` apart; per-entry events show nothing", () => {
  assert.equal(
    textOf({ event: "removed", command: "prune", what: "temp", target: "/t", path: "/t/.x" }),
    undefined,
  );
  assert.deepEqual(
    textOf({ event: "would_remove", command: "prune", what: "temp", target: "/t", path: "/x" }),
    { to: "line", text: 'Would remove leftover temp file "/x"' },
  );
  assert.deepEqual(
    textOf({ event: "removed", command: "restore", path: "/t", kind: "none", ts: 5 }),
    { to: "line", text: 'removed "/t" (absent in run 5)' },
  );
  assert.equal(
    textOf({
      event: "saved",
      command: "snapshot",
      path: "/t",
      kind: "none",
      ts: 5,
      size: 0,
      change: "new",
    }),
    undefined,
  );
});

test("textOf() the snapshot summary counts saved by kind, then skipped and failed", () => {
  const t = textOf({
    event: "summary",
    command: "snapshot",
    run: 9,
    targets: 7,
    saved: 4,
    files: 2,
    symlinks: 1,
    absent: 1,
    unchanged: 3,
    deleted: 0,
    skipped: 1,
    failed: 2,
    bytes: 3 << 20,
    seconds: 1.5,
  });
  assert.deepEqual(t, {
    to: "line",
    text: "snapshot 9: 4 saved (2 files, 1 symlink, 1 absent; 3.0 MiB), 3 unchanged in 1.50 s, " +
      "1 skipped, 2 FAILED",
  });
});
