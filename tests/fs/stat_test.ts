/** Unit tests of lib/fs/stat.ts: `quickStat` says what `lstatPath` says, without BigInts. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { fromText } from "../../lib/fs/bpath.ts";
import { initRuntime } from "../../lib/fs/runtime.ts";
import { quickKindSize, quickStat } from "../../lib/fs/quick_stat.ts";
import {
  holdDirFds,
  nsText,
  statxIn,
  statxView,
  STX_MODE,
  STX_MTIME,
  STX_SIZE,
  u64Number,
} from "../../lib/fs/statx.ts";
import { lstatPath, stampText } from "../../lib/fs/stat.ts";
import { tempDir } from "../_helpers/helpers.ts";

test("quickStat() and quickKindSize() give lstatPath()'s kind, size and stamp for files, symlinks, directories, any times", async () => {
  await initRuntime();
  await using dir = tempDir();
  fs.writeFileSync(dir.join("f"), "x".repeat(5000));
  fs.writeFileSync(dir.join("old"), "y");
  fs.utimesSync(dir.join("old"), -86_400 * 400 - 0.5, -86_400 * 400 - 0.25); // before 1970
  fs.writeFileSync(dir.join("epoch"), "");
  fs.utimesSync(dir.join("epoch"), 0.000_001, 0.000_001); // second 0 of 1970
  fs.writeFileSync(dir.join("far"), "z");
  fs.utimesSync(dir.join("far"), 4_000_000_000.123, 4_000_000_000.123); // after 2038
  fs.symlinkSync("f", dir.join("ln"));
  fs.mkdirSync(dir.join("d"));
  for (const name of ["f", "old", "epoch", "far", "ln", "d"]) {
    const p = fromText(dir.join(name));
    const full = lstatPath(p)!;
    assert.deepEqual(
      quickStat(p),
      { kind: full.kind, size: full.size, stamp: stampText(full) },
      name,
    );
    assert.deepEqual(quickKindSize(p), { kind: full.kind, size: full.size }, name);
  }
  assert.equal(quickStat(fromText(dir.join("missing"))), undefined);
  assert.equal(quickKindSize(fromText(dir.join("missing"))), undefined);
  assert.throws(() => quickStat(fromText(dir.join("f/below"))), /ENOTDIR/);
});

test("statxIn() of a name in a held directory, or not held, reads what lstatPath() reads", async () => {
  await initRuntime();
  await using dir = tempDir();
  fs.writeFileSync(dir.join("f"), "x".repeat(5000));
  fs.chmodSync(dir.join("f"), 0o4751);
  fs.writeFileSync(dir.join("old"), "y");
  fs.utimesSync(dir.join("old"), -86_400 * 400 - 0.5, -86_400 * 400 - 0.25); // before 1970
  fs.writeFileSync(dir.join("far"), "z");
  fs.utimesSync(dir.join("far"), 4_000_000_000.123, 4_000_000_000.123); // after 2038
  fs.symlinkSync("f", dir.join("ln"));
  const d = fromText(dir.path);
  const look = () =>
    ["f", "old", "far", "ln", "missing"].map((name) =>
      statxIn(d, name)
        ? [name, statxView.getUint16(STX_MODE, true), u64Number(STX_SIZE), nsText(STX_MTIME)]
        : [name]
    );
  const expected = ["f", "old", "far", "ln", "missing"].map((name) => {
    const st = lstatPath(fromText(dir.join(name)));
    return st === undefined ? [name] : [name, st.mode, st.size, String(st.mtimeNs)];
  });
  assert.deepEqual(look(), expected);
  const release = holdDirFds();
  try {
    assert.deepEqual(look(), expected);
  } finally {
    release();
  }
  assert.throws(() => statxIn(fromText(dir.join("f")), "below"), /ENOTDIR/);
});
