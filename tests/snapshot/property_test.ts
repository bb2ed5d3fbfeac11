/**
 * Property tests of the snapshot engine (lib/snapshot/run.ts with a real worker pool):
 * for random small trees, reading back every entry gives the source's bytes, mode and
 * link text, and the recorded hash is the SHA-256 of the source.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { posix } from "node:path";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { fromText } from "../../lib/fs/bpath.ts";
import {
  cacheName,
  entryDir,
  isOwnName,
  parseRunRecordName,
  payloadName,
  sidecarName,
} from "../../lib/store/layout.ts";
import { WorkerPool } from "../../lib/pool/pool.ts";
import { SPAWN } from "../_helpers/pool.ts";
import { initRuntime } from "../../lib/fs/runtime.ts";
import type { Sidecar } from "../../lib/store/sidecar.ts";
import { parseSidecar } from "../../lib/store/sidecar_reader.ts";
import { snapshot } from "../../lib/snapshot/run.ts";
import { CaptureReporter, tempDir } from "../_helpers/helpers.ts";

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

type Node =
  | { kind: "file"; dir: string; name: string; content: Uint8Array; mode: number }
  | { kind: "symlink"; dir: string; name: string; text: string }
  | { kind: "none"; dir: string; name: string };

/** `len` pseudo-random bytes from `seed` (xorshift32). */
function bytesFrom(len: number, seed: number): Uint8Array {
  const out = new Uint8Array(len);
  let x = seed | 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const DIRS = ["", "d0", "d0/d1", "d2"];
/** Name bytes (UTF-8) stay well under NAME_MAX once the entry suffixes are added. */
const nameArb = fc.string({ minLength: 1, maxLength: 12, unit: "grapheme" })
  .filter((s) => !/[\/\0]/.test(s) && Buffer.byteLength(s) <= 60);
const fileArb = fc.record({
  kind: fc.constant("file" as const),
  dir: fc.constantFrom(...DIRS),
  name: nameArb,
  content: fc.oneof(
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: 3000 }) },
    // Larger than one worker read (64 KiB chunks and more): generated from a seed, so
    // shrinking stays cheap.
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 70_000, max: 300_000 }), fc.nat()).map(
        ([len, seed]) => bytesFrom(len, seed),
      ),
    },
  ),
  mode: fc.integer({ min: 0, max: 0o7777 }),
});
const linkArb = fc.record({
  kind: fc.constant("symlink" as const),
  dir: fc.constantFrom(...DIRS),
  name: nameArb,
  text: fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" }).filter((s) =>
    !s.includes("\0")
  ),
});
const noneArb = fc.record({
  kind: fc.constant("none" as const),
  dir: fc.constantFrom(...DIRS),
  name: nameArb,
});
/** Nodes get an index prefix, so names never collide with each other or the dirs. */
const treeArb = fc.array(fc.oneof(fileArb, fileArb, linkArb, noneArb), { maxLength: 10 })
  .map((nodes) => nodes.map((n, i): Node => ({ ...n, name: `${i}-${n.name}` })))
  .filter((nodes) => nodes.every((n) => !isOwnName(n.name)));

function build(root: string, nodes: Node[]): void {
  for (const d of DIRS) fs.mkdirSync(posix.join(root, d), { recursive: true });
  for (const n of nodes) {
    const p = posix.join(root, n.dir, n.name);
    if (n.kind === "file") {
      fs.writeFileSync(p, n.content);
      fs.chmodSync(p, n.mode);
    } else if (n.kind === "symlink") fs.symlinkSync(n.text, p);
  }
}

let pool: WorkerPool;
before(async () => {
  await initRuntime();
  pool = new WorkerPool(SPAWN, 2);
});
after(() => pool.close());

test("snapshot() of a random tree reads back the same bytes, mode, link text and hash (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      treeArb,
      fc.constantFrom("v2" as const, "v3" as const),
      fc.boolean(),
      fc.boolean(),
      async (nodes, schema, useStore, durable) => {
        await using dir = tempDir();
        const root = dir.join("tree");
        build(root, nodes);
        const store = useStore ? fromText(dir.join("store")) : undefined;
        const reporter = new CaptureReporter();
        const sum = await snapshot({
          paths: [
            fromText(root),
            ...nodes.filter((n) => n.kind === "none").map((n) =>
              fromText(posix.join(root, n.dir, n.name))
            ),
          ],
          tag: "prop",
          store,
          schema,
          durable,
          pool,
          emit: reporter.emit,
        });
        const count = (k: Node["kind"]) => nodes.filter((n) => n.kind === k).length;
        // The only problems are the warnings docs/cli.md promises: each absent PATH, and the
        // tree PATH when it holds no file or symlink.
        const warned = (p: Record<string, unknown>) => `${p.what} ${p.path}`;
        assert.deepEqual(
          reporter.problems.map(warned).sort(),
          [
            ...nodes.filter((n) => n.kind === "none").map((n) =>
              `path_absent ${posix.join(root, n.dir, n.name)}`
            ),
            ...(count("file") + count("symlink") === 0 ? [`path_empty ${root}`] : []),
          ].sort(),
        );
        assert.ok(reporter.problems.every((p) => p.event === "warning"));
        assert.equal(sum.failed, 0);
        assert.deepEqual([sum.files, sum.symlinks, sum.absent], [
          count("file"),
          count("symlink"),
          count("none"),
        ]);
        const fileNodes = nodes.filter((n) => n.kind === "file");
        assert.equal(sum.bytes, fileNodes.reduce((a, n) => a + n.content.length, 0));

        const expectNames = new Map<string, Set<string>>(); // entry dir → names
        for (const n of nodes) {
          const target = posix.join(root, n.dir, n.name);
          const edir = entryDir(target, store === undefined ? undefined : dir.join("store"));
          const payload = posix.join(edir, payloadName(n.name, "prop", sum.run));
          const sidecarText = fs.readFileSync(
            posix.join(edir, sidecarName(n.name, "prop", sum.run)),
            "utf8",
          );
          const parsed = parseSidecar(sidecarText);
          assert.ok(parsed.ok, parsed.ok ? "" : parsed.reason);
          const s: Sidecar = parsed.sidecar;
          assert.equal(s.prior_kind, n.kind);
          assert.equal(
            s.schema,
            schema === "v3"
              ? "backup_meta.v3"
              : n.kind === "file"
              ? "backup_meta.v2"
              : "backup_meta.v1",
          );
          if (n.kind === "file") {
            const got = fs.readFileSync(payload);
            assert.deepEqual(new Uint8Array(got), n.content, `${target}: payload bytes`);
            assert.equal(s.mode, (0o100000 | n.mode).toString(8), `${target}: mode`);
            assert.equal(s.payload_hash, sha256(n.content), `${target}: hash`);
            assert.equal(fs.statSync(payload).mode & 0o7777, 0o600, `${target}: payload mode`);
            if (schema === "v3") assert.equal(s.size, n.content.length);
          } else if (n.kind === "symlink") {
            assert.equal(fs.readlinkSync(payload), n.text, `${target}: link payload`);
            assert.equal(s.prior_dest, n.text, `${target}: prior_dest`);
          } else {
            assert.equal(fs.lstatSync(payload).size, 0, `${target}: tombstone`);
          }
          if (schema === "v3") assert.equal(s.run, sum.run);
          const set = expectNames.get(edir) ?? new Set();
          set.add(payloadName(n.name, "prop", sum.run)).add(sidecarName(n.name, "prop", sum.run));
          expectNames.set(edir, set);
        }
        // Nothing else was written: no temps, no stray names (but this run's records).
        for (const [edir, names] of expectNames) {
          const own = fs.readdirSync(edir).filter((n) =>
            n.startsWith(".") && parseRunRecordName(n)?.ts !== sum.run &&
            n !== cacheName("prop")
          );
          assert.deepEqual(own.sort(), [...names].sort(), edir);
        }
      },
    ),
    // A failure still reports quickly: shrinking is cut off after a minute.
    { numRuns: 25, interruptAfterTimeLimit: 60_000 },
  );
});

test("WorkerPool.hash() in parallel equals serial SHA-256 of each file (property)", async () => {
  await using dir = tempDir();
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.uint8Array({ maxLength: 5000 }), { minLength: 1, maxLength: 20 }),
      async (contents) => {
        const paths = contents.map((c, i) => {
          const p = dir.join(`h${i}`);
          fs.writeFileSync(p, c);
          return p;
        });
        const half = Math.ceil(paths.length / 2);
        const [a, b] = await Promise.all([
          pool.hash(paths.slice(0, half).map((path) => ({ path }))),
          pool.hash(paths.slice(half).map((path) => ({ path }))),
        ]);
        assert.deepEqual(
          [...a, ...b],
          contents.map((c) => ({ ok: true, hash: sha256(c), size: c.length })),
        );
      },
    ),
    { numRuns: 25 },
  );
});
