/**
 * Unit tests of lib/fs/dirents.ts (getdents64 records decoded in JS) and of the listing
 * `readDirents`/`readNames` give once `initRuntime` has loaded the FFI (getdents64 on Deno,
 * the runtime's reader on Bun): the same names as `node:fs` in buffer mode, the types of
 * what was created, Deno's order, and the same error codes.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as fs from "node:fs";
import { test } from "node:test";
import {
  type BPath,
  type DirEntry,
  fromBytes,
  fromText,
  readDirents,
  readNames,
  toText,
} from "../../lib/fs/bpath.ts";
import { getdentsListing } from "../../lib/fs/dirents.ts";
import { handlesNonUtf8Names, initRuntime, isDeno } from "../../lib/fs/runtime.ts";
import { errnoOf } from "../../lib/errors.ts";
import { type Fixture, makeTree, tempDir } from "../_helpers/helpers.ts";

await initRuntime();

type Kind = "file" | "dir" | "symlink" | "fifo" | "socket" | "block" | "char" | "unknown";

function kindOf(d: DirEntry): Kind {
  const kinds: [Kind, boolean][] = [
    ["file", d.isFile()],
    ["dir", d.isDirectory()],
    ["symlink", d.isSymbolicLink()],
    ["fifo", d.isFIFO()],
    ["socket", d.isSocket()],
    ["block", d.isBlockDevice()],
    ["char", d.isCharacterDevice()],
  ];
  const yes = kinds.filter(([, v]) => v).map(([k]) => k);
  assert.ok(yes.length <= 1, `"${d.name}" has one type at most, not ${yes.join(", ")}`);
  return yes[0] ?? "unknown";
}

/** A name as this runtime's listing gives it: Deno's lossy decoding for bytes not UTF-8. */
function listed(bytes: BPath): BPath {
  return handlesNonUtf8Names ? bytes : fromText(toText(bytes));
}

const LONG = "l".repeat(230);
const MANY = 3000;

test("readDirents() and readNames() list the names node:fs lists in buffer mode, with their types", async () => {
  await using dir = tempDir();
  const fixtures: Fixture[] = [
    { kind: "file", path: "f", content: "x" },
    { kind: "dir", path: "sub" },
    { kind: "symlink", path: "ln", target: "f" },
    { kind: "fifo", path: "pipe" },
    { kind: "socket", path: "sock" },
    { kind: "file", path: LONG, content: "" },
    { kind: "file", path: "ä ü", content: "" },
    { kind: "rawname", dirPath: ".", hexName: "636166e9", content: "" }, // caf\xe9
    { kind: "rawname", dirPath: ".", hexName: "fffe41", content: "" }, // \xff\xfeA
  ];
  for (let i = 0; i < MANY; i++) fixtures.push({ kind: "file", path: `n${i}`, content: "" });
  makeTree(dir.path, fixtures);
  const want = new Map<BPath, Kind>([
    ["f", "file"],
    ["sub", "dir"],
    ["ln", "symlink"],
    ["pipe", "fifo"],
    ["sock", "socket"],
    [LONG, "file"],
    [fromText("ä ü"), "file"],
    [listed("caf\xe9"), "file"],
    [listed("\xff\xfeA"), "file"],
  ]);
  for (let i = 0; i < MANY; i++) want.set(`n${i}`, "file");
  const got = readDirents(fromText(dir.path));
  // Names only: Bun 1.4 ignores `withFileTypes` in buffer mode (it returns Buffers).
  const nodeNames = fs.readdirSync(dir.path, { encoding: "buffer" }).map(fromBytes);
  assert.deepEqual(got.map((d) => d.name).sort(), nodeNames.sort());
  assert.deepEqual(new Map(got.map((d) => [d.name, kindOf(d)])), want);
  assert.deepEqual(readNames(fromText(dir.path)), got.map((d) => d.name));
  if (isDeno) {
    // Deno's reader gave names sorted by byte: the walk's order stays as it was.
    assert.deepEqual(got.map((d) => d.name), [...want.keys()].sort());
  }
});

test("readDirents() and readNames() throw ENOENT for a missing directory and ENOTDIR for a file", async () => {
  await using dir = tempDir();
  fs.writeFileSync(dir.join("file"), "");
  for (const read of [readDirents, readNames]) {
    assert.throws(() => read(fromText(dir.join("gone"))), (e) => errnoOf(e) === "ENOENT");
    assert.throws(() => read(fromText(dir.join("file"))), (e) => errnoOf(e) === "ENOTDIR");
  }
});

/** One `struct linux_dirent64` record, its padding filled with 0xAA (as the kernel leaves it). */
function record(name: Uint8Array, type: number): Buffer {
  const reclen = Math.ceil((19 + name.length + 1) / 8) * 8;
  const r = Buffer.alloc(reclen, 0xaa);
  r.writeBigUInt64LE(12345n, 0); // d_ino
  r.writeBigInt64LE(1n, 8); // d_off
  r.writeUInt16LE(reclen, 16);
  r.writeUInt8(type, 18);
  r.set(name, 19);
  r[19 + name.length] = 0;
  return r;
}

/** A getdents64 that hands out `records`, `perCall` at a time, and counts its calls. */
function fakeGetdents(records: Buffer[], perCall: number) {
  const calls = { n: 0 };
  let next = 0;
  const getdents = (_fd: number, buf: Uint8Array): number => {
    calls.n++;
    const chunk = Buffer.concat(records.slice(next, next + perCall));
    next += perCall;
    buf.set(chunk);
    return chunk.length;
  };
  return { getdents, calls };
}

const RECORDS: [string, number, Kind][] = [
  ["f", 8, "file"],
  ["d", 4, "dir"],
  ["l", 10, "symlink"],
  ["p", 1, "fifo"],
  ["s", 12, "socket"],
  ["c", 2, "char"],
  ["b", 6, "block"],
  ["u", 0, "unknown"], // DT_UNKNOWN: some filesystems give no type
  ["..x", 8, "file"],
  [".x", 8, "file"],
];

test("getdentsListing() decodes records over several calls, skips . and .., and maps every d_type", async () => {
  await using dir = tempDir();
  const records = [
    record(Buffer.from("."), 4),
    ...RECORDS.map(([name, type]) => record(Buffer.from(name, "latin1"), type)),
    record(Buffer.from(".."), 4),
    record(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 8), // caf\xe9
  ];
  const fake = fakeGetdents(records, 3);
  const listing = getdentsListing(fake.getdents, { sorted: false, lossy: false });
  const got = listing.dirents(fromText(dir.path)).map((d) => [d.name, kindOf(d)]);
  assert.deepEqual(got, [...RECORDS.map(([n, , k]) => [n, k]), ["caf\xe9", "file"]]);
  assert.equal(fake.calls.n, 6, "five calls with 13 records, then one that returns 0");
});

test("getdentsListing() sorts by byte and decodes a non-UTF-8 name lossily when asked", async () => {
  await using dir = tempDir();
  const names = ["b", "a\xff", "a", "\xe9t\xc3\xa9", "B"];
  const records = names.map((n) => record(Buffer.from(n, "latin1"), 8));
  const exact = getdentsListing(fakeGetdents(records, 2).getdents, { sorted: true, lossy: false });
  assert.deepEqual(exact.names(fromText(dir.path)), ["B", "a", "a\xff", "b", "\xe9t\xc3\xa9"]);
  const lossy = getdentsListing(fakeGetdents(records, 2).getdents, { sorted: true, lossy: true });
  assert.deepEqual(
    lossy.dirents(fromText(dir.path)).map((d) => d.name),
    ["B", "a", fromText("a\ufffd"), "b", fromText("\ufffdté")],
  );
});

test("getdentsListing() passes a getdents64 error on", async () => {
  await using dir = tempDir();
  const eio = Object.assign(new Error("getdents64 failed: EIO"), { code: "EIO" });
  const listing = getdentsListing(() => {
    throw eio;
  }, { sorted: true, lossy: false });
  assert.throws(() => listing.names(fromText(dir.path)), (e) => e === eio);
});
