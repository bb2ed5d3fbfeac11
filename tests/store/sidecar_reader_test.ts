/** Unit tests of lib/store/sidecar.ts beyond the goldens: v3 encoding and the validating reader. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  buildSidecar,
  encodeSidecar,
  permissionBits,
  type Prior,
} from "../../lib/store/sidecar.ts";
import { parseSidecar } from "../../lib/store/sidecar_reader.ts";

const HASH = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
const RUN = 1700000000123;
const FILE: Prior = {
  kind: "file",
  mode: 0o100644,
  hash: HASH,
  size: 5,
  mtimeMs: 1699999999999.75,
  uid: 1000,
  gid: 100,
};
const LINK: Prior = { kind: "symlink", dest: "../x", mtimeMs: 5.5, uid: 0, gid: 0 };

/** A valid v3 file sidecar object, to mutate. */
function v3File(): Record<string, unknown> {
  return JSON.parse(encodeSidecar(buildSidecar(FILE, "v3", RUN, new Date(RUN))));
}

function reason(text: string): string {
  const r = parseSidecar(text);
  assert.equal(r.ok, false, `expected a rejection of ${text}`);
  return r.ok ? "" : r.reason;
}

test("encodeSidecar() v3 file sidecar has the contract keys in order, two-space JSON", () => {
  const text = encodeSidecar(buildSidecar(FILE, "v3", RUN, new Date(RUN)));
  assert.equal(
    text,
    `{
  "schema": "backup_meta.v3",
  "prior_kind": "file",
  "mode": "100644",
  "payload_hash": "${HASH}",
  "size": 5,
  "mtime_ms": 1699999999999,
  "uid": 1000,
  "gid": 100,
  "created_at": "2023-11-14T22:13:20.123Z",
  "run": ${RUN}
}`,
  );
});

test("encodeSidecar() v3 symlink and absent sidecars omit the keys they lack, in order", () => {
  const link = encodeSidecar(buildSidecar(LINK, "v3", RUN, new Date(RUN)));
  assert.deepEqual(Object.keys(JSON.parse(link)), [
    "schema",
    "prior_kind",
    "prior_dest",
    "mtime_ms",
    "uid",
    "gid",
    "created_at",
    "run",
  ]);
  const none = encodeSidecar(buildSidecar({ kind: "none" }, "v3", RUN, new Date(RUN)));
  assert.equal(
    none,
    `{\n  "schema": "backup_meta.v3",\n  "prior_kind": "none",\n` +
      `  "created_at": "2023-11-14T22:13:20.123Z",\n  "run": ${RUN}\n}`,
  );
});

test("encodeSidecar() records the full st_mode in octal, setuid included", () => {
  const s = buildSidecar({ ...FILE, mode: 0o104755 }, "v3", RUN, new Date(RUN));
  assert.equal(s.mode, "104755");
  assert.equal(permissionBits(s), 0o4755);
});

test("parseSidecar() reads back every v3 sidecar it encodes", () => {
  for (const prior of [FILE, LINK, { kind: "none" } as Prior]) {
    const s = buildSidecar(prior, "v3", RUN, new Date(RUN));
    const r = parseSidecar(encodeSidecar(s));
    assert.ok(r.ok, r.ok ? "" : r.reason);
    assert.deepEqual(r.sidecar, s);
  }
});

test("parseSidecar() rejects a missing schema or prior_kind", () => {
  const a = v3File();
  delete a.schema;
  assert.match(reason(JSON.stringify(a)), /missing schema/);
  const b = v3File();
  delete b.prior_kind;
  assert.match(reason(JSON.stringify(b)), /missing prior_kind/);
});

test("parseSidecar() rejects an unknown prior_kind or schema", () => {
  assert.match(
    reason(JSON.stringify({ ...v3File(), prior_kind: "directory" })),
    /unknown prior_kind "directory"/,
  );
  assert.match(reason(JSON.stringify({ ...v3File(), prior_kind: "FILE" })), /unknown prior_kind/);
  assert.match(
    reason(JSON.stringify({ ...v3File(), schema: "backup_meta.v9" })),
    /unknown schema/,
  );
});

test("parseSidecar() rejects bad JSON and non-objects", () => {
  for (const t of ["", "{", "not json", "{'schema': 1}", "[]", "null", "42", '"x"']) {
    assert.match(reason(t), /sidecar corrupt/, JSON.stringify(t));
  }
});

test("parseSidecar() rejects every truncation of a valid sidecar (a torn write)", () => {
  for (const prior of [FILE, LINK, { kind: "none" } as Prior]) {
    for (const schema of ["v2", "v3"] as const) {
      const text = encodeSidecar(buildSidecar(prior, schema, RUN, new Date(RUN)));
      for (let n = 0; n < text.length; n++) {
        assert.equal(parseSidecar(text.slice(0, n)).ok, false, `${schema} prefix ${n}`);
      }
    }
  }
});

test("parseSidecar() rejects a mode that is not octal", () => {
  for (const mode of ["100648", "abc", "", "0x1a4", "-644", "12345678", "644 "]) {
    assert.match(reason(JSON.stringify({ ...v3File(), mode })), /mode|not octal/, mode);
  }
  assert.match(reason(JSON.stringify({ ...v3File(), mode: 420 })), /mode is not a string/);
});

test("parseSidecar() accepts a short octal mode such as 644", () => {
  const r = parseSidecar(JSON.stringify({ ...v3File(), mode: "644" }));
  assert.ok(r.ok, r.ok ? "" : r.reason);
  assert.equal(permissionBits(r.sidecar), 0o644);
});

test("parseSidecar() rejects a payload_hash that is not 64 lowercase hex digits", () => {
  for (const h of [HASH.toUpperCase(), HASH.slice(1), HASH + "0", "z".repeat(64), ""]) {
    assert.match(reason(JSON.stringify({ ...v3File(), payload_hash: h })), /payload_hash/, h);
  }
});

test("parseSidecar() rejects a v2/v3 file without payload_hash and accepts a v1 one", () => {
  const a = v3File();
  delete a.payload_hash;
  assert.match(reason(JSON.stringify(a)), /without payload_hash/);
  const v1 = parseSidecar('{"schema":"backup_meta.v1","prior_kind":"file","mode":"100644"}');
  assert.ok(v1.ok);
});

test("parseSidecar() rejects a symlink without prior_dest and a file without mode", () => {
  assert.match(
    reason('{"schema":"backup_meta.v1","prior_kind":"symlink"}'),
    /without prior_dest/,
  );
  const a = v3File();
  delete a.mode;
  assert.match(reason(JSON.stringify(a)), /without mode/);
});

test("parseSidecar() rejects numeric fields of the wrong type or sign", () => {
  for (const [k, v] of [["size", "5"], ["uid", -1], ["run", null], ["mtime_ms", true]]) {
    assert.match(reason(JSON.stringify({ ...v3File(), [k as string]: v })), /not a/, String(k));
  }
});

test("parseSidecar() ignores unknown keys", () => {
  const r = parseSidecar(JSON.stringify({ future: { nested: [1] }, ...v3File(), zz: "x" }));
  assert.ok(r.ok, r.ok ? "" : r.reason);
  assert.equal(r.sidecar.payload_hash, HASH);
  assert.equal("future" in r.sidecar, false);
});

test("encodeSidecar() then parseSidecar() round-trips any prior (property)", () => {
  const prior: fc.Arbitrary<Prior> = fc.oneof(
    fc.record({
      kind: fc.constant("file" as const),
      mode: fc.integer({ min: 0, max: 0o7777 }).map((m) => 0o100000 | m),
      hash: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) =>
        Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")
      ),
      size: fc.nat(),
      mtimeMs: fc.double({ min: 0, max: 4e12, noNaN: true }),
      uid: fc.nat(65535),
      gid: fc.nat(65535),
    }),
    fc.record({
      kind: fc.constant("symlink" as const),
      dest: fc.string({ minLength: 1, unit: "grapheme" }),
      mtimeMs: fc.double({ min: 0, max: 4e12, noNaN: true }),
      uid: fc.nat(65535),
      gid: fc.nat(65535),
    }),
    fc.constant({ kind: "none" as const }),
  );
  fc.assert(
    fc.property(prior, fc.constantFrom("v2" as const, "v3" as const), (p, schema) => {
      const s = buildSidecar(p, schema, RUN, new Date(RUN));
      const r = parseSidecar(encodeSidecar(s));
      assert.ok(r.ok, r.ok ? "" : r.reason);
      assert.deepEqual(r.sidecar, s);
    }),
    { numRuns: 200 },
  );
});
