/**
 * lib/fs/sys.ts `fs` answers as `node:fs` does: on Deno it is lib/fs/deno_fs.ts (libc through
 * the FFI), on Bun `node:fs` itself; each call is checked against `node:fs` on the same
 * files: stats, errors (code, errno, syscall), fds that both use, recursive mkdir, text reads.
 */
import assert from "node:assert/strict";
import * as nodeFs from "node:fs";
import { test } from "node:test";
import { fs } from "../../lib/fs/sys.ts";
import { fromText, fsPath } from "../../lib/fs/bpath.ts";
import { linuxConstants } from "../../lib/fs/linux.ts";
import { makeTree, tempDir } from "../_helpers/helpers.ts";

const FIELDS = ["dev", "ino", "mode", "nlink", "uid", "gid", "size", "blocks", "blksize"] as const;
const KINDS = [
  "isFile",
  "isDirectory",
  "isSymbolicLink",
  "isFIFO",
  "isSocket",
  "isBlockDevice",
  "isCharacterDevice",
] as const;

/** The error `f` throws, as `{ code, errno, syscall }`. */
function errorOf(f: () => unknown): { code: unknown; errno: unknown; syscall: unknown } {
  try {
    f();
  } catch (e) {
    const { code, errno, syscall } = e as Record<string, unknown>;
    return { code, errno, syscall };
  }
  assert.fail("did not throw");
}

test("fs.lstatSync/statSync/fstatSync give node:fs's stats for every kind of file", async () => {
  await using dir = tempDir();
  nodeFs.writeFileSync(dir.join("f"), "x".repeat(5000), { mode: 0o640 });
  nodeFs.utimesSync(dir.join("f"), 1_700_000_000.25, 1_600_000_000.125);
  nodeFs.mkdirSync(dir.join("d"));
  nodeFs.symlinkSync("f", dir.join("l"));
  makeTree(dir.path, [{ kind: "fifo", path: "p" }, { kind: "socket", path: "s" }]);
  // A character device, and a block device where the machine has one.
  const block = nodeFs.readdirSync("/dev").map((n) => `/dev/${n}`)
    .find((p) => nodeFs.lstatSync(p, { throwIfNoEntry: false })?.isBlockDevice());
  const paths = [...["f", "d", "l", "p", "s"].map((n) => dir.join(n)), "/dev/null"];
  for (const p of block === undefined ? paths : [...paths, block]) {
    for (
      const [ours, theirs] of [
        [fs.lstatSync(p), nodeFs.lstatSync(p)],
        [fs.statSync(p), nodeFs.statSync(p)],
      ] as const
    ) {
      for (const k of FIELDS) assert.equal(ours[k], theirs[k], `${p} ${k}`);
      for (const k of KINDS) assert.equal(ours[k](), theirs[k](), `${p} ${k}`);
      assert.equal(Math.floor(ours.mtimeMs), Math.floor(theirs.mtimeMs), `${p} mtimeMs`);
      assert.equal(ours.mtime.getTime(), Math.trunc(ours.mtimeMs), `${p} mtime`);
    }
  }
  const fd = fs.openSync(dir.join("f"), "r");
  try {
    assert.equal(fs.fstatSync(fd).ino, nodeFs.statSync(dir.join("f")).ino);
    assert.equal(fs.fstatSync(fd).mtimeMs, 1_600_000_000_125);
  } finally {
    fs.closeSync(fd);
  }
});

test("fs calls fail as node:fs's do: code, errno, syscall; throwIfNoEntry: false only for ENOENT", async () => {
  await using dir = tempDir();
  nodeFs.writeFileSync(dir.join("f"), "x");
  const missing = dir.join("missing");
  const under = dir.join("f", "x");
  assert.equal(fs.lstatSync(missing, { throwIfNoEntry: false }), undefined);
  assert.equal(fs.statSync(missing, { throwIfNoEntry: false }), undefined);
  const cases: [string, () => unknown, () => unknown][] = [
    ["lstat missing", () => fs.lstatSync(missing), () => nodeFs.lstatSync(missing)],
    [
      "lstat ENOTDIR",
      () => fs.lstatSync(under, { throwIfNoEntry: false }),
      () => nodeFs.lstatSync(under, { throwIfNoEntry: false }),
    ],
    ["open missing", () => fs.openSync(missing, "r"), () => nodeFs.openSync(missing, "r")],
    ["open wx", () => fs.openSync(dir.join("f"), "wx"), () => nodeFs.openSync(dir.join("f"), "wx")],
    ["mkdir over a file", () => fs.mkdirSync(dir.join("f")), () => nodeFs.mkdirSync(dir.join("f"))],
    [
      "mkdir -p over a file",
      () => fs.mkdirSync(dir.join("f"), { recursive: true }),
      () => nodeFs.mkdirSync(dir.join("f"), { recursive: true }),
    ],
    [
      "mkdir -p under a file",
      () => fs.mkdirSync(under, { recursive: true }),
      () => nodeFs.mkdirSync(under, { recursive: true }),
    ],
    ["unlink missing", () => fs.unlinkSync(missing), () => nodeFs.unlinkSync(missing)],
    [
      "rename missing",
      () => fs.renameSync(missing, dir.join("g")),
      () => nodeFs.renameSync(missing, dir.join("g")),
    ],
    [
      "readlink of a file",
      () => fs.readlinkSync(dir.join("f")),
      () => nodeFs.readlinkSync(dir.join("f")),
    ],
    [
      "readFile missing",
      () => fs.readFileSync(missing, "utf8"),
      () => nodeFs.readFileSync(missing, "utf8"),
    ],
  ];
  for (const [what, ours, theirs] of cases) {
    const [a, b] = [errorOf(ours), errorOf(theirs)];
    assert.equal(a.code, b.code, what);
    assert.equal(a.errno, b.errno, what);
  }
  assert.equal(errorOf(() => fs.openSync(missing, "r")).syscall, "open");
});

test("fs fds are the system's: written, read at positions, truncated, synced, changed, closed", async () => {
  await using dir = tempDir();
  const p = dir.join("f");
  const fd = fs.openSync(p, "wx", 0o600);
  try {
    assert.equal(fs.writeSync(fd, "héllo\n"), 7);
    assert.equal(fs.writeSync(fd, new Uint8Array([1, 2, 3, 4]), 1, 2), 2);
    assert.equal(fs.writeSync(fd, new Uint8Array([9]), 0, 1, 0), 1);
    fs.fsyncSync(fd);
    fs.fchmodSync(fd, 0o644);
    fs.futimesSync(fd, new Date(), 1_500_000_000.5);
  } finally {
    fs.closeSync(fd);
  }
  assert.deepEqual([...nodeFs.readFileSync(p)], [9, ...new TextEncoder().encode("éllo\n"), 2, 3]);
  assert.equal(nodeFs.statSync(p).mode & 0o777, 0o644);
  assert.equal(nodeFs.statSync(p).mtimeMs, 1_500_000_000_500);
  const rd = fs.openSync(p, fs.constants.O_RDWR);
  try {
    const buf = new Uint8Array(8);
    assert.equal(fs.readSync(rd, buf, 2, 3, 1), 3);
    assert.deepEqual([...buf.subarray(2, 5)], [...new TextEncoder().encode("é"), 0x6c]);
    assert.equal(fs.readSync(rd, buf, { offset: 0, length: 8 }), 8);
    fs.ftruncateSync(rd, 2);
    assert.equal(fs.fstatSync(rd).size, 2);
  } finally {
    fs.closeSync(rd);
  }
  assert.equal(errorOf(() => fs.closeSync(rd)).code, "EBADF");
});

test("fs.mkdirSync -p, renameSync, unlinkSync, readFileSync and readlinkSync as node:fs, byte paths too", async () => {
  await using dir = tempDir();
  const deep = dir.join("a", "b", "c");
  assert.equal(fs.mkdirSync(deep, { recursive: true }), dir.join("a"));
  assert.equal(fs.mkdirSync(deep, { recursive: true }), undefined);
  assert.ok(nodeFs.statSync(deep).isDirectory());
  // A BOM is text too (readFileSync keeps it).
  nodeFs.writeFileSync(dir.join("t"), "\ufeffbom é\n");
  assert.equal(fs.readFileSync(dir.join("t"), "utf8"), nodeFs.readFileSync(dir.join("t"), "utf8"));
  fs.renameSync(dir.join("t"), dir.join("u"));
  assert.ok(nodeFs.existsSync(dir.join("u")) && !nodeFs.existsSync(dir.join("t")));
  nodeFs.symlinkSync("tärget", dir.join("l"));
  assert.deepEqual(
    [...fs.readlinkSync(dir.join("l"), { encoding: "buffer" })],
    [...nodeFs.readlinkSync(dir.join("l"), { encoding: "buffer" })],
  );
  assert.equal(fs.readlinkSync(dir.join("l")), "tärget");
  // A name that is not ASCII, as lib/fs/bpath.ts `fsPath` gives it: its UTF-8 bytes.
  const bytes = fsPath(fromText(dir.join("é")));
  assert.ok(bytes instanceof Uint8Array);
  const fd = fs.openSync(bytes, "wx");
  fs.closeSync(fd);
  assert.ok(nodeFs.existsSync(dir.join("é")));
  fs.unlinkSync(bytes);
  assert.ok(!nodeFs.existsSync(dir.join("é")));
});

test("linuxConstants() of this machine's architecture are node:fs's constants", () => {
  const arch = process.arch === "x64" ? "x86_64" : process.arch === "arm64" ? "aarch64" : "";
  const ours = linuxConstants(arch);
  assert.ok(ours !== undefined, `no constants for ${process.arch}`);
  const theirs = nodeFs.constants as unknown as Record<string, number>;
  for (const [name, value] of Object.entries(ours)) {
    // node:fs has no O_CLOEXEC (it adds it itself): Linux's, on every architecture.
    assert.equal(value, name === "O_CLOEXEC" ? 0o2000000 : theirs[name], name);
  }
});
