/**
 * Unit tests of lib/store/identity.ts `unchangedKey` against `changeReason`: the one-string
 * comparison an unchanged run makes first agrees with the field-by-field judgement.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fileKeyText } from "../../lib/fs/quick_stat.ts";
import { CachedVersion } from "../../lib/store/cache.ts";
import type { FdStat } from "../../lib/fs/stat.ts";
import { recordedFile } from "../_helpers/recorded.ts";
import { changeReason, unchangedKey } from "../../lib/store/identity.ts";
import type { Sidecar } from "../../lib/store/sidecar.ts";

const RUN = 1_700_000_000_000; // ms

function recorded(st: FdStat, schema: "v2" | "v3" = "v3"): Sidecar {
  return recordedFile(st, RUN, schema);
}

/** Few values per field, so that generated pairs often agree on some and differ on others. */
const ns = fc.constantFrom(
  BigInt(RUN - 60_000) * 1_000_000n + 123n, // a minute before the run
  BigInt(RUN - 60_000) * 1_000_000n, // ...on a whole millisecond
  BigInt(RUN / 1000 - 60) * 1_000_000_000n, // ...on a whole second (coarse filesystems)
  BigInt(RUN / 1000 - 1) * 1_000_000_000n, // a whole second 1 s before: racy only as coarse
  BigInt(RUN) * 1_000_000n - 10_000_000n, // racy: 10 ms before the run
  BigInt(RUN) * 1_000_000n - 50_000_000n, // racy: right at the margin
  BigInt(RUN) * 1_000_000n - 50_000_001n, // 1 ns older than the margin
  BigInt(RUN) * 1_000_000n + 5n, // after the run
  -1_500_000_000n, // before 1970
  0n,
);
const statArb: fc.Arbitrary<FdStat> = fc.record({
  isFile: fc.constant(true),
  mode: fc.constantFrom(0o100644, 0o100600, 0o104755),
  uid: fc.constantFrom(0, 1000),
  gid: fc.constantFrom(0, 1000),
  size: fc.constantFrom(0, 42, 2 ** 40),
  dev: fc.constantFrom(2049n, 0xfff_0000_0000_0123n),
  ino: fc.constantFrom(77n, 78n, 2n ** 63n + 1n),
  mtimeMs: fc.constant(0),
  mtimeNs: ns,
  ctimeNs: ns,
});

const FIELDS = ["mode", "uid", "gid", "size", "dev", "ino", "mtimeNs", "ctimeNs"] as const;

test("unchangedKey() (of a sidecar, of a cache row) equals a file's fileKeyText exactly when changeReason() finds it unchanged", () => {
  fc.assert(
    fc.property(statArb, statArb, fc.nat(9), fc.boolean(), (then, other, k, ignoreInode) => {
      // Now: as then, or then with one field of another stat, or another stat.
      const now = k === 0
        ? then
        : k <= FIELDS.length
        ? { ...then, [FIELDS[k - 1]!]: other[FIELDS[k - 1]!] }
        : other;
      const rec = recorded(then);
      const opts = { ignoreInode };
      const same = changeReason({ kind: "file", st: now }, rec, undefined, opts) === undefined;
      const key = unchangedKey(rec, opts);
      assert.equal(key === fileKeyText(now, ignoreInode), same);
      // The same key from a version cache row, after a trip through JSON.
      const row = JSON.parse(JSON.stringify(CachedVersion.of(1, "1:2:3:4", rec).row()));
      const back = CachedVersion.fromRow(row);
      const id = rec.identity!;
      // A cache row holds no time before 1970 (such an entry's sidecar is read instead).
      if (back === undefined) assert.ok(`${id.mtime_ns}${id.ctime_ns}`.includes("-"));
      else assert.equal(back.unchangedKey(opts), key);
    }),
    { numRuns: 2000 },
  );
});

test("unchangedKey() is undefined for a racy entry, a sidecar without identity, a symlink", () => {
  const st: FdStat = {
    isFile: true,
    mode: 0o100644,
    uid: 1,
    gid: 1,
    size: 1,
    dev: 1n,
    ino: 1n,
    mtimeMs: 0,
    mtimeNs: BigInt(RUN - 60_000) * 1_000_000n,
    ctimeNs: BigInt(RUN - 60_000) * 1_000_000n,
  };
  const opts = { ignoreInode: false };
  assert.equal(typeof unchangedKey(recorded(st), opts), "string");
  assert.equal(
    unchangedKey(recorded({ ...st, ctimeNs: BigInt(RUN) * 1_000_000n }), opts),
    undefined,
  );
  assert.equal(unchangedKey(recorded(st, "v2"), opts), undefined);
  const link: Sidecar = { schema: "backup_meta.v3", prior_kind: "symlink", prior_dest: "x" };
  assert.equal(unchangedKey(link, opts), undefined);
});
