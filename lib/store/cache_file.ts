/**
 * The version cache file of one entry directory (`.snapyard-cache.<tag>.json`, the rows of
 * lib/store/cache.ts): read with its rows unchecked, each row checked when it is used
 * (`versionIn`, or field by field by the quick judgement, lib/store/statx_judge.ts, through
 * `fileRowIn`), so an unchanged re-run builds no version object; written whole to a temp and
 * renamed (not flushed: losing it is never wrong).
 */
import { fs } from "../fs/sys.ts";
import { posix } from "../fs/posix.ts";
import { type BPath, fsPath } from "../fs/bpath.ts";
import { writeTempFile } from "../fs/atomic_write.ts";
import { readTextFile } from "../fs/read_text.ts";
import { CachedVersion, type Row, SCHEMA } from "./cache.ts";
import { cacheName } from "./layout.ts";
import type { RecordedFile } from "./statx_judge.ts";

/**
 * A cache as read: per name its row as parsed, checked only when used (`versionIn`, or the
 * fields lib/store/statx_judge.ts checks as it compares them), or a version put there.
 */
export type CacheRows = Map<BPath, unknown>;

/**
 * Reads the cache of `dir` for `tag`, rows unchecked; empty when missing or not usable.
 * Never throws: a cache that cannot be read is no cache.
 */
export function readCacheRows(dir: BPath, tag: string): CacheRows {
  const out: CacheRows = new Map();
  let raw: unknown;
  try {
    raw = JSON.parse(readTextFile(posix.join(dir, cacheName(tag))));
  } catch (_e) {
    // Missing, unreadable or torn: a cache miss for every name.
    return out;
  }
  const o = raw as { schema?: unknown; entries?: unknown };
  if (o?.schema !== SCHEMA || typeof o.entries !== "object" || o.entries === null) return out;
  const entries = o.entries as Record<string, unknown>;
  for (const name in entries) out.set(name, entries[name]);
  return out;
}

/** The version `rows` holds for `name`, when its row is of the right shape (`fromRow`). */
export function versionIn(rows: CacheRows, name: BPath): CachedVersion | undefined {
  const x = rows.get(name);
  return x instanceof CachedVersion ? x : CachedVersion.fromRow(x);
}

/**
 * What the quick judgement reads of the row `rows` holds for `name` when it is a file's
 * version at `ts` with a stamp: the stamp and the recorded fields, not checked here (the
 * comparison checks what it reads: lib/store/statx_judge.ts).
 */
export function fileRowIn(
  rows: CacheRows,
  name: BPath,
  ts: number,
): (RecordedFile & { stamp: string }) | undefined {
  return fileRowOf(rows.get(name), ts);
}

/** `fileRowIn` of one row as read, or of a version. */
export function fileRowOf(
  x: unknown,
  ts: number,
): (RecordedFile & { stamp: string }) | undefined {
  const r = x instanceof CachedVersion ? x.row() : x;
  if (!Array.isArray(r) || r.length !== 11 || r[0] !== ts || r[3] !== "file") return undefined;
  const stamp = r[1];
  if (typeof stamp !== "string") return undefined;
  return { stamp, size: r[4], mode: r[5], uid: r[6], gid: r[7], run: r[8], identity: r[9] };
}

/** Every version of the right shape in `rows`. */
export function versionsIn(rows: CacheRows): Map<BPath, CachedVersion> {
  const out = new Map<BPath, CachedVersion>();
  for (const name of rows.keys()) {
    const v = versionIn(rows, name);
    if (v !== undefined) out.set(name, v);
  }
  return out;
}

/** Reads the cache of `dir` for `tag`: each row of the right shape (`readCacheRows`). */
export function readCache(dir: BPath, tag: string): Map<BPath, CachedVersion> {
  return versionsIn(readCacheRows(dir, tag));
}

/**
 * Replaces the cache of `dir` with `versions` (temp, rename; no flush).
 * @throws the system error of the write or the rename (the temp is removed).
 */
export function writeCache(dir: BPath, tag: string, versions: Map<BPath, CachedVersion>): void {
  const entries: Record<string, Row> = {};
  for (const [name, v] of versions) entries[name] = v.row();
  // Byte names and link texts (one char per byte) round-trip through JSON.
  const text = JSON.stringify({ schema: SCHEMA, tag, entries });
  const final = posix.join(dir, cacheName(tag));
  const temp = writeTempFile(final, text);
  try {
    fs.renameSync(fsPath(temp), fsPath(final));
  } catch (e) {
    fs.rmSync(fsPath(temp), { force: true });
    throw e;
  }
}
