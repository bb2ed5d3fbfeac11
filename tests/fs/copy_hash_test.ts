/** Unit tests of lib/fs/copy_hash.ts: the one-read copy+hash, O_DIRECT alignment, hashFile. */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { test } from "node:test";
import { copyHashFd, DIRECT_ALIGN, hashFile } from "../../lib/fs/copy_hash.ts";
import { FailureError } from "../../lib/errors.ts";
import { alignedBuffer, initRuntime } from "../../lib/fs/runtime.ts";
import { makeTree, tempDir } from "../_helpers/helpers.ts";

const buf = () => new Uint8Array(64 * 1024);
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function codeOf(e: unknown): string | undefined {
  return (e as { code?: string }).code;
}

/** Runs `copyHashFd` from file `src` to a new file `dst`, closing both. */
function copyFile(src: string, dst: string, b: Uint8Array, limit?: number, align?: number) {
  const s = fs.openSync(src, "r");
  const d = fs.openSync(dst, "wx");
  try {
    return copyHashFd(s, d, b, limit, align);
  } finally {
    fs.closeSync(s);
    fs.closeSync(d);
  }
}

test("copyHashFd() copies every byte once and returns its SHA-256 (multi-buffer file)", async () => {
  await using dir = tempDir();
  const content = randomBytes(3 * 64 * 1024 + 17);
  makeTree(dir.path, [{ kind: "file", path: "src", content }]);
  const r = copyFile(dir.join("src"), dir.join("dst"), buf());
  assert.deepEqual(r, { hash: sha256(content), bytes: content.length });
  assert.ok(fs.readFileSync(dir.join("dst")).equals(content));
});

test("copyHashFd() with align pads the last chunk and truncates the copy to the bytes read", async () => {
  await using dir = tempDir();
  const content = randomBytes(DIRECT_ALIGN + 5);
  makeTree(dir.path, [{ kind: "file", path: "src", content }]);
  const r = copyFile(
    dir.join("src"),
    dir.join("dst"),
    new Uint8Array(4 * DIRECT_ALIGN),
    Infinity,
    DIRECT_ALIGN,
  );
  assert.deepEqual(r, { hash: sha256(content), bytes: content.length });
  assert.equal(fs.statSync(dir.join("dst")).size, content.length);
  assert.ok(fs.readFileSync(dir.join("dst")).equals(content));
});

test("copyHashFd() reads at least once for limit 0, so bytes beyond a claimed size show", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "src", content: "ten bytes!" }]);
  const r = copyFile(dir.join("src"), dir.join("dst"), buf(), 0);
  assert.equal(r.bytes, 10);
});

test("alignedBuffer() gives a buffer whose address is a multiple of the alignment", async () => {
  await initRuntime();
  const b = alignedBuffer(64 * 1024, DIRECT_ALIGN);
  assert.ok(b !== undefined, "FFI is available in tests");
  assert.equal(b.byteLength, 64 * 1024);
  // O_DIRECT refuses a misaligned buffer with EINVAL: a write from `b` must succeed.
  await using dir = tempDir();
  const fd = fs.openSync(
    dir.join("d"),
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_DIRECT,
  );
  try {
    assert.equal(fs.writeSync(fd, b, 0, DIRECT_ALIGN, 0), DIRECT_ALIGN);
    assert.throws(
      () => fs.writeSync(fd, b, 8, DIRECT_ALIGN, 0),
      (e: unknown) => codeOf(e) === "EINVAL",
    );
  } finally {
    fs.closeSync(fd);
  }
});

test("hashFile() equals SHA-256 of the file and refuses a symlink", async () => {
  await using dir = tempDir();
  const content = randomBytes(100_000);
  makeTree(dir.path, [
    { kind: "file", path: "f", content },
    { kind: "symlink", path: "l", target: "f" },
  ]);
  assert.deepEqual(hashFile(dir.join("f"), buf()), { hash: sha256(content), size: 100_000 });
  assert.throws(() => hashFile(dir.join("l"), buf()), (e: unknown) => codeOf(e) === "ELOOP");
});

test("hashFile() refuses a directory as NOT_REGULAR with a FailureError", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "dir", path: "d" }]);
  assert.throws(
    () => hashFile(dir.join("d"), buf()),
    (e: unknown) => e instanceof FailureError && e.code === "NOT_REGULAR",
  );
});
