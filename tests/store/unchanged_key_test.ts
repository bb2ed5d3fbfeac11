/**
 * Unit tests of lib/store/identity.ts `unchangedKey` against `changeReason`: the one-string
 * comparison an unchanged run makes first agrees with the field-by-field judgement.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fileKeyText } from "../../lib/fs/quick_stat.ts";
import type { FdStat } from "../../lib/fs/stat.ts";
import { changeReason, identityOf, unchangedKey } from "../../lib/store/identity.ts";
import { buildSidecar, type Sidecar } from "../../lib/store/sidecar.ts";

const RUN = 1_700_000_000_000; // ms

function recorded(st: FdStat, schema: "v2" | "v3" = "v3"): Sidecar {
  return buildSidecar(
    {
      kind: "file",
      mode: st.mode,
      hash: "a".repeat(64),
      size: st.size,
      mtimeMs: st.mtimeMs,
      uid: st.uid,
      gid: st.gid,
      identity: identityOf(st),
    },
    schema,
    RUN,
    new Date(RUN),
    "new",
  );
}

/** Few values per field, so that generated pairs often agree on some and differ on others. */
const ns = fc.constantFrom(
  BigInt(RUN - 60_000) * 1_000_000n + 123n, // a minute before the run
  BigInt(RUN - 60_000) * 1_000_000n, // ...on a whole millisecond
  BigInt(RUN - 60) * 1_000_000_000n, // ...on a whole second (coarse filesystems)
  BigInt(RUN) * 1_000_000n - 10_000_000n, // racy: 10 ms before the run
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

test("unchangedKey() equals a file's fileKeyText exactly when changeReason() finds it unchanged", () => {
  fc.assert(
    fc.property(statArb, statArb, fc.boolean(), (then, now, ignoreInode) => {
      const rec = recorded(then);
      const opts = { ignoreInode };
      const same = changeReason({ kind: "file", st: now }, rec, undefined, opts) === undefined;
      assert.equal(unchangedKey(rec, opts) === fileKeyText(now, ignoreInode), same);
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
