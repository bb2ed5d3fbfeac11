/** Unit tests of lib/fs/bpath.ts: byte strings round-trip any Linux name. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { test } from "node:test";
import fc from "fast-check";
import { posix } from "node:path";
import {
  baseName,
  byteLength,
  fromBytes,
  fromText,
  fsPath,
  hasReplacementChar,
  isUtf8,
  joinName,
  parentDir,
  readDirents,
  readNames,
  toText,
} from "../../lib/fs/bpath.ts";
import * as fs from "node:fs";
import { errnoOf } from "../../lib/errors.ts";
import { tempDir } from "../_helpers/helpers.ts";

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

test("readDirents() and readNames() list exactly the names node:fs lists, with their types", async () => {
  await using dir = tempDir();
  fs.mkdirSync(dir.join("sub"));
  fs.writeFileSync(dir.join("f"), "x");
  fs.writeFileSync(dir.join("ä ü"), "x");
  fs.symlinkSync("f", dir.join("ln"));
  const want = (fs.readdirSync(dir.path, {
    withFileTypes: true,
    encoding: "latin1",
  }) as unknown as fs.Dirent[])
    .map((d) => [d.name as string, d.isFile(), d.isDirectory(), d.isSymbolicLink()]).sort();
  const got = readDirents(fromText(dir.path))
    .map((d) => [d.name, d.isFile(), d.isDirectory(), d.isSymbolicLink()]).sort();
  assert.deepEqual(got, want);
  assert.deepEqual([...readNames(fromText(dir.path))].sort(), want.map((w) => w[0]).sort());
  assert.ok(got.some((g) => g[0] === fromText("ä ü")), "a UTF-8 name comes back as its bytes");
});

test("readDirents() throws the system error with its code for a missing directory", () => {
  assert.throws(
    () => readDirents("/nonexistent-snapyard-dir"),
    (e: unknown) => errnoOf(e) === "ENOENT",
  );
});

test("joinName(), baseName() and parentDir() agree with node:path posix on normalized paths (property)", () => {
  const name = fc.stringMatching(/^[^/\0]{1,12}$/).filter((n) => n !== "." && n !== "..");
  fc.assert(
    fc.property(fc.array(name, { maxLength: 5 }), name, (parts, leaf) => {
      const dir = "/" + parts.join("/");
      assert.equal(joinName(dir, leaf), posix.join(dir, leaf));
      if (dir !== "/") assert.equal(joinName(dir + "/", leaf), posix.join(dir, leaf));
      const path = posix.join(dir, leaf);
      assert.equal(baseName(path), posix.basename(path));
      assert.equal(parentDir(path), posix.dirname(path));
      assert.equal(parentDir(dir), posix.dirname(dir));
    }),
    { numRuns: 300 },
  );
});
