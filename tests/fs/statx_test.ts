/** Unit tests of lib/fs/statx.ts: stats resolved from held directory fds say what whole paths say. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { type BPath, fromText, toText } from "../../lib/fs/bpath.ts";
import { quickStat } from "../../lib/fs/quick_stat.ts";
import { lstatPath } from "../../lib/fs/stat.ts";
import { initRuntime } from "../../lib/fs/runtime.ts";
import { hasStatxPath, holdDirFds } from "../../lib/fs/statx.ts";
import { tempDir } from "../_helpers/helpers.ts";

/** How many fds this process has open. */
function openFds(): number {
  return fs.readdirSync("/proc/self/fd").length;
}

test("holdDirFds() stats give what whole-path stats give, and its release closes every fd", async () => {
  await initRuntime();
  assert.ok(hasStatxPath(), "the FFI is loaded on Deno and Bun");
  await using dir = tempDir();
  const names: string[] = [];
  for (let d = 0; d < 6; d++) {
    fs.mkdirSync(dir.join(`d${d}`));
    fs.writeFileSync(dir.join(`d${d}/f`), "x".repeat(d));
    fs.symlinkSync("f", dir.join(`d${d}/ln`));
    names.push(`d${d}/f`, `d${d}/ln`, `d${d}/missing`, `d${d}`);
  }
  names.push("nodir/f");
  const paths = names.map((n) => fromText(dir.join(n)));
  const look = () => paths.map((p) => [quickStat(p), lstatPath(p)]);
  const whole = look();
  const before = openFds();
  const release = holdDirFds();
  const held = look();
  assert.ok(openFds() > before, "directories are held open");
  assert.ok(openFds() <= before + 4, "at most four at a time");
  release();
  release(); // a second call does nothing
  assert.equal(openFds(), before);
  assert.deepEqual(held, whole);
  assert.throws(() => {
    const r = holdDirFds();
    try {
      quickStat(fromText(dir.join("d0/f/below")));
    } finally {
      r();
    }
  }, /ENOTDIR/);
  assert.equal(openFds(), before);
});

test("stats of byte paths that are not ASCII find the very file, up to the longest path (whole or held)", async () => {
  await initRuntime();
  await using dir = tempDir();
  // Byte paths (one char per byte) of UTF-8 names: a short one, and one of ~4,000 bytes with
  // many bytes ≥ 0x80, whose UTF-8 form (two bytes each) would not fit the reused ASCII buffer.
  const paths: BPath[] = [fromText(dir.join("café"))];
  let deep = dir.path;
  while (fromText(deep).length < 3700) {
    deep = `${deep}/${"é".repeat(60)}${"d".repeat(120)}`;
    fs.mkdirSync(deep);
  }
  paths.push(fromText(`${deep}/${"é".repeat(30)}`));
  for (const p of paths) fs.writeFileSync(toText(p), "x");
  const ino = (p: BPath) => String(fs.lstatSync(toText(p), { bigint: true }).ino);
  const look = () => paths.map((p) => quickStat(p)?.stamp.split(":")[0]);
  assert.ok(paths[1]!.length > 3700 && paths[1]!.length < 4096);
  assert.deepEqual(look(), paths.map(ino));
  const release = holdDirFds();
  try {
    assert.deepEqual(look(), paths.map(ino));
  } finally {
    release();
  }
});
