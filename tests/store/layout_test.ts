/** Unit tests of lib/store/layout.ts: entry names, anchored matching, tag validation. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { SnapyardError } from "../../lib/errors.ts";
import {
  DEFAULT_TAG,
  entryDir,
  isOwnName,
  longestEntryName,
  NAME_MAX,
  nameMatcher,
  parseAnyName,
  parseSidecarName,
  payloadName,
  restoreBase,
  sidecarName,
  targetDirOf,
  tempName,
  validateTag,
} from "../../lib/store/layout.ts";

const TS = 1700000000123;

test("payloadName() and sidecarName() follow the switchyard-fs layout", () => {
  assert.equal(payloadName("app.conf", "snapyard", TS), `.app.conf.snapyard.${TS}.bak`);
  assert.equal(
    sidecarName("app.conf", "switchyard", TS),
    `.app.conf.switchyard.${TS}.bak.meta.json`,
  );
  assert.equal(DEFAULT_TAG, "snapyard");
});

test("payloadName() keeps non-UTF-8 name bytes unchanged", () => {
  const raw = "caf\xe9\xff"; // byte string: invalid UTF-8
  assert.equal(payloadName(raw, "t", 1), ".caf\xe9\xff.t.1.bak");
});

test("tempName() makes distinct names that parseAnyName() sees as sidecar temps", () => {
  const final = sidecarName("a", "t", TS);
  const a = tempName(final);
  const b = tempName(final);
  assert.notEqual(a, b);
  assert.ok(a.startsWith(final + ".tmp-"));
  assert.deepEqual(parseAnyName(a), { name: "a", tag: "t", ts: TS, kind: "sidecar_temp" });
  const r = tempName(restoreBase("a", "t", TS));
  assert.deepEqual(parseAnyName(r), { name: "a", tag: "t", ts: TS, kind: "restore_temp" });
});

test("parseAnyName() classifies every kind of our names and rejects others", () => {
  assert.deepEqual(parseAnyName(`.foo.conf.tag_1.${TS}.bak`), {
    name: "foo.conf",
    tag: "tag_1",
    ts: TS,
    kind: "payload",
  });
  assert.equal(parseAnyName(`.foo.t.${TS}.bak.meta.json`)?.kind, "sidecar");
  assert.equal(parseAnyName(`.foo.t.${TS}.bak.meta.json.tmp-12-3`)?.kind, "sidecar_temp");
  assert.equal(parseAnyName(`.foo.t.${TS}.bak.meta.json.tmp-12_4-3`)?.kind, "sidecar_temp");
  for (
    const other of [
      "foo",
      `foo.t.${TS}.bak`, // no leading dot
      `.foo.t.${TS}.bak~`,
      `.foo.t.${TS}.bak.meta.json.orig`,
      `.foo.t.x${TS}.bak`,
      `.foo.t.${TS}.BAK`,
      `.foo.${TS}.bak`, // no tag
      `.foo.t.12345678901234567.bak`, // 17 digits
      `.foo.t.${TS}.bak.meta.json.tmp-`,
      ".bashrc",
    ]
  ) {
    assert.equal(parseAnyName(other), undefined, other);
    assert.equal(isOwnName(other), false, other);
  }
});

test("nameMatcher() target foo never matches entries of foo.conf or .foo", () => {
  const m = nameMatcher("foo", "snapyard");
  assert.equal(m(`.foo.snapyard.${TS}.bak`)?.ts, TS);
  assert.equal(m(`.foo.conf.snapyard.${TS}.bak`), undefined);
  assert.equal(m(`.foo.conf.snapyard.${TS}.bak.meta.json`), undefined);
  assert.equal(m(`..foo.snapyard.${TS}.bak`), undefined);
  assert.equal(m(`.xfoo.snapyard.${TS}.bak`), undefined);
  assert.equal(m(`.foo.snapyard.${TS}.bak.extra`), undefined);
  // foo.conf's matcher does not see foo's entries either.
  assert.equal(nameMatcher("foo.conf", "snapyard")(`.foo.snapyard.${TS}.bak`), undefined);
});

test("nameMatcher() tag x never matches entries of target foo.x or of other tags", () => {
  const m = nameMatcher("foo", "x");
  assert.equal(m(`.foo.x.${TS}.bak`)?.kind, "payload");
  assert.equal(m(`.foo.x.snapyard.${TS}.bak`), undefined); // target foo.x, tag snapyard
  assert.equal(m(`.foo.x.y.${TS}.bak`), undefined); // target foo.x, tag y
  assert.equal(m(`.foo.xx.${TS}.bak`), undefined);
  assert.equal(m(`.foo.X.${TS}.bak`), undefined);
  assert.equal(nameMatcher("foo.x", "snapyard")(`.foo.x.${TS}.bak`), undefined);
  // The other tag of the same target is invisible too.
  assert.equal(nameMatcher("foo", "y")(`.foo.x.${TS}.bak`), undefined);
});

test("nameMatcher() treats regex metacharacters in names literally", () => {
  const m = nameMatcher("a+b(c)[d].*", "t-1");
  assert.equal(m(`.a+b(c)[d].*.t-1.${TS}.bak`)?.kind, "payload");
  assert.equal(m(`.aab(c)[d].x.t-1.${TS}.bak`), undefined);
  assert.equal(m(`.a+b(c)[d].*.t-11.${TS}.bak`), undefined);
});

test("nameMatcher() reports kind and ts for each of the target's files", () => {
  const m = nameMatcher("foo", "t");
  assert.deepEqual(m(`.foo.t.${TS}.bak.meta.json`), {
    name: "foo",
    tag: "t",
    ts: TS,
    kind: "sidecar",
  });
  assert.equal(m(`.foo.t.${TS}.bak.meta.json.tmp-9-9`)?.kind, "sidecar_temp");
  assert.equal(m(`.foo.t.${TS}.restore.tmp-9_2-9`)?.kind, "restore_temp");
});

test("validateTag() accepts [A-Za-z0-9_-]{1,32}", () => {
  for (const ok of ["snapyard", "x", "A-Z_09", "-", "_", "a".repeat(32), "switchyard"]) {
    assert.equal(validateTag(ok), ok);
  }
});

test("validateTag() rejects empty, dot, slash, 33 chars and other bytes as usage errors", () => {
  for (
    const bad of ["", ".", "..", "a.b", "a/b", "/", "a".repeat(33), "a b", "é", "tag\n", "*"]
  ) {
    assert.throws(
      () => validateTag(bad),
      (e: unknown) =>
        e instanceof SnapyardError && e.code === "USAGE" && e.message.includes("Invalid tag"),
      JSON.stringify(bad),
    );
  }
});

test("isOwnName() is true for every name we write and false for the target itself", () => {
  for (const n of [payloadName("x", "t", TS), sidecarName("x", "t", TS)]) {
    assert.ok(isOwnName(n), n);
  }
  assert.equal(isOwnName("x"), false);
  assert.equal(isOwnName(".x"), false);
});

test("entryDir() is the target's directory, or that directory under the store", () => {
  assert.equal(entryDir("/etc/app.conf", undefined), "/etc");
  assert.equal(entryDir("/etc/app.conf", "/var/store"), "/var/store/etc");
  // A target in "/" keeps its entries at the store's top (a trailing slash is harmless).
  assert.equal(entryDir("/top", "/var/store").replace(/\/$/, ""), "/var/store");
  assert.equal(targetDirOf("/var/store/etc", "/var/store"), "/etc");
  assert.equal(targetDirOf("/var/store", "/var/store"), "/");
  assert.equal(targetDirOf("/etc", undefined), "/etc");
});

test("longestEntryName() exceeds NAME_MAX for a 240-byte name and not for a short one", () => {
  assert.ok(longestEntryName("n".repeat(240), DEFAULT_TAG, TS) > NAME_MAX);
  assert.ok(longestEntryName("app.conf", DEFAULT_TAG, TS) <= NAME_MAX);
  // The longest real temp name fits in the allowance.
  const final = sidecarName("n".repeat(100), DEFAULT_TAG, TS);
  assert.ok(tempName(final).length <= longestEntryName("n".repeat(100), DEFAULT_TAG, TS));
});

test("parseSidecarName() says of every name what parseAnyName() says of a sidecar of that tag", () => {
  // Names built from the pieces that make the pattern hard: dots, digits, tag characters,
  // the suffixes of every kind, bytes ≥ 0x80.
  const piece = fc.constantFrom(
    ".",
    "snapyard",
    "nightly",
    "a",
    "x-y_z",
    "7",
    "1796200795786",
    "12345678901234567",
    ".bak",
    ".bak.meta.json",
    ".meta.json",
    ".bak.meta.json.tmp-12-3",
    ".restore.tmp-1-2",
    "\xe9\xff",
    " ",
  );
  const loose = fc.array(piece, { maxLength: 8 }).map((p) => p.join(""));
  // And names of the sidecar's shape with each part at its edges (an empty name, another
  // tag, 16 and 17 digits, another suffix).
  const shaped = fc.tuple(
    fc.array(piece, { maxLength: 3 }).map((p) => p.join("")),
    fc.constantFrom("snapyard", "nightly", "a", "7", "", "snap.yard"),
    fc.constantFrom("", "7", "1796200795786", "1234567890123456", "12345678901234567", "12a"),
    fc.constantFrom(".bak.meta.json", ".bak", ".bak.meta.json.tmp-1-2", ".meta.json"),
  ).map(([n, t, d, suffix]) => `.${n}.${t}.${d}${suffix}`);
  const name = fc.oneof(loose, shaped);
  const tag = fc.constantFrom("snapyard", "nightly", "a", "x-y_z", "7");
  fc.assert(
    fc.property(name, tag, (n, t) => {
      const p = parseAnyName(n);
      const want = p !== undefined && p.kind === "sidecar" && p.tag === t
        ? { name: p.name, ts: p.ts }
        : undefined;
      assert.deepEqual(parseSidecarName(n, t), want);
    }),
    { numRuns: 20000 },
  );
  assert.deepEqual(parseSidecarName(sidecarName("a.b", "nightly", 17), "nightly"), {
    name: "a.b",
    ts: 17,
  });
  assert.equal(parseSidecarName(sidecarName("a", "nightly", 17), "snapyard"), undefined);
  assert.equal(parseSidecarName(payloadName("a", "nightly", 17), "nightly"), undefined);
});
