import assert from "node:assert/strict";
import * as fs from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import { buildSidecar, encodeSidecar, type Prior } from "../../lib/store/sidecar.ts";
import { parseSidecar } from "../../lib/store/sidecar_reader.ts";
import { ROOT } from "../_helpers/helpers.ts";

// A byte-exact copy of shared/goldens/switchyard-fs-1.0, so a clean clone tests alone.
const GOLDENS = posix.join(ROOT, "tests", "goldens", "switchyard-fs-1.0");
const HELLO = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
const EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const file = (mode: number, hash: string): Prior => ({
  kind: "file",
  mode,
  hash,
  size: 5,
  mtimeMs: 1,
  uid: 0,
  gid: 0,
});
const CASES: [string, Prior][] = [
  ["file-0644-hello", file(0o100644, HELLO)],
  ["file-0755-hello", file(0o100755, HELLO)],
  ["extra-file-0600-empty", file(0o100600, EMPTY)],
  ["extra-file-4755-hello", file(0o104755, HELLO)],
  ["symlink-relative-dotdot-dotdot-bin", {
    kind: "symlink",
    dest: "../../bin",
    mtimeMs: 1,
    uid: 0,
    gid: 0,
  }],
  ["symlink-absolute-usr-bin-true", {
    kind: "symlink",
    dest: "/usr/bin/true",
    mtimeMs: 1,
    uid: 0,
    gid: 0,
  }],
  ["absent-tombstone", { kind: "none" }],
];

for (const [golden, prior] of CASES) {
  test(`encodeSidecar() v2 matches switchyard-fs golden ${golden} byte for byte`, () => {
    const want = fs.readFileSync(posix.join(GOLDENS, `${golden}.bak.meta.json`), "utf8");
    assert.equal(encodeSidecar(buildSidecar(prior, "v2", 1, new Date(1))), want);
  });
  test(`parseSidecar() accepts switchyard-fs golden ${golden}`, () => {
    const text = fs.readFileSync(posix.join(GOLDENS, `${golden}.bak.meta.json`), "utf8");
    const r = parseSidecar(text);
    assert.ok(r.ok, r.ok ? "" : r.reason);
    assert.equal(r.sidecar.prior_kind, prior.kind);
  });
}
