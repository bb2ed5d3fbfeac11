/**
 * Property test of snapshot → mutate → restore (lib/snapshot/run.ts and lib/restore/restore.ts in
 * this process, one worker pool): for random trees of files, symlinks and absent
 * targets, beside or in a store, and random mutations (bytes, mode, deletion, a file
 * replaced by a symlink and back, absent targets created, in the store layout a whole
 * directory deleted), restoring the directory gives back the original tree: bytes, mode
 * bits, mtime (ms), link texts and absences; no temp is left; a second restore changes
 * nothing.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { posix } from "node:path";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { realIo } from "../../lib/fs/io.ts";
import { WorkerPool } from "../../lib/pool/pool.ts";
import { SPAWN } from "../_helpers/pool.ts";
import { restore, type RestoreOptions } from "../../lib/restore/restore.ts";
import { initRuntime } from "../../lib/fs/runtime.ts";
import { snapshot } from "../../lib/snapshot/run.ts";
import { CaptureReporter, IS_ROOT, tempDir } from "../_helpers/helpers.ts";
import { restoreTemps } from "../_helpers/restore_fixture.ts";

type Node =
  | { kind: "file"; content: Uint8Array; mode: number }
  | { kind: "symlink"; text: string }
  | { kind: "none" };

type Mutation =
  | "keep"
  | "bytes"
  | "chmod"
  | "delete"
  | "to_symlink"
  | "to_file"
  | "retarget";

const DIRS = ["", "d0", "d0/d1", "d2"];
const nameArb = fc.stringMatching(/^[a-z0-9_]{1,8}$/).map((s) => `n${s}`);
const nodeArb: fc.Arbitrary<Node> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("file" as const),
      content: fc.uint8Array({ maxLength: 2000 }),
      // Readable by its owner unless root: a snapshot must be able to read it.
      mode: fc.integer({ min: 0, max: 0o7777 }).map((m) => (IS_ROOT ? m : m | 0o400)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("symlink" as const),
      text: fc.constantFrom("../up", "rel/x", "/abs/path", "dangling", "d0/../n"),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "none" as const }) },
);
const entryArb = fc.record({
  dir: fc.constantFrom(...DIRS),
  name: nameArb,
  node: nodeArb,
  mutation: fc.constantFrom<Mutation>(
    "keep",
    "bytes",
    "chmod",
    "delete",
    "to_symlink",
    "to_file",
    "retarget",
  ),
});
const caseArb = fc.record({
  entries: fc.uniqueArray(entryArb, {
    minLength: 1,
    maxLength: 12,
    selector: (e) => `${e.dir}/${e.name}`,
  }),
  store: fc.boolean(),
  dropDir: fc.boolean(),
});

let pool: WorkerPool;
before(async () => {
  await initRuntime();
  pool = new WorkerPool(SPAWN, 2);
});
after(() => pool.close());

function create(p: string, n: Node): void {
  if (n.kind === "file") {
    fs.writeFileSync(p, n.content);
    fs.chmodSync(p, n.mode);
  } else if (n.kind === "symlink") fs.symlinkSync(n.text, p);
}

function mutate(p: string, n: Node, m: Mutation): void {
  const exists = fs.lstatSync(p, { throwIfNoEntry: false }) !== undefined;
  if (m === "keep") return;
  if (n.kind === "none" || !exists) {
    // An absent target comes into existence, as a file or a symlink.
    if (m === "to_symlink" || m === "retarget") fs.symlinkSync("appeared", p);
    else if (m !== "delete") fs.writeFileSync(p, "appeared");
    return;
  }
  if (m === "delete") return fs.rmSync(p);
  if (m === "to_symlink" && n.kind === "file") {
    fs.rmSync(p);
    return fs.symlinkSync("replaced", p);
  }
  if (m === "to_file" && n.kind === "symlink") {
    fs.rmSync(p);
    return fs.writeFileSync(p, "was a link");
  }
  if (n.kind === "symlink") {
    fs.rmSync(p);
    return fs.symlinkSync(`${n.text}-changed`, p);
  }
  if (m === "chmod") return fs.chmodSync(p, n.mode ^ 0o4111);
  // Same length, other bytes when possible: only the hash can tell.
  const b = Buffer.from(n.content);
  if (b.length === 0) return fs.writeFileSync(p, "x");
  b[0] = b[0]! ^ 0xff;
  fs.writeFileSync(p, b);
}

function assertRestored(p: string, n: Node, mtimeMs: number | undefined): void {
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (n.kind === "none") return assert.equal(st, undefined, `${p} should be absent`);
  assert.ok(st !== undefined, `${p} should exist`);
  if (n.kind === "symlink") {
    assert.ok(st.isSymbolicLink(), `${p} should be a symlink`);
    return assert.equal(fs.readlinkSync(p), n.text);
  }
  assert.ok(st.isFile(), `${p} should be a file`);
  assert.deepEqual(new Uint8Array(fs.readFileSync(p)), n.content, `${p} bytes`);
  assert.equal((st.mode & 0o7777).toString(8), n.mode.toString(8), `${p} mode`);
  assert.equal(Math.floor(st.mtimeMs), Math.floor(mtimeMs!), `${p} mtime`);
}

test("restore() after snapshot() and random mutations gives back the original tree", async () => {
  await fc.assert(
    fc.asyncProperty(caseArb, async (c) => {
      await using dir = tempDir();
      const root = dir.join("root");
      for (const d of DIRS) fs.mkdirSync(posix.join(root, d), { recursive: true });
      const store = c.store ? dir.join("store") : undefined;
      const paths: string[] = [];
      for (const e of c.entries) {
        const p = posix.join(root, e.dir, e.name);
        create(p, e.node);
        if (e.node.kind === "none") paths.push(p);
      }
      const mtimes = c.entries.map((e) =>
        fs.lstatSync(posix.join(root, e.dir, e.name), { throwIfNoEntry: false })?.mtimeMs
      );
      const rep = new CaptureReporter();
      const common = { tag: "snapyard", store, schema: "v3" as const, durable: false, io: realIo };
      const s = await snapshot({ ...common, paths: [root, ...paths], pool, emit: rep.emit });
      assert.equal(s.failed, 0, JSON.stringify(rep.problems));

      for (const e of c.entries) mutate(posix.join(root, e.dir, e.name), e.node, e.mutation);
      // In the store layout the entries survive the loss of a whole directory.
      if (store !== undefined && c.dropDir) fs.rmSync(posix.join(root, "d0"), { recursive: true });

      const opts: RestoreOptions = {
        ...common,
        paths: [root],
        at: { kind: "latest" },
        dryRun: false,
        preSnapshot: "required",
        allowUnverified: false,
        pool: () => pool,
        emit: rep.emit,
      };
      const r1 = await restore(opts);
      assert.equal(r1.outcome, "OK", JSON.stringify(rep.problems));
      c.entries.forEach((e, i) =>
        assertRestored(posix.join(root, e.dir, e.name), e.node, mtimes[i])
      );
      assert.deepEqual(restoreTemps(dir.path), []);
      const r2 = await restore(opts);
      assert.equal(r2.outcome, "OK", JSON.stringify(rep.problems));
      assert.deepEqual([r2.restored, r2.removed, r2.unchanged], [0, 0, c.entries.length]);
    }),
    { numRuns: 20 },
  );
});
