/** Unit tests of lib/fs/bpath.ts: byte strings round-trip any Linux name. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { test } from "node:test";
import fc from "fast-check";
import {
  byteLength,
  fromBytes,
  fromText,
  fsPath,
  hasReplacementChar,
  isUtf8,
  toText,
} from "../../lib/fs/bpath.ts";

test("fromBytes() then fsPath() gives back the exact bytes of any name (property)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
      const p = fromBytes(bytes);
      assert.equal(byteLength(p), bytes.length);
      const back = fsPath(p);
      assert.deepEqual(
        new Uint8Array(typeof back === "string" ? Buffer.from(back, "latin1") : back),
        bytes,
      );
    }),
    { numRuns: 300 },
  );
});

test("fsPath() passes pure-ASCII paths through as strings", () => {
  assert.equal(fsPath("/etc/app.conf"), "/etc/app.conf");
});

test("fromText() and toText() round-trip any Unicode text as UTF-8 bytes (property)", () => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme" }), (s) => {
      const p = fromText(s);
      assert.equal(byteLength(p), Buffer.byteLength(s, "utf8"));
      assert.equal(toText(p), s);
      assert.ok(isUtf8(p));
    }),
    { numRuns: 300 },
  );
});

test("isUtf8() is false for a lone 0xE9 or 0xFF byte and true for é encoded", () => {
  assert.equal(isUtf8("caf\xe9"), false);
  assert.equal(isUtf8("\xff"), false);
  assert.equal(isUtf8(fromText("café")), true);
  assert.equal(isUtf8("plain"), true);
});

test("hasReplacementChar() sees U+FFFD in its UTF-8 byte form only", () => {
  assert.ok(hasReplacementChar(fromText("caf\ufffd")));
  assert.ok(!hasReplacementChar("caf\xe9"));
  assert.equal(toText("caf\xe9"), "caf\ufffd");
});
