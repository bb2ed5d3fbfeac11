/** Unit tests of lib/fs/read_text.ts: the text `readFileSync(path, "utf8")` gives, at any size. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { fromText } from "../../lib/fs/bpath.ts";
import { readTextFd, readTextFile } from "../../lib/fs/read_text.ts";
import { tempDir } from "../_helpers/helpers.ts";

test("readTextFile() gives readFileSync's UTF-8 text: empty, a BOM kept, non-ASCII, bad bytes, larger than its buffer", async () => {
  await using dir = tempDir();
  const contents: [string, Uint8Array][] = [
    ["empty", new Uint8Array()],
    ["bom", new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])],
    ["utf8", new TextEncoder().encode("é😀 \u00ff")],
    ["bad", new Uint8Array([0x61, 0xff, 0xc3, 0x62])],
    ["big", new TextEncoder().encode("ab€".repeat(100_000))],
    ["small-after-big", new TextEncoder().encode("x")],
  ];
  for (const [name, bytes] of contents) {
    fs.writeFileSync(dir.join(name), bytes);
    assert.equal(
      readTextFile(fromText(dir.join(name))),
      fs.readFileSync(dir.join(name), "utf8"),
      name,
    );
  }
  const fd = fs.openSync(dir.join("utf8"), "r");
  try {
    assert.equal(readTextFd(fd), "é😀 \u00ff");
  } finally {
    fs.closeSync(fd);
  }
  assert.throws(() => readTextFile(fromText(dir.join("missing"))), { code: "ENOENT" });
});
