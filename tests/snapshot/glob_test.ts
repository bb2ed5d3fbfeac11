/** Unit tests of lib/snapshot/glob.ts: `--exclude` patterns. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { compileExcludes, globToRegExp } from "../../lib/snapshot/glob.ts";

const CASES: [glob: string, yes: string[], no: string[]][] = [
  ["*.log", ["a.log", ".log", "x.y.log"], ["a.log.1", "alog", "d/a.log"]],
  ["?.txt", ["a.txt"], ["ab.txt", ".txt", "/.txt"]],
  ["a/*/c", ["a/b/c", "a/.x/c"], ["a/b/d/c", "a/c"]],
  ["a/**/c", ["a/c", "a/b/c", "a/b/d/c"], ["b/a/c", "a/bc"]],
  ["**", ["a", "a/b/c"], []],
  ["[ab]x", ["ax", "bx"], ["cx", "abx"]],
  ["[!ab]x", ["cx"], ["ax", "bx"]],
  ["a.b", ["a.b"], ["axb"]],
  ["(x)+$", ["(x)+$"], ["xx"]],
  ["[unclosed", ["[unclosed"], ["u"]],
];

for (const [glob, yes, no] of CASES) {
  test(`globToRegExp() ${JSON.stringify(glob)} matches exactly its own paths`, () => {
    const re = globToRegExp(glob);
    for (const s of yes) assert.ok(re.test(s), `${glob} should match ${s}`);
    for (const s of no) assert.ok(!re.test(s), `${glob} should not match ${s}`);
  });
}

test("compileExcludes() with no patterns excludes nothing", () => {
  const ex = compileExcludes([]);
  assert.equal(ex("a/b", "b"), false);
  assert.equal(ex("", ""), false);
});

test("compileExcludes() a pattern without / matches a base name at any depth", () => {
  const ex = compileExcludes(["*.tmp", "cache"]);
  assert.ok(ex("x.tmp", "x.tmp"));
  assert.ok(ex("deep/er/x.tmp", "x.tmp"));
  assert.ok(ex("a/cache", "cache"));
  assert.ok(!ex("cache.d/x", "x"));
  assert.ok(!ex("x.tmp.keep", "x.tmp.keep"));
});

test("compileExcludes() a pattern with / matches the path relative to the root", () => {
  const ex = compileExcludes(["var/cache", "/top.txt", "logs/"]);
  assert.ok(ex("var/cache", "cache"));
  assert.ok(!ex("x/var/cache", "cache"));
  assert.ok(ex("top.txt", "top.txt"));
  assert.ok(!ex("sub/top.txt", "top.txt"));
  // A trailing slash is dropped: "logs/" names the directory "logs" at the root.
  assert.ok(ex("logs", "logs"));
});
