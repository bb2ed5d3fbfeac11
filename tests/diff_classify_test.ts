/**
 * lib/diff_classify.ts: the verdict of `diff` for one target, from two versions; the content
 * question is asked of the caller only for two files of equal size.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { classify, type FileVersion, kindOf, type Version } from "../lib/diff_classify.ts";

function file(over: Partial<FileVersion> = {}): FileVersion {
  return {
    kind: "file",
    size: 3,
    mode: 0o644,
    uid: 1000,
    gid: 1000,
    hash: "a".repeat(64),
    path: "/p",
    ...over,
  };
}

function link(text: string, uid = 1000): Version {
  return { kind: "symlink", text, uid, gid: 1000 };
}

const ABSENT: Version = { kind: "absent" };
const same = () => true;
const differ = () => false;

test("classify() reports added for absent-then-present and removed for present-then-absent", () => {
  assert.deepEqual(classify(ABSENT, file(), same), { change: "added" });
  assert.deepEqual(classify(link("x"), ABSENT, same), { change: "removed" });
  assert.deepEqual(classify(ABSENT, ABSENT, same), { change: "unchanged" });
});

test("classify() reports kind alone when a file became a symlink or a special file", () => {
  assert.deepEqual(classify(file(), link("x"), same), { change: "changed", what: ["kind"] });
  assert.deepEqual(classify(file(), { kind: "other" }, same), {
    change: "changed",
    what: ["kind"],
  });
});

test("classify() reports content, mode and owner in that order for a file", () => {
  const after = file({ mode: 0o600, uid: 0 });
  assert.deepEqual(classify(file(), after, differ), {
    change: "changed",
    what: ["content", "mode", "owner"],
  });
  assert.deepEqual(classify(file(), file({ gid: 5 }), same), {
    change: "changed",
    what: ["owner"],
  });
});

test("classify() judges content by size first and asks sameContent only for equal sizes", () => {
  let asked = 0;
  const ask = () => {
    asked++;
    return true;
  };
  assert.deepEqual(classify(file(), file({ size: 4 }), ask), {
    change: "changed",
    what: ["content"],
  });
  assert.equal(asked, 0);
  assert.deepEqual(classify(file(), file({ hash: "b".repeat(64) }), ask), {
    change: "unchanged",
  });
  assert.equal(asked, 1);
  assert.deepEqual(classify(file(), file(), differ), { change: "changed", what: ["content"] });
});

test("classify() reports link for a symlink whose text changed, owner for its owner", () => {
  assert.deepEqual(classify(link("a"), link("b"), same), { change: "changed", what: ["link"] });
  assert.deepEqual(classify(link("a"), link("a", 0), same), { change: "changed", what: ["owner"] });
  assert.deepEqual(classify(link("a"), link("a"), same), { change: "unchanged" });
});

test("classify() does not count a mode or owner recorded on one side only as a change", () => {
  const v1 = file({ mode: undefined, uid: undefined, gid: undefined });
  assert.deepEqual(classify(v1, file({ mode: 0o600, uid: 0 }), same), { change: "unchanged" });
});

test("kindOf() is null for an absent version and the kind otherwise", () => {
  assert.equal(kindOf(ABSENT), null);
  assert.equal(kindOf(file()), "file");
  assert.equal(kindOf({ kind: "other" }), "other");
});
