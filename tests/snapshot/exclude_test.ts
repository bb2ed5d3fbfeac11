/** Unit tests of lib/snapshot/exclude.ts: `--exclude` patterns, their anchoring and checks. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkPattern, Excludes } from "../../lib/snapshot/exclude.ts";
import type { BPath } from "../../lib/fs/bpath.ts";

/** Whether `ex` leaves out `rel` found below the PATH `/root`. */
function out(ex: Excludes, rel: string): boolean {
  return ex.excludes(`/root/${rel}` as BPath, rel, rel.slice(rel.lastIndexOf("/") + 1));
}

const CASES: [glob: string, yes: string[], no: string[]][] = [
  ["*.log", ["a.log", ".log", "x.y.log", "d/a.log"], ["a.log.1", "alog"]],
  ["?.txt", ["a.txt", "d/b.txt"], ["ab.txt"]],
  ["a/*/c", ["a/b/c", "a/.x/c"], ["a/b/d/c", "a/c", "x/a/b/c"]],
  ["a/**/c", ["a/c", "a/b/c", "a/b/d/c"], ["b/a/c", "a/bc"]],
  ["[ab]x", ["ax", "bx"], ["cx", "abx"]],
  ["[!ab]x", ["cx"], ["ax", "bx"]],
  ["[^ab]x", ["cx"], ["ax"]],
  ["*.{tmp,log}", ["a.tmp", "b.log"], ["c.{tmp,log}", "d.txt"]],
  ["\\*", ["*", "d/*"], ["a", "ab"]],
  ["a.b", ["a.b"], ["axb"]],
  ["(x)+$", ["(x)+$"], ["xx$", "x$"]],
  ["!keep", ["!keep"], ["other", "keep"]],
  ["[unclosed", ["[unclosed"], ["u"]],
  ["/root/var/log", ["var/log"], ["log", "x/var/log"]],
  ["/var/log", [], ["var/log"]],
  ["logs/", ["logs", "d/logs"], ["logs2"]],
];

for (const [glob, yes, no] of CASES) {
  test(`Excludes ${JSON.stringify(glob)} leaves out exactly its own paths`, () => {
    const ex = new Excludes([glob]);
    for (const s of yes) assert.ok(out(ex, s), `${glob} should match ${s}`);
    for (const s of no) assert.ok(!out(ex, s), `${glob} should not match ${s}`);
  });
}

test("Excludes with no patterns is empty and leaves out nothing", () => {
  const ex = new Excludes([]);
  assert.equal(ex.empty, true);
  assert.equal(out(ex, "a/b"), false);
  assert.deepEqual(ex.unmatched(), []);
});

test("Excludes.unmatched() names each pattern that matched nothing, once", () => {
  const ex = new Excludes(["*.log", "never", "never"]);
  out(ex, "a.log");
  out(ex, "b.txt");
  assert.deepEqual(ex.unmatched(), ["never"]);
});

test("Excludes.covers() is true below an excluded directory and does not count a match", () => {
  const ex = new Excludes(["cache", "/root/abs"]);
  assert.ok(ex.covers("/root/x/cache/deep/f" as BPath, "x/cache/deep/f"));
  assert.ok(ex.covers("/root/abs/f" as BPath, "abs/f"));
  assert.ok(!ex.covers("/root/x/kept/f" as BPath, "x/kept/f"));
  assert.ok(!ex.covers("/root" as BPath, ""));
  assert.deepEqual(ex.unmatched(), ["cache", "/root/abs"]);
});

test("checkPattern() refuses an invalid or empty glob with a reason, accepts the rest", () => {
  for (const bad of ["[z-a]", "a{", ""]) {
    const reason = checkPattern(bad);
    assert.ok(reason !== undefined, `"${bad}" should be refused`);
    assert.match(reason, /^(not a valid glob: .+|matches nothing \(empty\))$/);
  }
  for (const good of ["*.log", "a/**/b", "\\*", "[!a]", "/var/log/"]) {
    assert.equal(checkPattern(good), undefined, good);
  }
});
