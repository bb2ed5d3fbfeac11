/** Unit tests of lib/store/check.ts: each outcome of the entry check and of a hash judged. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import {
  type Check,
  checkEntry,
  type Finding,
  findingText,
  judgeHash,
  type Pending,
} from "../../lib/store/check.ts";
import type { EntryRef } from "../../lib/store/entries.ts";
import { payloadName, sidecarName } from "../../lib/store/layout.ts";
import { buildSidecar, encodeSidecar } from "../../lib/store/sidecar.ts";
import { failureReason } from "../../lib/errors.ts";
import { workerDied } from "../../lib/pool/hash_batch.ts";
import type { HashResult } from "../../lib/pool/protocol.ts";
import { SWITCHYARD } from "../_helpers/restore_fixture.ts";
import { type TempDir, tempDir } from "../_helpers/helpers.ts";

const TS = 1700000000000;
const TAG = "snapyard";
const HASH = "a".repeat(64);
const OTHER = "b".repeat(64);
const V3_FILE = encodeSidecar(
  buildSidecar(
    { kind: "file", mode: 0o100644, hash: HASH, size: 5, mtimeMs: TS, uid: 0, gid: 0 },
    "v3",
    TS,
    new Date(TS),
  ),
);
const V3_LINK = encodeSidecar(
  buildSidecar(
    { kind: "symlink", dest: "../bin", mtimeMs: TS, uid: 0, gid: 0 },
    "v3",
    TS,
    new Date(TS),
  ),
);
const V2_FILE = encodeSidecar(
  buildSidecar(
    { kind: "file", mode: 0o100644, hash: HASH, size: 5, mtimeMs: TS, uid: 0, gid: 0 },
    "v2",
    TS,
    new Date(TS),
  ),
);

type PayloadFixture =
  | { kind: "file"; content: string }
  | { kind: "symlink"; text: string }
  | { kind: "dir" }
  | { kind: "absent" };

/** An entry of target `<dir>/t`: its sidecar text and payload as given. */
function entry(dir: TempDir, sidecar: string | undefined, payload: PayloadFixture): EntryRef {
  const p = dir.join(payloadName("t", TAG, TS));
  const s = dir.join(sidecarName("t", TAG, TS));
  if (sidecar !== undefined) fs.writeFileSync(s, sidecar);
  if (payload.kind === "file") fs.writeFileSync(p, payload.content);
  else if (payload.kind === "symlink") fs.symlinkSync(payload.text, p);
  else if (payload.kind === "dir") fs.mkdirSync(p);
  const state = payload.kind === "absent" ? "payload_missing" : "complete";
  return { ts: TS, payload: p, sidecar: s, state };
}

/** The finding of a check that must be a problem. */
function problemOf(c: Check): Finding {
  assert.equal(c.kind, "problem", `expected a problem, got ${JSON.stringify(c)}`);
  return (c as { kind: "problem"; finding: Finding }).finding;
}

/** The hash job of a check that must go to hashing. */
function pendingOf(c: Check): Pending {
  assert.equal(c.kind, "hash", `expected a hash job, got ${JSON.stringify(c)}`);
  return (c as { kind: "hash"; pending: Pending }).pending;
}

function pending(e: EntryRef, hash: string | undefined, size?: number): Pending {
  return { target: "/x/t", entry: e, hash, size, bytes: size ?? 0 };
}

test("checkEntry() passes an empty tombstone and a symlink with exactly the recorded text", async () => {
  await using dir = tempDir();
  const tomb = checkEntry(
    dir.join("t"),
    entry(dir, SWITCHYARD.absent, { kind: "file", content: "" }),
  );
  assert.equal(tomb.kind, "ok");
  assert.equal((tomb as { sidecar: { prior_kind: string } }).sidecar.prior_kind, "none");
  await using dir2 = tempDir();
  const link = checkEntry(
    dir2.join("t"),
    entry(dir2, V3_LINK, { kind: "symlink", text: "../bin" }),
  );
  assert.equal(link.kind, "ok");
});

test("checkEntry() sends a v3 file entry to hashing with its recorded hash and size", async () => {
  await using dir = tempDir();
  const e = entry(dir, V3_FILE, { kind: "file", content: "12345" });
  const c = checkEntry(dir.join("t"), e);
  assert.deepEqual(pendingOf(c), {
    target: dir.join("t"),
    entry: e,
    hash: HASH,
    size: 5,
    bytes: 5,
  });
});

test("checkEntry() sends a v2 file entry to hashing with the payload's lstat size", async () => {
  await using dir = tempDir();
  const e = entry(dir, V2_FILE, { kind: "file", content: "1234567" });
  const p = pendingOf(checkEntry(dir.join("t"), e));
  assert.deepEqual([p.hash, p.size, p.bytes], [HASH, undefined, 7]);
});

test("checkEntry() names a sidecar that does not parse sidecar corrupt, on the sidecar", async () => {
  await using dir = tempDir();
  const e = entry(dir, '{"schema": "backup_meta.v3", "prior_k', { kind: "file", content: "" });
  const f = problemOf(checkEntry(dir.join("t"), e));
  assert.deepEqual([f.state, f.path, f.ts], ["sidecar_corrupt", e.sidecar, TS]);
  assert.doesNotMatch(f.reason, /^sidecar corrupt/, "the label is not repeated");
  await using dir2 = tempDir();
  const gone = entry(dir2, "{", { kind: "absent" });
  assert.match(problemOf(checkEntry(dir2.join("t"), gone)).reason, /its payload is missing too/);
});

test("checkEntry() names a missing payload payload missing, but a missing tombstone orphan sidecar", async () => {
  for (const [sidecar, kind] of [[V3_FILE, "file"], [V3_LINK, "symlink"]] as const) {
    await using dir = tempDir();
    const e = entry(dir, sidecar, { kind: "absent" });
    const f = problemOf(checkEntry(dir.join("t"), e));
    assert.deepEqual([f.state, f.path], ["payload_missing", e.payload]);
    assert.equal(f.reason, `no payload for this ${kind} entry`);
  }
  await using dir = tempDir();
  const e = entry(dir, SWITCHYARD.absent, { kind: "absent" });
  const f = problemOf(checkEntry(dir.join("t"), e));
  assert.deepEqual([f.state, f.path], ["orphan_sidecar", e.sidecar]);
});

test("checkEntry() names a payload that vanished after the scan payload missing", async () => {
  await using dir = tempDir();
  // Listed as complete, gone by the lstat (a v3 file entry is not lstat'ed: use a symlink).
  const e = entry(dir, V3_LINK, { kind: "symlink", text: "../bin" });
  fs.rmSync(e.payload);
  const f = problemOf(checkEntry(dir.join("t"), e));
  assert.deepEqual([f.state, f.reason], ["payload_missing", "vanished before it could be read"]);
});

test("checkEntry() names a tombstone that is not empty, or not a file, payload mismatch", async () => {
  await using dir = tempDir();
  const full = problemOf(
    checkEntry(dir.join("t"), entry(dir, SWITCHYARD.absent, { kind: "file", content: "xyz" })),
  );
  assert.deepEqual([full.state, full.reason], [
    "payload_mismatch",
    "tombstone is not empty (3 bytes)",
  ]);
  await using dir2 = tempDir();
  const d = problemOf(checkEntry(dir2.join("t"), entry(dir2, SWITCHYARD.absent, { kind: "dir" })));
  assert.deepEqual([d.state, d.reason], ["payload_mismatch", "tombstone is not a regular file"]);
});

test("checkEntry() names a symlink payload with other text, or a file, payload mismatch", async () => {
  await using dir = tempDir();
  const f = problemOf(
    checkEntry(dir.join("t"), entry(dir, V3_LINK, { kind: "symlink", text: "../other" })),
  );
  assert.equal(f.state, "payload_mismatch");
  assert.equal(f.reason, 'link text "../other" differs from the recorded "../bin"');
  await using dir2 = tempDir();
  const g = problemOf(
    checkEntry(dir2.join("t"), entry(dir2, V3_LINK, { kind: "file", content: "../bin" })),
  );
  assert.deepEqual([g.state, g.reason], ["payload_mismatch", "payload is not a symlink"]);
});

test("checkEntry() names a file payload that is not regular in the words judgeHash gives", async () => {
  for (
    const [payload, code] of [
      [{ kind: "symlink", text: "elsewhere" }, "ELOOP"],
      [{ kind: "dir" }, "NOT_REGULAR"],
    ] as const
  ) {
    await using dir = tempDir();
    const e = entry(dir, V2_FILE, payload);
    const f = problemOf(checkEntry(dir.join("t"), e));
    const judged = judgeHash(pending(e, HASH), { ok: false, error: { code, message: "x" } });
    assert.ok(!judged.ok);
    assert.deepEqual([f.state, f.reason], [judged.finding.state, judged.finding.reason]);
    assert.equal(f.state, "payload_mismatch");
  }
});

test("checkEntry() names a v1 file entry unverified, and hashes it when unverified is allowed", async () => {
  await using dir = tempDir();
  const e = entry(dir, SWITCHYARD.fileV1, { kind: "file", content: "v1 bytes" });
  const f = problemOf(checkEntry(dir.join("t"), e));
  assert.equal(f.state, "unverified");
  assert.match(f.reason, /no payload_hash.*--allow-unverified/);
  const p = pendingOf(checkEntry(dir.join("t"), e, { allowUnverified: true }));
  assert.deepEqual([p.hash, p.bytes], [undefined, 8]);
});

test("judgeHash() passes an equal hash, and any hash of an allowed unverified entry", async () => {
  await using dir = tempDir();
  const e = entry(dir, V3_FILE, { kind: "file", content: "12345" });
  const r: HashResult = { ok: true, hash: HASH, size: 5 };
  assert.deepEqual(judgeHash(pending(e, HASH, 5), r), { ok: true, hash: HASH, size: 5 });
  const v1 = judgeHash(pending(e, undefined), { ok: true, hash: OTHER, size: 8 });
  assert.deepEqual(v1, { ok: true, hash: OTHER, size: 8 });
});

test("judgeHash() names a different hash hash mismatch, with both hashes and both sizes", async () => {
  await using dir = tempDir();
  const e = entry(dir, V3_FILE, { kind: "file", content: "12345" });
  const j = judgeHash(pending(e, HASH, 5), { ok: true, hash: OTHER, size: 6 });
  assert.ok(!j.ok);
  assert.equal(j.finding.state, "hash_mismatch");
  assert.equal(
    j.finding.reason,
    "recorded sha256 aaaaaaaaaaaa…, payload has bbbbbbbbbbbb… (6 bytes, recorded 5)",
  );
  const same = judgeHash(pending(e, HASH, 5), { ok: true, hash: OTHER, size: 5 });
  assert.ok(!same.ok);
  assert.doesNotMatch(same.finding.reason, /bytes/);
});

test("judgeHash() names a failed hash by its code: missing, mismatch, unreadable", async () => {
  await using dir = tempDir();
  const e = entry(dir, V3_FILE, { kind: "file", content: "12345" });
  const cases = [
    ["ENOENT", "payload_missing", "vanished before it could be read"],
    ["NOT_REGULAR", "payload_mismatch", "was replaced by a non-regular file"],
    ["EIO", "unreadable", "cannot hash payload: input/output error (EIO)"],
  ] as const;
  for (const [code, state, reason] of cases) {
    const j = judgeHash(pending(e, HASH), { ok: false, error: { code, message: "m" } });
    assert.ok(!j.ok);
    assert.deepEqual([j.finding.state, j.finding.reason, j.finding.path], [
      state,
      reason,
      e.payload,
    ]);
  }
});

test("judgeHash() fails closed on a dead worker: unreadable, saying the worker failed", async () => {
  await using dir = tempDir();
  const e = entry(dir, V3_FILE, { kind: "file", content: "12345" });
  const error = workerDied(new Error("worker exited with code 1"));
  assert.equal(error.code, "WORKER_DIED");
  const j = judgeHash(pending(e, HASH), { ok: false, error });
  assert.ok(!j.ok);
  assert.equal(j.finding.state, "unreadable");
  assert.equal(j.finding.reason, `cannot hash payload: ${failureReason(error)}`);
  assert.match(j.finding.reason, /worker failed: worker exited with code 1$/);
});

test("findingText() gives the label, the quoted file and the detail; a hash mismatch names the payload", () => {
  const f: Finding = {
    state: "hash_mismatch",
    target: "/x/t",
    path: "/x/.t.snapyard.1.bak",
    ts: 1,
    reason: "recorded sha256 a…, payload has b…",
  };
  assert.equal(
    findingText(f),
    'payload hash mismatch ("/x/.t.snapyard.1.bak"): recorded sha256 a…, payload has b…',
  );
  assert.equal(
    findingText({ ...f, state: "payload_missing", reason: "no payload for this file entry" }),
    'payload missing ("/x/.t.snapyard.1.bak"): no payload for this file entry',
  );
});
