/** Unit tests of lib/restore/plan.ts: a finding of the entry check as restore's problem. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { type PlanOptions, planRestore } from "../../lib/restore/plan.ts";
import type { WorkerPool } from "../../lib/pool/pool.ts";
import { tempDir } from "../_helpers/helpers.ts";
import { files, snap } from "../_helpers/entry_fixture.ts";

/** A pool whose every hash batch fails as a dead worker's does. */
const DEAD = {
  size: 2,
  hash: () => Promise.reject(new Error("worker exited with code 1")),
} as unknown as WorkerPool;

function options(paths: string[], pool: WorkerPool): PlanOptions {
  return {
    paths,
    tag: "snapyard",
    store: undefined,
    at: { kind: "latest" },
    allowUnverified: false,
    asRoot: false,
    pool: () => pool,
  };
}

test("planRestore() refuses a file whose worker died as INTEGRITY and plans nothing for it", async () => {
  await using dir = tempDir();
  const a = dir.join("a");
  fs.writeFileSync(a, "v1");
  const ts = await snap(dir.path, [a]);
  const plan = await planRestore(options([a], DEAD));
  assert.deepEqual(plan.items, []);
  assert.deepEqual(plan.problems.map((p) => [p.target, p.code]), [[a, "INTEGRITY"]]);
  assert.equal(
    plan.problems[0]!.reason,
    `unreadable ("${files(dir.path, "a", "snapyard", ts).payload}"): ` +
      "cannot hash payload: worker failed: worker exited with code 1",
  );
});

test("planRestore() refuses an entry whose tombstone is lost as BACKUP_MISSING (exit 60)", async () => {
  await using dir = tempDir();
  const gone = dir.join("gone");
  const ts = await snap(dir.path, [gone]);
  const entry = files(dir.path, "gone", "snapyard", ts);
  fs.rmSync(entry.payload);
  const plan = await planRestore(options([gone], DEAD));
  assert.deepEqual(plan.problems.map((p) => [p.target, p.code]), [[gone, "BACKUP_MISSING"]]);
  assert.match(plan.problems[0]!.reason, new RegExp(`^orphan sidecar \\("${entry.sidecar}"\\)`));
});
