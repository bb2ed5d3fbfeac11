/**
 * The version cache of the store layout (lib/store/cache.ts) is only a cache: a missing,
 * corrupt or stale cache, or a sidecar changed behind its back, costs a read, never a
 * wrong "unchanged".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { posix } from "node:path";
import { makeTree, tempDir } from "../_helpers/helpers.ts";
import { settle, snapRun } from "../_helpers/entry_fixture.ts";

type Ev = Record<string, unknown>;
const run = async (dir: string, args: string[]): Promise<Ev[]> => (await snapRun(dir, args)).events;

const why = (events: Ev[]) =>
  Object.fromEntries(
    events.filter((e) => e.event === "saved" || e.event === "unchanged").map((
      e,
    ) => [posix.basename(String(e.path)), e.event === "saved" ? e.change : "unchanged"]),
  );

/** A tree of three files snapshotted into a store; the store image of t. */
async function stored(dir: { path: string; join(...p: string[]): string }) {
  const t = dir.join("t");
  makeTree(t, [
    { kind: "file", path: "a", content: "a" },
    { kind: "file", path: "b", content: "b" },
    { kind: "file", path: "c", content: "c" },
  ]);
  await settle();
  const store = dir.join("store");
  const first = await run(dir.path, [t, "--store", store]);
  const ts = first.find((e) => e.event === "summary")!.run as number;
  return { t, store, image: posix.join(store, t), ts };
}

test("snapshot --store keeps a version cache per entry directory, and a second run uses it", async () => {
  await using dir = tempDir();
  const { t, store, image } = await stored(dir);
  const cache = posix.join(image, ".snapyard-cache.snapyard.json");
  const written = JSON.parse(fs.readFileSync(cache, "utf8"));
  assert.deepEqual(Object.keys(written.entries).sort(), ["a", "b", "c"]);
  assert.deepEqual(why(await run(dir.path, [t, "--store", store])), {
    a: "unchanged",
    b: "unchanged",
    c: "unchanged",
  });
  // Nothing changed: the cache is not written again.
  assert.deepEqual(JSON.parse(fs.readFileSync(cache, "utf8")), written);
});

test("a corrupt or missing cache costs reads, never a wrong verdict", async () => {
  await using dir = tempDir();
  const { t, store, image } = await stored(dir);
  const cache = posix.join(image, ".snapyard-cache.snapyard.json");
  fs.writeFileSync(cache, '{"schema":"snapyard_cache.v1","entries":{"a":[1,2,3]');
  fs.appendFileSync(posix.join(t, "b"), "changed");
  assert.deepEqual(why(await run(dir.path, [t, "--store", store])), {
    a: "unchanged",
    b: "size",
    c: "unchanged",
  });
  fs.rmSync(cache);
  fs.appendFileSync(posix.join(t, "c"), "changed");
  const third = why(await run(dir.path, [t, "--store", store]));
  assert.deepEqual([third.a, third.c], ["unchanged", "size"]);
});

test("a sidecar broken behind the cache's back is not reused: the target is saved again", async () => {
  await using dir = tempDir();
  const { t, store, image, ts } = await stored(dir);
  // Same size, other bytes: only the sidecar's own stamp (ctime) tells.
  const sidecar = posix.join(image, `.a.snapyard.${ts}.bak.meta.json`);
  const text = fs.readFileSync(sidecar, "utf8");
  fs.writeFileSync(sidecar, text.replace('"file"', '"fil!"'));
  const cache = JSON.parse(
    fs.readFileSync(posix.join(image, ".snapyard-cache.snapyard.json"), "utf8"),
  );
  assert.ok(cache.entries.a, "the cache still holds a's version");
  assert.deepEqual(why(await run(dir.path, [t, "--store", store])), {
    a: "broken-entry",
    b: "unchanged",
    c: "unchanged",
  });
});

test("a cache that names an older entry than the newest (stale) is not used for it", async () => {
  await using dir = tempDir();
  const { t, store, image } = await stored(dir);
  const cachePath = posix.join(image, ".snapyard-cache.snapyard.json");
  const old = fs.readFileSync(cachePath);
  // A newer run of a with another state, then the old cache put back.
  fs.writeFileSync(posix.join(t, "a"), "a2 longer");
  await run(dir.path, [t, "--store", store]);
  fs.writeFileSync(cachePath, old);
  await settle();
  assert.deepEqual(why(await run(dir.path, [t, "--store", store])).a, "unchanged");
  // And a change back to the first state is a change against the newest entry.
  fs.writeFileSync(posix.join(t, "a"), "a");
  assert.deepEqual(why(await run(dir.path, [t, "--store", store])).a, "size");
});
