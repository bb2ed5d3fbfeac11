/**
 * The version cache of one entry directory: for each target name, its newest entry's TS
 * and sidecar as last read, stamped with the sidecar file's own stat, so an unchanged
 * target costs stats rather than a sidecar read and parse.
 *
 * It is only a cache: the entries stay the truth. A cached sidecar is used only when the
 * directory's newest sidecar for that name has the cached TS and the sidecar file still
 * has the cached stamp (inode, size, mtime and ctime to the nanosecond: any rewrite or
 * replacement moves the ctime), and it still passes the validating reader. A cache that
 * is missing, unreadable, corrupt or stale costs a read, never a wrong verdict. It is
 * written whole to a temp name and renamed (a crash leaves the old one or a temp, both
 * harmless); it is not flushed, since losing it is never wrong.
 */
import * as fs from "node:fs";
import { posix } from "node:path";
import { type BPath, fsPath } from "../fs/bpath.ts";
import { writeTempFile } from "../fs/atomic_write.ts";
import { stampText } from "../fs/stat.ts";
import { cacheName } from "./layout.ts";
import type { Sidecar } from "./sidecar.ts";
import { validateSidecar } from "./sidecar_reader.ts";

/** One cached newest entry: TS, the sidecar file's stamp, the sidecar. */
export interface CachedVersion {
  ts: number;
  stamp: string;
  sidecar: Sidecar;
}

/** The stamp of a sidecar file: what any change of it moves (lib/fs/stat.ts `stampText`). */
export const stampOf = stampText;

/**
 * Reads the cache of `dir` for `tag`; empty when missing or not usable.
 * Never throws: a cache that cannot be read is no cache.
 */
export function readCache(dir: BPath, tag: string): Map<BPath, CachedVersion> {
  const out = new Map<BPath, CachedVersion>();
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(fsPath(posix.join(dir, cacheName(tag))), "utf8"));
  } catch (_e) {
    // Missing, unreadable or torn: a cache miss for every name.
    return out;
  }
  const o = raw as { schema?: unknown; entries?: unknown };
  if (o?.schema !== "snapyard_cache.v1" || typeof o.entries !== "object" || o.entries === null) {
    return out;
  }
  for (const [name, v] of Object.entries(o.entries as Record<string, unknown>)) {
    if (!Array.isArray(v) || typeof v[0] !== "number" || typeof v[1] !== "string") continue;
    const s = validateSidecar(v[2]);
    if (s.ok) out.set(name, { ts: v[0], stamp: v[1], sidecar: s.sidecar });
  }
  return out;
}

/**
 * Replaces the cache of `dir` with `versions` (temp, rename; no flush).
 * @throws the system error of the write or the rename (the temp is removed).
 */
export function writeCache(dir: BPath, tag: string, versions: Map<BPath, CachedVersion>): void {
  const entries: Record<string, [number, string, Sidecar]> = {};
  for (const [name, v] of versions) entries[name] = [v.ts, v.stamp, v.sidecar];
  // Byte names (one char per byte) and sidecar text alike round-trip through JSON.
  const text = JSON.stringify({ schema: "snapyard_cache.v1", tag, entries });
  const final = posix.join(dir, cacheName(tag));
  const temp = writeTempFile(final, text);
  try {
    fs.renameSync(fsPath(temp), fsPath(final));
  } catch (e) {
    fs.rmSync(fsPath(temp), { force: true });
    throw e;
  }
}
