/**
 * What each target's newest version is, for incremental runs: the entry-directory
 * indexes of one run (lib/snapshot/entry_dir_index.ts judges each target), the version
 * caches they fill and write back (each once the run has left its directory and the entries
 * it expected there are committed, the rest at the end), and the targets that vanished
 * since their last entry.
 */
import { posix } from "../fs/posix.ts";
import { type BPath, joinName } from "../fs/bpath.ts";
import { type QuickStat, quickStat } from "../fs/quick_stat.ts";
import { CachedVersion } from "../store/cache.ts";
import { sidecarName } from "../store/layout.ts";
import { type CacheRows, readCache, versionsIn, writeCache } from "../store/cache_file.ts";
import { EntryDirIndex } from "./entry_dir_index.ts";
import type { SavedEntry } from "./staging.ts";

export { EntryDirIndex, type Verdict, type VersionOptions } from "./entry_dir_index.ts";

/**
 * The version of `c`, an entry of tag `tag` this run committed: stamped with the stamp head
 * its writer took, else with an lstat of its sidecar now (undefined when that fails), and the
 * clock after its commit as the latest ctime the file may have (lib/store/cache.ts
 * `CachedVersion.committed`).
 */
function stamped(c: SavedEntry, tag: string): CachedVersion | undefined {
  let head = c.stamp;
  if (head === undefined) {
    let st: QuickStat | undefined;
    try {
      st = quickStat(joinName(c.dir, sidecarName(c.name, tag, c.ts)));
    } catch (_e) {
      // Cannot be looked at: left out of the cache.
      return undefined;
    }
    if (st === undefined) return undefined;
    head = st.stamp.slice(0, st.stamp.lastIndexOf(":"));
  }
  return CachedVersion.committed(c.ts, head, c.at, c.facts);
}

/** How many directories written early are remembered (`Versions.#writeEarly`). */
const EARLY_KEPT = 4096;

/** How many entry directories' indexes are kept (the walk finishes one directory before the next). */
const KEPT_INDEXES = 4;

/**
 * The entry-directory indexes of one run: built from the walk's own listing in the
 * beside layout (the entry directory is the target's directory), read from the store
 * otherwise; a few are kept, since the walk finishes one directory before the next.
 */
export class Versions {
  readonly #tag: string;
  readonly #store: BPath | undefined;
  readonly #indexes = new Map<BPath, EntryDirIndex>();
  /**
   * The caches of dropped indexes whose directories have versions to write, or that were
   * read empty (a directory a first run has not made yet, most often): not read again.
   */
  readonly #dropped = new Map<BPath, CacheRows>();
  /**
   * Versions to write into each entry directory's cache, not written yet: sidecars read,
   * entries committed. Kept apart from the indexes, so an entry committed after its
   * directory's index was dropped costs no second listing of that directory.
   */
  readonly #updates = new Map<BPath, Map<BPath, CachedVersion | SavedEntry>>();
  /** Per entry directory, the entries expected (`expect`) and not yet committed. */
  readonly #pending = new Map<BPath, number>();
  /** The entry directory whose targets the run judges now. */
  #current: BPath | undefined;
  /** Entry directories whose cache was written before the end of the run. */
  readonly #early = new Set<BPath>();

  constructor(tag: string, store: BPath | undefined) {
    this.#tag = tag;
    this.#store = store;
  }

  /**
   * The index of entry directory `dir`; `names` when the caller listed it already.
   * @throws the system error when `dir` exists but cannot be read.
   */
  of(dir: BPath, names?: readonly BPath[]): EntryDirIndex {
    if (dir !== this.#current) this.#enter(dir);
    let index = this.#indexes.get(dir);
    if (index === undefined) {
      index = names === undefined
        ? EntryDirIndex.read(dir, this.#tag)
        : new EntryDirIndex(dir, this.#tag, names);
      index.caching = this.#store !== undefined;
      index.onDirty = (name, v) => this.#note(dir, name, v);
      if (this.#indexes.size >= KEPT_INDEXES) this.#dropOldest();
      this.#indexes.set(dir, index);
    }
    return index;
  }

  /**
   * Records an entry this run just committed (renamed) for its directory's cache: its
   * sidecar as written, stamped when the cache is written (`stamped`), with the clock after
   * its rename as the latest ctime its file may have. Called in the store layout only: in the beside
   * layout a cache would be one more file in the operator's directories.
   */
  remember(saved: SavedEntry): void {
    const dir = saved.dir;
    this.#note(dir, saved.name, saved);
    // Not `expect`ed: written with the rest, at the end.
    const pending = this.#pending.get(dir);
    if (pending === undefined) return;
    if (pending > 1) this.#pending.set(dir, pending - 1);
    else {
      this.#pending.delete(dir);
      if (dir !== this.#current) this.#writeEarly(dir);
    }
  }

  /**
   * An entry will be written into `dir` (to be `remember`ed when committed): its cache waits
   * for it. Store layout only.
   */
  expect(dir: BPath): void {
    if (this.#store !== undefined) this.#pending.set(dir, (this.#pending.get(dir) ?? 0) + 1);
  }

  /**
   * The run judges targets of entry directory `dir` now. The one it leaves gets its cache
   * written at once when nothing is pending there: during the run, while the workers copy,
   * rather than all at the end. (A directory judged again later, as with two PATHs in one
   * directory, is written again at the end.)
   */
  #enter(dir: BPath): void {
    const left = this.#current;
    this.#current = dir;
    if (left !== undefined && !this.#pending.has(left)) this.#writeEarly(left);
  }

  /**
   * Writes the cache of `dir` before the end of the run, the first time only: a directory the
   * run comes back to again and again (PATHs given in no order) is written once more, at the end.
   */
  #writeEarly(dir: BPath): void {
    if (this.#early.has(dir) || !this.#updates.has(dir)) return;
    // Only the last few thousand are remembered, so memory stays bounded: a directory left
    // long ago and come back to is written early once more.
    if (this.#early.size >= EARLY_KEPT) this.#early.clear();
    this.#early.add(dir);
    this.#write(dir);
  }

  #note(dir: BPath, name: BPath, v: CachedVersion | SavedEntry): void {
    let updates = this.#updates.get(dir);
    if (updates === undefined) this.#updates.set(dir, updates = new Map());
    updates.set(name, v);
  }

  /** Writes the cache of every entry directory whose versions changed and are not written yet. */
  writeCaches(): void {
    for (const dir of [...this.#updates.keys()]) this.#write(dir);
    this.#pending.clear();
    this.#early.clear();
    this.#dropped.clear();
  }

  /**
   * Writes the cache of entry directory `dir` when its versions changed this run: its cache
   * as it was (read once), with this run's versions over it. What was read of the
   * directory is older than the cache from then on: a later look reads it again.
   */
  #write(dir: BPath): void {
    const updates = this.#updates.get(dir);
    if (updates === undefined) return;
    const rows = this.#indexes.get(dir)?.cache() ?? this.#dropped.get(dir);
    const versions = rows === undefined ? readCache(dir, this.#tag) : versionsIn(rows);
    for (const [name, v] of updates) {
      const version = v instanceof CachedVersion ? v : stamped(v, this.#tag);
      // An entry that cannot be stamped is not cached: the next run reads its sidecar.
      if (version === undefined) versions.delete(name);
      else versions.set(name, version);
    }
    try {
      writeCache(dir, this.#tag, versions);
    } catch (_e) {
      // Only a cache: a directory without one costs the next run sidecar reads.
    }
    this.#updates.delete(dir);
    this.#indexes.delete(dir);
    this.#dropped.delete(dir);
  }

  /**
   * Drops the index read first; its cache, when read and its directory has versions to
   * write or when it was empty, is kept for `writeCaches` (not read twice).
   */
  #dropOldest(): void {
    const [dir, index] = this.#indexes.entries().next().value!;
    this.#indexes.delete(dir);
    const cache = index.cacheIfRead();
    // Beside the targets there is no cache to write: nothing kept (memory stays bounded).
    if (this.#store === undefined || cache === undefined) return;
    if (cache.size === 0 || this.#updates.has(dir)) this.#dropped.set(dir, cache);
  }

  /**
   * Targets that had entries under directory `path` (just listed by the walk: `names`)
   * and are gone: names with entries that are no longer in it, and in the store layout
   * every target below an image of a subdirectory that is no longer in it. A name that
   * is still there in any form (excluded, a directory now, unreadable) is not gone.
   * @throws the system error when an entry directory cannot be read.
   */
  *vanished(
    path: BPath,
    names: readonly BPath[],
  ): Generator<{ target: BPath; index: EntryDirIndex }> {
    const here = new Set(names);
    const storeImage = this.#store === undefined ? undefined : posix.join(this.#store, path);
    const index = storeImage === undefined ? this.of(path, names) : this.of(storeImage);
    const gone: BPath[] = [];
    for (const name of index.names()) if (!here.has(name)) gone.push(name);
    // In name order, whatever order the directory listed them in.
    for (const name of gone.sort()) yield { target: posix.join(path, name), index };
    if (storeImage === undefined) return;
    for (const sub of index.subdirs) {
      if (!here.has(sub)) yield* this.#below(posix.join(path, sub), posix.join(storeImage, sub));
    }
  }

  /** Every target with entries in store image `image` of the gone directory `path`. */
  *#below(path: BPath, image: BPath): Generator<{ target: BPath; index: EntryDirIndex }> {
    const index = EntryDirIndex.read(image, this.#tag);
    for (const name of [...index.names()].sort()) yield { target: posix.join(path, name), index };
    for (const sub of index.subdirs) {
      yield* this.#below(posix.join(path, sub), posix.join(image, sub));
    }
  }
}
