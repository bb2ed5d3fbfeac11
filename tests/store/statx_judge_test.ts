/**
 * Unit tests of lib/store/statx_judge.ts (and lib/fs/statx_text.ts below it): the judgement
 * on statx fields answers yes exactly where the judgement through text does. A statx
 * result is written into `statxBuf` by hand (linux/stat.h), so every edge is reachable:
 * 64-bit inodes and devices, times before 1970, whole seconds, the racy margin.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { FdStat } from "../../lib/fs/stat.ts";
import { stampText } from "../../lib/fs/stat.ts";
import { statxView } from "../../lib/fs/statx.ts";
import { CachedVersion, factsOf } from "../../lib/store/cache.ts";
import { fileRowIn } from "../../lib/store/cache_file.ts";
import { changeReason } from "../../lib/store/identity.ts";
import { statxHasStamp, statxIsFileOf, statxIsUnchangedFile } from "../../lib/store/statx_judge.ts";
import { recordedFile } from "../_helpers/recorded.ts";

const RUN = 1_700_000_000_000; // ms

/** Writes `st` into the statx buffer as statx(2) would have. */
function putStatx(st: FdStat): void {
  const v = statxView;
  v.setUint32(20, st.uid, true);
  v.setUint32(24, st.gid, true);
  v.setUint16(28, st.mode, true);
  v.setBigUint64(32, st.ino, true);
  v.setBigUint64(40, BigInt(st.size), true);
  const time = (off: number, ns: bigint) => {
    let sec = ns / 1_000_000_000n;
    if (sec * 1_000_000_000n > ns) sec -= 1n; // floor, for times before 1970
    v.setBigInt64(off, sec, true);
    v.setUint32(off + 8, Number(ns - sec * 1_000_000_000n), true);
  };
  time(96, st.ctimeNs);
  time(112, st.mtimeNs);
  // glibc's makedev, undone.
  const major = ((st.dev >> 32n) & 0xfffff000n) | ((st.dev >> 8n) & 0xfffn);
  const minor = ((st.dev >> 12n) & 0xffffff00n) | (st.dev & 0xffn);
  v.setUint32(136, Number(major), true);
  v.setUint32(140, Number(minor), true);
}

const ns = fc.constantFrom(
  BigInt(RUN - 60_000) * 1_000_000n + 123n,
  BigInt(RUN - 60_000) * 1_000_000n + 1_000_000_123n,
  BigInt(RUN / 1000 - 60) * 1_000_000_000n, // a whole second
  BigInt(RUN / 1000 - 1) * 1_000_000_000n, // racy only as coarse
  BigInt(RUN) * 1_000_000n - 10_000_000n, // racy
  BigInt(RUN) * 1_000_000n - 50_000_000n, // at the margin
  BigInt(RUN) * 1_000_000n - 50_000_001n, // 1 ns older than the margin
  BigInt(RUN) * 1_000_000n + 5n,
  -1_500_000_000n, // before 1970
  -1n,
  0n,
  999_999_999n,
  1_000_000_000n,
);
const statArb: fc.Arbitrary<FdStat> = fc.record({
  isFile: fc.constant(true),
  mode: fc.constantFrom(0o100644, 0o100600, 0o104755, 0o120777, 0o40755),
  uid: fc.constantFrom(0, 1000, 2 ** 32 - 2),
  gid: fc.constantFrom(0, 1000),
  size: fc.constantFrom(0, 42, 43, 2 ** 40, 2 ** 53 - 1),
  dev: fc.constantFrom(2049n, 65024n, 0xfff_0000_0000_0123n, 0x1234_5678n),
  ino: fc.constantFrom(77n, 78n, 2n ** 53n + 1n, 2n ** 63n + 1n, 10n ** 15n, 10n ** 15n - 1n),
  mtimeMs: fc.constant(0),
  mtimeNs: ns,
  ctimeNs: ns,
});
const FIELDS = ["mode", "uid", "gid", "size", "dev", "ino", "mtimeNs", "ctimeNs"] as const;

/** `then`, one field of `other` over it, or `other`: pairs that agree on all but one field. */
function mix(then: FdStat, other: FdStat, k: number): FdStat {
  if (k === 0) return then;
  return k <= FIELDS.length ? { ...then, [FIELDS[k - 1]!]: other[FIELDS[k - 1]!] } : other;
}

test("statxIsUnchangedFile() says yes exactly when changeReason() finds the file unchanged", () => {
  fc.assert(
    fc.property(statArb, statArb, fc.nat(9), fc.boolean(), (then, other, k, ignoreInode) => {
      const now = mix(then, other, k);
      const rec = recordedFile(then, RUN);
      const isFile = (now.mode & 0o170000) === 0o100000;
      const current = { kind: "file" as const, st: { ...now, isFile } };
      const same = isFile && changeReason(current, rec, undefined, { ignoreInode }) === undefined;
      putStatx(now);
      const v = CachedVersion.of(1, "1:2:3:4", rec);
      const row = fileRowIn(new Map([["f", v]]), "f", 1)!;
      // Times before 1970 are left to the judgement on full stats: a no, never a wrong yes.
      const old = now.mtimeNs < 0n || now.ctimeNs < 0n;
      assert.equal(statxIsUnchangedFile(row, ignoreInode), same && !old);
    }),
    { numRuns: 3000 },
  );
});

/** A regular file last changed a minute before the run. */
const PLAIN: FdStat = {
  isFile: true,
  mode: 0o100644,
  uid: 1,
  gid: 2,
  size: 3,
  dev: 2049n,
  ino: 4n,
  mtimeMs: 0,
  mtimeNs: BigInt(RUN - 60_000) * 1_000_000n,
  ctimeNs: BigInt(RUN - 60_000) * 1_000_000n,
};

test("statxIsUnchangedFile() says no for what is not recorded, or recorded in another form", () => {
  const st = PLAIN;
  putStatx(st);
  const version = CachedVersion.of(1, "1:2:3:4", recordedFile(st, RUN));
  const base = fileRowIn(new Map([["f", version]]), "f", 1)!;
  assert.equal(statxIsUnchangedFile(base, false), true);
  for (const k of ["size", "mode", "uid", "gid", "run", "identity"] as const) {
    assert.equal(statxIsUnchangedFile({ ...base, [k]: null }, false), false, k);
  }
  // A row as read is checked as it is compared: the same values of another type are a no.
  const asText = { size: "3", uid: "1", gid: "2", run: String(RUN), mode: 0o100644 };
  for (const [k, v] of Object.entries(asText)) {
    assert.equal(statxIsUnchangedFile({ ...base, [k]: v }, false), false, k);
  }
  assert.equal(statxIsUnchangedFile({ ...base, mode: "100648" }, false), false, "not octal");
  assert.equal(statxIsUnchangedFile({ ...base, mode: "0100644" }, false), true, "7 digits");
  assert.equal(statxIsUnchangedFile({ ...base, mode: "00100644" }, false), false, "8 digits");
  // Rows from a cache file: of another TS, not a file, or not a row at all are not read.
  const raw = JSON.parse(JSON.stringify(version.row()));
  assert.deepEqual(fileRowIn(new Map([["f", raw]]), "f", 1), base);
  assert.equal(fileRowIn(new Map([["f", raw]]), "f", 2), undefined);
  assert.equal(
    fileRowIn(new Map([["f", [...raw.slice(0, 3), "none", ...raw.slice(4)]]]), "f", 1),
    undefined,
  );
  assert.equal(fileRowIn(new Map([["f", raw.slice(1)]]), "f", 1), undefined);
  assert.equal(fileRowIn(new Map([["f", { 0: 1 }]]), "f", 1), undefined);
  const id = base.identity as string;
  // The same numbers, written with a leading zero: text that no stat gives.
  assert.equal(statxIsUnchangedFile({ ...base, identity: `0${id}` }, false), false);
  const [dev, ino, m, c] = id.split(":");
  assert.equal(
    statxIsUnchangedFile({ ...base, identity: `${dev}:0${ino}:${m}:${c}` }, false),
    false,
  );
  assert.equal(
    statxIsUnchangedFile({ ...base, identity: `${dev}:${ino}:0${m}:${c}` }, false),
    false,
  );
  assert.equal(statxIsUnchangedFile({ ...base, identity: `${dev}:${ino}:${m}` }, false), false);
});

test("statxHasStamp() says yes exactly when CachedVersion.matches() the file's stampText()", () => {
  fc.assert(
    fc.property(statArb, statArb, fc.nat(9), fc.boolean(), (then, other, k, committed) => {
      const now = mix(then, other, k);
      // A stamp as read (the ctime seen), or as committed (a bound on it).
      const v = committed
        ? CachedVersion.committed(
          1,
          `${then.ino}:${then.size}:${then.mtimeNs}`,
          RUN,
          factsOf({ schema: "backup_meta.v3", prior_kind: "none" }),
        )
        : CachedVersion.of(1, stampText(then), { schema: "backup_meta.v3", prior_kind: "none" });
      putStatx(now);
      const yes = v.matches(stampText(now));
      // A ctime before 1970 is left to the text (never cached: `fromRow`): a no.
      const old = now.ctimeNs < 0n || v.stamp.slice(v.stamp.lastIndexOf(":") + 1).startsWith("-");
      assert.equal(statxHasStamp(v.stamp), yes && !old);
    }),
    { numRuns: 3000 },
  );
});

test("statxIsFileOf(): a regular file of the size, any size for null", () => {
  const st: FdStat = { ...PLAIN, size: 2 ** 40 + 7 };
  putStatx(st);
  assert.equal(statxIsFileOf(2 ** 40 + 7), true);
  assert.equal(statxIsFileOf(7), false);
  assert.equal(statxIsFileOf(null), true);
  putStatx({ ...st, mode: 0o120777 });
  assert.equal(statxIsFileOf(2 ** 40 + 7), false);
  assert.equal(statxIsFileOf(null), false);
});
