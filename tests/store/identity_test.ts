/** Unit tests of lib/store/identity.ts and the v3 `change`/`identity` sidecar keys. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { changeReason, type Current, racy } from "../../lib/store/identity.ts";
import { buildSidecar, encodeSidecar, type Sidecar } from "../../lib/store/sidecar.ts";
import { parseSidecar } from "../../lib/store/sidecar_reader.ts";
import type { FdStat } from "../../lib/fs/stat.ts";
import { recordedFile } from "../_helpers/recorded.ts";

const RUN = 1_700_000_000_000; // ms
const OLD_NS = BigInt(RUN - 60_000) * 1_000_000n + 123n; // a minute before the run

function stat(over: Partial<FdStat> = {}): FdStat {
  return {
    isFile: true,
    mode: 0o100644,
    uid: 1000,
    gid: 1000,
    size: 42,
    dev: 2049n,
    ino: 77n,
    mtimeMs: RUN - 60_000,
    mtimeNs: OLD_NS,
    ctimeNs: OLD_NS + 5n,
    ...over,
  };
}

function recorded(st: FdStat): Sidecar {
  return recordedFile(st, RUN);
}

const OPTS = { ignoreInode: false };

test("changeReason() finds an identical file unchanged", () => {
  const st = stat();
  assert.equal(changeReason({ kind: "file", st }, recorded(st), undefined, OPTS), undefined);
});

test("changeReason() names each differing field of a file", () => {
  const base = stat();
  const rec = recorded(base);
  const cases: [Partial<FdStat>, string][] = [
    [{ size: 43 }, "size"],
    [{ mode: 0o100600 }, "mode"],
    [{ uid: 0 }, "owner"],
    [{ gid: 0 }, "owner"],
    [{ ino: 78n }, "ino"],
    [{ dev: 2050n }, "ino"],
    [{ mtimeNs: OLD_NS + 1n }, "mtime"],
    [{ ctimeNs: OLD_NS + 6n }, "ctime"],
  ];
  for (const [over, why] of cases) {
    assert.equal(
      changeReason({ kind: "file", st: stat(over) }, rec, undefined, OPTS),
      why,
      JSON.stringify(over, (_k, v) => typeof v === "bigint" ? String(v) : v),
    );
  }
});

test("changeReason() with ignoreInode leaves dev and ino out, nothing else", () => {
  const rec = recorded(stat());
  const opts = { ignoreInode: true };
  assert.equal(
    changeReason({ kind: "file", st: stat({ ino: 9n, dev: 3n }) }, rec, undefined, opts),
    undefined,
  );
  assert.equal(
    changeReason({ kind: "file", st: stat({ ino: 9n, size: 1 }) }, rec, undefined, opts),
    "size",
  );
});

test("changeReason() counts a file as changed when the sidecar has no identity (v2, old v3)", () => {
  const st = stat();
  const v3 = recorded(st);
  delete v3.identity;
  assert.equal(changeReason({ kind: "file", st }, v3, undefined, OPTS), "no-identity");
  const v2 = buildSidecar(
    { kind: "file", mode: st.mode, hash: "b".repeat(64), size: 42, mtimeMs: 0, uid: 0, gid: 0 },
    "v2",
    RUN,
    new Date(RUN),
  );
  assert.equal(changeReason({ kind: "file", st }, v2, undefined, OPTS), "no-identity");
});

test("changeReason() compares kinds, link text and absence", () => {
  const file = recorded(stat());
  const none: Current = { kind: "none" };
  assert.equal(changeReason(none, file, undefined, OPTS), "kind");
  const link = buildSidecar(
    { kind: "symlink", dest: "a/b", mtimeMs: 0, uid: 1, gid: 1 },
    "v3",
    RUN,
    new Date(RUN),
  );
  const cur = (text: string, uid = 1): Current => ({ kind: "symlink", text, uid, gid: 1 });
  assert.equal(changeReason(cur("a/b"), link, "a/b", OPTS), undefined);
  assert.equal(changeReason(cur("a/c"), link, "a/b", OPTS), "link");
  assert.equal(changeReason(cur("a/b", 2), link, "a/b", OPTS), "owner");
  assert.equal(changeReason({ kind: "file", st: stat() }, link, "a/b", OPTS), "kind");
  const tomb = buildSidecar({ kind: "none" }, "v3", RUN, new Date(RUN));
  assert.equal(changeReason(none, tomb, undefined, OPTS), undefined);
  assert.equal(changeReason(cur("x"), tomb, undefined, OPTS), "kind");
});

test("racy() treats times not older than the entry's run as possibly changed", () => {
  const at = (ms: number, ns = 7n) => BigInt(ms) * 1_000_000n + ns;
  assert.equal(racy({ mtimeNs: at(RUN - 60_000), ctimeNs: at(RUN - 60_000) }, RUN), false);
  assert.equal(racy({ mtimeNs: at(RUN + 5), ctimeNs: at(RUN - 60_000) }, RUN), true);
  // ctime counts too: a `touch -d` back in time right after the copy still moves ctime.
  assert.equal(racy({ mtimeNs: at(RUN - 60_000), ctimeNs: at(RUN - 1) }, RUN), true);
  // Whole-second timestamps (a coarse filesystem): a wider margin.
  assert.equal(racy({ mtimeNs: at(RUN - 1_000, 0n), ctimeNs: at(RUN - 1_000, 0n) }, RUN), true);
  assert.equal(racy({ mtimeNs: at(RUN - 1_000), ctimeNs: at(RUN - 1_000) }, RUN), false);
  // changeReason() applies it: identical identity, but taken too close to the run.
  const st = stat({ mtimeNs: at(RUN), ctimeNs: at(RUN) });
  assert.equal(changeReason({ kind: "file", st }, recorded(st), undefined, OPTS), "mtime");
});

test("v3 sidecars carry change and identity last, as decimal strings, and read back", () => {
  const st = stat({ ino: 18446744073709551615n, ctimeNs: 1_800_000_000_123_456_789n });
  const s = recorded(st);
  const text = encodeSidecar(s);
  const keys = Object.keys(JSON.parse(text));
  assert.deepEqual(keys.slice(-3), ["run", "change", "identity"]);
  assert.match(text, /"ino": "18446744073709551615"/);
  assert.match(text, /"ctime_ns": "1800000000123456789"/);
  const back = parseSidecar(text);
  assert.ok(back.ok);
  assert.deepEqual(back.sidecar, s);
});

test("parseSidecar() refuses a malformed identity or an unknown change reason", () => {
  const good = JSON.parse(encodeSidecar(recorded(stat())));
  const bad = [
    { ...good, identity: "x" },
    { ...good, identity: { ...good.identity, ino: 77 } },
    { ...good, identity: { ...good.identity, mtime_ns: "-1" } },
    { ...good, identity: { dev: "1", ino: "2", mtime_ns: "3" } },
    { ...good, change: "because" },
  ];
  for (const b of bad) {
    const r = parseSidecar(JSON.stringify(b));
    assert.equal(r.ok, false, JSON.stringify(b));
  }
});
