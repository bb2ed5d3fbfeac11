/** Unit tests of lib/snapshot/schedule.ts: the batch sizing rule and the copy failure reasons. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BATCH_BYTES, jobsPerBatch, MAX_JOBS_PER_BATCH } from "../../lib/snapshot/schedule.ts";

const MiB = 1 << 20;

test("jobsPerBatch() is 1 until a file was copied", () => {
  assert.equal(jobsPerBatch(0, 0), 1);
});

test("jobsPerBatch() fits files of the mean size in 8 MiB", () => {
  assert.equal(BATCH_BYTES, 8 * MiB);
  assert.equal(jobsPerBatch(4, 4 * MiB), 8);
  assert.equal(jobsPerBatch(3, 3 * 2 * MiB), 4);
  // 3 MiB mean: two fit, a third would pass 8 MiB.
  assert.equal(jobsPerBatch(2, 6 * MiB), 2);
});

test("jobsPerBatch() sends files larger than a batch one by one", () => {
  assert.equal(jobsPerBatch(1, 64 * MiB), 1);
  assert.equal(jobsPerBatch(10, 10 * 9 * MiB), 1);
});

test("jobsPerBatch() sends small and empty files at most 64 at a time", () => {
  assert.equal(MAX_JOBS_PER_BATCH, 64);
  assert.equal(jobsPerBatch(100, 100 * 1024), 64);
  assert.equal(jobsPerBatch(5, 0), 64);
  // Just at the limit: 128 KiB files, 64 of them make 8 MiB.
  assert.equal(jobsPerBatch(2, 2 * 128 * 1024), 64);
  assert.equal(jobsPerBatch(2, 2 * (128 * 1024 + 1)), 63);
});
