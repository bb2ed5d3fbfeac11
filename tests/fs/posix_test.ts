/**
 * lib/fs/posix.ts against `node:path`'s `posix`, which it stands in for on Deno: the same answer for
 * every function on generated paths (slashes doubled and trailing, `.`, `..`, relative and
 * absolute, byte strings with non-ASCII chars).
 */
import assert from "node:assert/strict";
import { posix as node } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { jsPosix as posix } from "../../lib/fs/posix.ts";

const PART = fc.constantFrom("a", "b", ".", "..", "/", "//", "c.d", "\xe9\xff", "");
const PATH = fc.array(PART, { maxLength: 8 }).map((parts) => parts.join(""));

test("posix.* answers as node:path posix on generated paths", () => {
  fc.assert(
    fc.property(PATH, PATH, (p, q) => {
      const why = JSON.stringify([p, q]);
      assert.equal(posix.normalize(p), node.normalize(p), `normalize ${why}`);
      assert.equal(posix.join(p, q), node.join(p, q), `join ${why}`);
      assert.equal(posix.join(p), node.join(p), `join1 ${why}`);
      assert.equal(posix.dirname(p), node.dirname(p), `dirname ${why}`);
      assert.equal(posix.basename(p), node.basename(p), `basename ${why}`);
      assert.equal(posix.isAbsolute(p), node.isAbsolute(p), `isAbsolute ${why}`);
      assert.equal(posix.resolve(p), node.resolve(p), `resolve ${why}`);
      assert.equal(posix.relative(p, q), node.relative(p, q), `relative ${why}`);
    }),
    { numRuns: 5000 },
  );
});

test("posix.* on the paths snapyard builds", () => {
  assert.equal(posix.join("/store", "/etc/app"), "/store/etc/app");
  assert.equal(posix.join("/", "/"), "/");
  assert.equal(posix.dirname("/etc/app.conf"), "/etc");
  assert.equal(posix.dirname("/etc"), "/");
  assert.equal(posix.basename("/etc/app/"), "app");
  assert.equal(posix.relative("/store", "/store/etc/app"), "etc/app");
  assert.equal(posix.relative("/store", "/store"), "");
  assert.equal(posix.normalize("/a/./b/../c//"), "/a/c/");
});
