/**
 * Property test of incremental runs as the unit of restore (issue #10): for random
 * sequences of mutations and incremental snapshot runs of a tree into a store (files
 * rewritten, chmod'ed, deleted, replaced by symlinks, retargeted, new files, whole
 * directories deleted), `restore DIR --at TS_k --delete` gives exactly the tree as it was
 * at run k (files and symlinks: bytes, mode, link text; names that did not exist then are
 * gone), for every k and in any order.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { posix } from "node:path";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { realIo } from "../../lib/fs/io.ts";
import { initRuntime } from "../../lib/fs/runtime.ts";
import { WorkerPool } from "../../lib/pool/pool.ts";
import { restore } from "../../lib/restore/restore.ts";
import { snapshot } from "../../lib/snapshot/run.ts";
import { CaptureReporter, tempDir } from "../_helpers/helpers.ts";
import { SPAWN } from "../_helpers/pool.ts";
import { describe, namesBelow } from "../_helpers/restore_fixture.ts";

type Op =
  | { op: "write"; at: number; size: number; seed: number }
  | { op: "chmod"; at: number; mode: number }
  | { op: "delete"; at: number }
  | { op: "link"; at: number; text: string }
  | { op: "rmdir"; dir: number };

const DIRS = ["", "a", "a/b", "c"];
const NAMES = ["f0", "f1", "f2", "f3"];
const SLOTS = DIRS.length * NAMES.length;
const pathOf = (at: number) => posix.join(DIRS[at % DIRS.length]!, NAMES[at % NAMES.length]!);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("write" as const),
      at: fc.nat(SLOTS - 1),
      size: fc.nat(300),
      seed: fc.nat(255),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("chmod" as const),
      at: fc.nat(SLOTS - 1),
      mode: fc.constantFrom(0o600, 0o640, 0o755, 0o4755),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("delete" as const), at: fc.nat(SLOTS - 1) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("link" as const),
      at: fc.nat(SLOTS - 1),
      text: fc.constantFrom("f0", "../x", "/abs"),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("rmdir" as const), dir: fc.nat(2) }) },
);

/** Files and symlinks below `root` (directories are not targets), described. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of namesBelow(root)) {
    const d = describe(posix.join(root, rel))!;
    if (!d.startsWith("dir ")) out[rel] = d;
  }
  return out;
}

function apply(root: string, op: Op): void {
  if (op.op === "rmdir") {
    fs.rmSync(posix.join(root, DIRS[op.dir + 1]!), { recursive: true, force: true });
    return;
  }
  const p = posix.join(root, pathOf(op.at));
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (op.op === "chmod") {
    if (st?.isFile()) fs.chmodSync(p, op.mode);
    return;
  }
  if (st !== undefined) fs.rmSync(p);
  if (op.op === "delete") return;
  fs.mkdirSync(posix.dirname(p), { recursive: true });
  if (op.op === "link") fs.symlinkSync(op.text, p);
  else fs.writeFileSync(p, Buffer.alloc(op.size, op.seed));
}

let pool: WorkerPool;
before(async () => {
  await initRuntime();
  pool = new WorkerPool(SPAWN, 2);
});
after(() => pool.close());

test("restore DIR --at TS_k --delete equals the tree at incremental run k, for every k (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(opArb, { minLength: 1, maxLength: 6 }), { minLength: 2, maxLength: 4 }),
      fc.array(fc.nat(3), { minLength: 1, maxLength: 4 }),
      async (rounds, order) => {
        await using dir = tempDir();
        const root = dir.join("t");
        const store = dir.join("store");
        fs.mkdirSync(root);
        // One file no op touches: a run of an empty tree has no entry to restore from.
        fs.writeFileSync(posix.join(root, "base"), "base");
        const rep = new CaptureReporter();
        const runs: { ts: number; tree: Record<string, string> }[] = [];
        for (const ops of rounds) {
          for (const op of ops) apply(root, op);
          // Out of the racy window, so later runs can find these files unchanged.
          await new Promise((r) => setTimeout(r, 60));
          const s = await snapshot({
            paths: [root],
            tag: "prop",
            store,
            schema: "v3",
            durable: false,
            pool,
            emit: rep.emit,
          });
          assert.equal(s.failed, 0, JSON.stringify(s.failures));
          runs.push({ ts: s.run, tree: tree(root) });
        }
        for (const o of order) {
          const k = o % runs.length;
          const r = await restore({
            paths: [root],
            tag: "prop",
            store,
            at: { kind: "ts", ts: runs[k]!.ts },
            dryRun: false,
            preSnapshot: "off",
            allowUnverified: false,
            deleteNew: true,
            durable: false,
            schema: "v3",
            pool: () => pool,
            emit: rep.emit,
            io: realIo,
          });
          assert.equal(r.outcome, "OK", JSON.stringify(rep.problems));
          assert.deepEqual(tree(root), runs[k]!.tree, `tree at run ${k}`);
        }
      },
    ),
    { numRuns: 12, interruptAfterTimeLimit: 60_000 },
  );
});
