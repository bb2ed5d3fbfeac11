/** Unit tests of lib/fs/statx.ts: stats resolved from held directory fds say what whole paths say. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { fromText } from "../../lib/fs/bpath.ts";
import { quickFileKey, quickStat } from "../../lib/fs/quick_stat.ts";
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
  const look = () => paths.map((p) => [quickStat(p), quickFileKey(p, false)]);
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
