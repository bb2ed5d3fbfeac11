/**
 * Unit tests of lib/snapshot/versions.ts: what the version cache keeps of the entries a run
 * committed, stamped when the caches are written.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { fromText } from "../../lib/fs/bpath.ts";
import { initRuntime } from "../../lib/fs/runtime.ts";
import { readCache } from "../../lib/store/cache.ts";
import { sidecarName } from "../../lib/store/layout.ts";
import type { Sidecar } from "../../lib/store/sidecar.ts";
import { Versions } from "../../lib/snapshot/versions.ts";
import { tempDir } from "../_helpers/helpers.ts";

const SIDECAR: Sidecar = { schema: "backup_meta.v3", prior_kind: "none", run: 1 };

test("Versions.writeCaches() caches a committed entry, not one whose sidecar changed after its commit", async () => {
  await initRuntime();
  await using dir = tempDir();
  const d = fromText(dir.path);
  const versions = new Versions("snapyard", fromText(dir.join("store")));
  for (const name of ["kept", "changed", "gone"]) {
    const path = fromText(dir.join(sidecarName(name, "snapyard", 7)));
    fs.writeFileSync(path, "{}");
    versions.remember(d, name, 7, SIDECAR, path);
  }
  // Rewritten by another program after its commit: a later ctime (the clock is ms).
  await new Promise((r) => setTimeout(r, 20));
  fs.writeFileSync(dir.join(sidecarName("changed", "snapyard", 7)), "{}");
  fs.rmSync(dir.join(sidecarName("gone", "snapyard", 7)));
  versions.writeCaches();
  const cache = readCache(d, "snapyard");
  assert.deepEqual([...cache.keys()], ["kept"]);
  assert.equal(cache.get("kept")!.ts, 7);
  assert.deepEqual(cache.get("kept")!.sidecar, SIDECAR);
});
