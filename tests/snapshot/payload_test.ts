/** Unit tests of lib/snapshot/payload.ts: payload copy+hash, exclusive names, refusals. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import { fromBytes } from "../../lib/fs/bpath.ts";
import { payloadName, sidecarName } from "../../lib/store/layout.ts";
import {
  copyHashFile,
  createSymlinkPayload,
  createTombstone,
  DIRECT_MIN_SIZE,
} from "../../lib/snapshot/payload.ts";
import { DIRECT_ALIGN } from "../../lib/fs/copy_hash.ts";
import { FailureError } from "../../lib/errors.ts";
import { alignedBuffer, initRuntime } from "../../lib/fs/runtime.ts";
import { fstatFd } from "../../lib/fs/stat.ts";
import { makeTree, ROOT, runCmd, RUNTIME, tempDir } from "../_helpers/helpers.ts";

const TS = 1700000000000;
const TAG = "snapyard";
const buf = () => new Uint8Array(64 * 1024);
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Open fds of this process that point into `dir` (a leak check). */
function fdsInto(dir: string): string[] {
  const out: string[] = [];
  for (const n of fs.readdirSync("/proc/self/fd")) {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${n}`);
      if (target.startsWith(dir + "/")) out.push(target);
    } catch (_e) {
      // The fd used by readdir itself is gone by now: not a leak.
    }
  }
  return out;
}

function codeOf(e: unknown): string | undefined {
  return (e as { code?: string }).code;
}

test("copyHashFile() payload bytes and hash equal the source's SHA-256 (multi-buffer file)", async () => {
  await using dir = tempDir();
  const content = randomBytes(3 * 64 * 1024 + 17);
  makeTree(dir.path, [{ kind: "file", path: "big", content }]);
  const r = copyHashFile(dir.join("big"), dir.path, "big", TAG, TS, buf());
  assert.equal(r.ts, TS);
  assert.equal(r.size, content.length);
  assert.equal(r.hash, sha256(content));
  assert.deepEqual(fs.readFileSync(dir.join(payloadName("big", TAG, TS))), content);
  assert.deepEqual(fdsInto(dir.path), []);
});

test("copyHashFile() copies an empty file to an empty payload", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "e", content: "" }]);
  const r = copyHashFile(dir.join("e"), dir.path, "e", TAG, TS, buf());
  assert.equal(r.size, 0);
  assert.equal(r.hash, sha256(new Uint8Array()));
  assert.equal(fs.statSync(dir.join(payloadName("e", TAG, TS))).size, 0);
});

test("copyHashFile() creates the payload 0600 without setuid even for a 04755 source", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "suid", content: "hello", mode: 0o4755 }]);
  const r = copyHashFile(dir.join("suid"), dir.path, "suid", TAG, TS, buf());
  assert.equal(r.mode, 0o104755, "the source mode is reported for the sidecar");
  const st = fs.statSync(dir.join(payloadName("suid", TAG, TS)));
  assert.equal(st.mode & 0o7777, 0o600);
});

test("copyHashFile() moves to the next ts when the payload name exists (EEXIST)", async () => {
  await using dir = tempDir();
  const taken = payloadName("a", TAG, TS);
  makeTree(dir.path, [
    { kind: "file", path: "a", content: "new" },
    { kind: "file", path: taken, content: "older entry" },
  ]);
  const r = copyHashFile(dir.join("a"), dir.path, "a", TAG, TS, buf());
  assert.equal(r.ts, TS + 1);
  assert.equal(fs.readFileSync(dir.join(taken), "utf8"), "older entry");
  assert.equal(fs.readFileSync(dir.join(payloadName("a", TAG, TS + 1)), "utf8"), "new");
});

test("copyHashFile() never reuses a ts held by a sidecar-only name and leaks no fd", async () => {
  await using dir = tempDir();
  const side = sidecarName("a", TAG, TS);
  makeTree(dir.path, [
    { kind: "file", path: "a", content: "new" },
    { kind: "file", path: side, content: "{}" },
  ]);
  const r = copyHashFile(dir.join("a"), dir.path, "a", TAG, TS, buf());
  assert.equal(r.ts, TS + 1);
  assert.equal(fs.existsSync(dir.join(payloadName("a", TAG, TS))), false);
  assert.equal(fs.readFileSync(dir.join(side), "utf8"), "{}");
  assert.deepEqual(fdsInto(dir.path), [], "the name given back must not stay open");
});

test("copyHashFile() refuses a symlink source with ELOOP and writes nothing", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "real", content: "secret" },
    { kind: "symlink", path: "link", target: "real" },
  ]);
  assert.throws(
    () => copyHashFile(dir.join("link"), dir.path, "link", TAG, TS, buf()),
    (e: unknown) => codeOf(e) === "ELOOP",
  );
  assert.deepEqual(fs.readdirSync(dir.path).sort(), ["link", "real"]);
});

test("copyHashFile() refuses a directory as not regular and writes nothing", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "dir", path: "d" }]);
  assert.throws(
    () => copyHashFile(dir.join("d"), dir.path, "d", TAG, TS, buf()),
    (e: unknown) => e instanceof FailureError && e.code === "NOT_REGULAR",
  );
  assert.deepEqual(fs.readdirSync(dir.path), ["d"]);
});

test("copyHashFile() reports a vanished source as ENOENT", async () => {
  await using dir = tempDir();
  assert.throws(
    () => copyHashFile(dir.join("gone"), dir.path, "gone", TAG, TS, buf()),
    (e: unknown) => codeOf(e) === "ENOENT",
  );
  assert.deepEqual(fs.readdirSync(dir.path), []);
});

test("copyHashFile() fails a file whose size differs from its bytes as changed, leaving no payload", async () => {
  // /proc files fstat as size 0 yet read as text: the post-copy check must catch it.
  await using dir = tempDir();
  assert.throws(
    () => copyHashFile("/proc/version", dir.path, "version", TAG, TS, buf()),
    (e: unknown) => e instanceof FailureError && e.code === "CHANGED",
  );
  assert.deepEqual(fs.readdirSync(dir.path), []);
});

test("copyHashFile() on a FIFO swapped in for a file returns at once (no writer, no hang)", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "fifo", path: "pipe" }]);
  // In a child process with a time limit: a blocking open would hang the test runner.
  const script = dir.join("probe.ts");
  fs.writeFileSync(
    script,
    `import { copyHashFile } from ${JSON.stringify(posix.join(ROOT, "lib/snapshot/payload.ts"))};
const [src, dir] = ${JSON.stringify([dir.join("pipe"), dir.path])};
try {
  copyHashFile(src, dir, "pipe", "t", 1, new Uint8Array(16));
  console.log("copied");
} catch (e) {
  console.log("error " + e.code);
}
`,
  );
  const args = RUNTIME === "deno" ? ["run", "-A", "--no-check", script] : [script];
  const r = await runCmd(process.execPath, args, { timeoutMs: 30_000 });
  assert.equal(r.timedOut, false, "copyHashFile() blocked on a FIFO");
  assert.equal(r.stdout.trim(), "error NOT_REGULAR", r.stderr);
  assert.deepEqual(fs.readdirSync(dir.path).sort(), ["pipe", "probe.ts"]);
});

for (
  const size of [DIRECT_MIN_SIZE, DIRECT_MIN_SIZE + 17, 3 * DIRECT_MIN_SIZE + DIRECT_ALIGN - 1]
) {
  test(`copyHashFile() with an aligned buffer (O_DIRECT) copies ${size} bytes exactly`, async () => {
    await initRuntime();
    await using dir = tempDir();
    const content = randomBytes(size);
    makeTree(dir.path, [{ kind: "file", path: "big", content }]);
    // A 64 KiB aligned buffer: many chunks, and a padded last one unless size is aligned.
    const direct = alignedBuffer(64 * 1024, DIRECT_ALIGN)!;
    const r = copyHashFile(dir.join("big"), dir.path, "big", TAG, TS, buf(), direct);
    assert.equal(r.size, size);
    assert.equal(r.hash, sha256(content));
    const payload = dir.join(payloadName("big", TAG, TS));
    assert.equal(fs.statSync(payload).size, size, "padding is truncated away");
    assert.ok(fs.readFileSync(payload).equals(content));
    assert.equal(fs.statSync(payload).mode & 0o7777, 0o600);
    assert.deepEqual(fdsInto(dir.path), []);
  });
}

test("createSymlinkPayload() holds the exact link text, dangling or absolute", async () => {
  await using dir = tempDir();
  for (const [i, text] of ["../../bin", "/usr/bin/true", "no/such/target", "é ü"].entries()) {
    const name = `l${i}`;
    const ts = createSymlinkPayload(dir.path, name, TAG, TS, fromBytes(Buffer.from(text)));
    assert.equal(ts, TS);
    assert.equal(fs.readlinkSync(dir.join(payloadName(name, TAG, TS))), text);
  }
});

test(
  "createSymlinkPayload() keeps non-UTF-8 link text byte for byte (Bun)",
  { skip: RUNTIME === "deno" ? "Deno mangles non-UTF-8 link text (runtime-facts §4)" : false },
  async () => {
    await using dir = tempDir();
    const text = "tar\xffget";
    createSymlinkPayload(dir.path, "l", TAG, TS, text);
    const got = fs.readlinkSync(dir.join(payloadName("l", TAG, TS)), { encoding: "buffer" });
    assert.equal(Buffer.from(got).toString("hex"), "746172ff676574");
  },
);

test("createTombstone() makes an empty 0600 payload and moves on when the name exists", async () => {
  await using dir = tempDir();
  assert.equal(createTombstone(dir.path, "gone", TAG, TS), TS);
  assert.equal(createTombstone(dir.path, "gone", TAG, TS), TS + 1);
  for (const t of [TS, TS + 1]) {
    const st = fs.lstatSync(dir.join(payloadName("gone", TAG, t)));
    assert.ok(st.isFile());
    assert.equal(st.size, 0);
    assert.equal(st.mode & 0o7777, 0o600);
  }
});

test("createTombstone() reports an error other than EEXIST instead of trying more names", async () => {
  await using dir = tempDir();
  assert.throws(
    () => createTombstone(dir.join("missing-dir"), "x", TAG, TS),
    (e: unknown) => codeOf(e) === "ENOENT",
  );
});

/** Nanoseconds of a GNU `stat` "%.9Y"-style decimal ("-1.500000000"). */
function decimalNs(text: string): bigint {
  const neg = text.startsWith("-");
  const [whole, frac = ""] = text.replace("-", "").split(".");
  const ns = BigInt(whole!) * 1_000_000_000n + BigInt(frac.padEnd(9, "0").slice(0, 9));
  return neg ? -ns : ns;
}

// The truth comes from GNU stat: Deno's own fstat rounds mtime to ms and ctime to seconds.
const MTIMES: [string, string][] = [
  ["now", ""],
  ["ns fraction", "@1700000000.123456789"],
  ["before 1970", "@-1.5"],
];
for (const [label, when] of MTIMES) {
  test(`fstatFd() reports what stat(1) reports, to the nanosecond (mtime ${label})`, async () => {
    await initRuntime();
    await using dir = tempDir();
    makeTree(dir.path, [{ kind: "file", path: "f", content: "x".repeat(1234), mode: 0o4751 }]);
    if (when !== "") assert.equal(spawnSync("touch", ["-d", when, dir.join("f")]).status, 0);
    const out = spawnSync("stat", ["-c", "%.9Y %.9Z %i %f %u %g %d", dir.join("f")], {
      encoding: "utf8",
    }).stdout.trim().split(" ");
    const [mtime, ctime, ino, mode, uid, gid, dev] = out as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const mtimeNs = decimalNs(mtime);
    const floorMs = mtimeNs >= 0n ? mtimeNs / 1_000_000n : -((-mtimeNs + 999_999n) / 1_000_000n);
    const fd = fs.openSync(dir.join("f"), "r");
    try {
      assert.deepEqual(fstatFd(fd), {
        isFile: true,
        mode: parseInt(mode, 16),
        uid: Number(uid),
        gid: Number(gid),
        size: 1234,
        dev: BigInt(dev),
        ino: BigInt(ino),
        mtimeMs: Number(floorMs),
        mtimeNs,
        ctimeNs: decimalNs(ctime),
      });
    } finally {
      fs.closeSync(fd);
    }
    const dfd = fs.openSync(dir.path, "r");
    try {
      assert.equal(fstatFd(dfd).isFile, false);
    } finally {
      fs.closeSync(dfd);
    }
  });
}
