/** Unit tests of lib/store/cache.ts: what a cache row keeps, and rows of the wrong shape. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { fromText } from "../../lib/fs/bpath.ts";
import { CachedVersion, factsOf, fileFacts, identityText } from "../../lib/store/cache.ts";
import { readCache, writeCache } from "../../lib/store/cache_file.ts";
import { cacheName } from "../../lib/store/layout.ts";
import { buildFileSidecar, type Sidecar } from "../../lib/store/sidecar.ts";
import { tempDir } from "../_helpers/helpers.ts";

const FILE: Sidecar = {
  schema: "backup_meta.v3",
  prior_kind: "file",
  mode: "100644",
  payload_hash: "a".repeat(64),
  size: 12,
  mtime_ms: 1_700_000_000_123,
  uid: 1000,
  gid: 100,
  created_at: "2026-12-02T00:00:00.000Z",
  run: 1_700_000_001_000,
  change: "new",
  identity: {
    dev: "2049",
    ino: "18446744073709551615",
    mtime_ns: "1700000000123456789",
    ctime_ns: "1700000000123456789",
  },
};
const LINK: Sidecar = { schema: "backup_meta.v1", prior_kind: "symlink", prior_dest: "t\xe9\xff" };
const NONE: Sidecar = { schema: "backup_meta.v3", prior_kind: "none", run: 5 };
const V2: Sidecar = {
  schema: "backup_meta.v2",
  prior_kind: "file",
  mode: "600",
  payload_hash: "b".repeat(64),
};

/** What the judgement reads of a sidecar: everything but its hash, creation time, mtime_ms and change. */
function judged(s: Sidecar): Sidecar {
  const { payload_hash: _h, created_at: _c, mtime_ms: _m, change: _w, ...rest } = s;
  return rest;
}

test("writeCache() then readCache() gives back what the unchanged judgement reads of each sidecar", async () => {
  await using dir = tempDir();
  const versions = new Map<string, CachedVersion>([
    ["a", CachedVersion.of(1, "1:2:3:4", FILE)],
    ["l\xff", CachedVersion.of(2, "5:6:7:8", LINK)],
    ["n", CachedVersion.of(3, "9:0:1:2", NONE)],
    ["v", CachedVersion.of(4, "3:4:5:6", V2)],
  ]);
  writeCache(fromText(dir.path), "snapyard", versions);
  const back = readCache(fromText(dir.path), "snapyard");
  assert.deepEqual(
    [...back].map(([n, v]) => [n, v.ts, v.stamp, v.sidecar]),
    [...versions].map(([n, v]) => [n, v.ts, v.stamp, judged(v.sidecar)]),
  );
});

test("readCache() drops each row of the wrong shape alone, and a cache of another schema whole", async () => {
  await using dir = tempDir();
  const file = posix.join(dir.path, cacheName("snapyard"));
  const good = [1, "5:6:7:8", 3, "file", 1, "644", 0, 0, 9, "1:2:3:4", null];
  const rows = {
    good,
    badStamp: [1, "5:6:7:08", 3, "file", 1, "644", 0, 0, 9, "1:2:3:4", null],
    noMode: [1, "5:6:7:8", 3, "file", 1, null, 0, 0, 9, "1:2:3:4", null],
    badIdentity: [1, "5:6:7:8", 3, "file", 1, "644", 0, 0, 9, "1:2:x:4", null],
    linkWithoutText: [1, "5:6:7:8", 1, "symlink", null, null, null, null, null, null, null],
    badSchema: [1, "5:6:7:8", 7, "none", null, null, null, null, null, null, null],
    negative: [1, "5:6:7:8", 3, "file", -1, "644", 0, 0, 9, null, null],
    short: [1, "5:6:7:8", 3, "none"],
  };
  fs.writeFileSync(
    file,
    JSON.stringify({ schema: "snapyard_cache.v2", tag: "snapyard", entries: rows }),
  );
  assert.deepEqual([...readCache(fromText(dir.path), "snapyard").keys()], ["good"]);
  fs.writeFileSync(
    file,
    JSON.stringify({ schema: "snapyard_cache.v1", tag: "snapyard", entries: { good } }),
  );
  assert.equal(readCache(fromText(dir.path), "snapyard").size, 0);
});

test("CachedVersion.matches(): the same inode, size and mtime, and a ctime not later than the stamp's", () => {
  const read = CachedVersion.of(1, "10:20:30:40", NONE);
  assert.equal(read.matches("10:20:30:40"), true);
  assert.equal(read.matches("10:20:30:41"), false, "changed since it was read");
  assert.equal(read.matches("10:20:31:40"), false, "another mtime");
  assert.equal(read.matches("10:21:30:40"), false, "another size");
  assert.equal(read.matches("11:20:30:40"), false, "another inode");
  assert.equal(read.matches("1:020:30:40"), false, "another head of the same length");
  // Committed at ms 1,700,000,000,123: any ctime up to that millisecond's last ns.
  const committed = CachedVersion.committed(1, "10:20:30", 1_700_000_000_123, factsOf(NONE));
  assert.equal(committed.stamp, "10:20:30:1700000000123999999");
  assert.equal(committed.matches("10:20:30:1700000000123999999"), true);
  assert.equal(committed.matches("10:20:30:1700000000123000000"), true);
  assert.equal(committed.matches("10:20:30:999999999"), true, "a shorter (earlier) ctime");
  assert.equal(committed.matches("10:20:30:1700000000124000000"), false, "changed after it");
  assert.equal(committed.matches("10:20:30:17000000001240000000"), false, "a longer ctime");
  assert.equal(committed.matches("10:20:31:1700000000123000000"), false, "another mtime");
});

test("fileFacts() is factsOf() the sidecar buildFileSidecar() writes, in both schemas", () => {
  fc.assert(
    fc.property(
      fc.record({
        mode: fc.integer({ min: 0, max: 0o177777 }),
        hash: fc.constant("b".repeat(64)),
        size: fc.nat(),
        mtimeMs: fc.nat(),
        uid: fc.nat(),
        gid: fc.nat(),
        identity: fc.record({
          dev: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
          ino: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
          mtime_ns: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String),
          ctime_ns: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String),
        }),
      }),
      fc.constantFrom("v2" as const, "v3" as const),
      fc.nat(),
      (f, schema, run) => {
        const written = buildFileSidecar(f, schema, run, new Date(run), "new");
        const text = identityText(f.identity);
        assert.deepEqual(fileFacts({ ...f, identity: text }, schema, run), factsOf(written));
      },
    ),
  );
});
