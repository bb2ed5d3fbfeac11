/**
 * lib/diff_versions.ts: the versions `diff` reads, and `sameBytes`'s identity shortcut (a live
 * file whose stat identity is its entry's is not read) and its fallback to hashing.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { makeTree, tempDir } from "./_helpers/helpers.ts";
import { liveVersion, sameBytes, type Sourced } from "../lib/diff_versions.ts";
import { identityOf } from "../lib/store/identity.ts";
import type { Identity, Sidecar } from "../lib/store/sidecar.ts";

/** The entry side of a file whose sidecar records `st`'s identity and a hash that is not its own. */
function recorded(path: string, identity: Identity, size: number): Sourced {
  const st = fs.statSync(path);
  const sidecar: Sidecar = {
    schema: "backup_meta.v3",
    prior_kind: "file",
    // As snapshot records it: the whole st_mode, type bits included.
    mode: st.mode.toString(8),
    payload_hash: "0".repeat(64),
    size,
    uid: st.uid,
    gid: st.gid,
    // Well after the file's times: not racy.
    run: Date.now() + 60_000,
    identity,
  };
  const version = {
    kind: "file" as const,
    size,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    hash: sidecar.payload_hash,
    path: "/nonexistent-payload",
  };
  return { version, sidecar };
}

test("sameBytes() trusts a live file whose stat identity is the recorded one without reading it", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "f", content: "abc" }]);
  const live = liveVersion(dir.join("f"));
  assert.equal(live.version.kind, "file");
  const id = identityOf(live.live!);
  // The recorded hash is not the file's: only the identity can say "same".
  assert.equal(sameBytes(recorded(dir.join("f"), id, 3), live, new Uint8Array(16)), true);
});

test("sameBytes() hashes a live file whose identity differs and compares with the recorded hash", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "f", content: "abc" }]);
  const live = liveVersion(dir.join("f"));
  const id = { ...identityOf(live.live!), ctime_ns: "1" };
  assert.equal(sameBytes(recorded(dir.join("f"), id, 3), live, new Uint8Array(16)), false);
});

test("liveVersion() reads a symlink's text, a directory as absent, and a missing path as absent", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "symlink", path: "l", target: "some/where" },
    { kind: "dir", path: "d" },
    { kind: "file", path: "file", content: "x" },
  ]);
  const l = liveVersion(dir.join("l")).version;
  assert.equal(l.kind === "symlink" ? l.text : undefined, "some/where");
  assert.equal(liveVersion(dir.join("d")).version.kind, "absent");
  assert.equal(liveVersion(dir.join("missing")).version.kind, "absent");
  assert.equal(liveVersion(dir.join("file", "below")).version.kind, "absent");
});
