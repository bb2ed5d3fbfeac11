/**
 * What a reading command selects: the targets its PATHs name (a directory, on disk or as
 * its image in the store, selects every target below it; any other PATH is one target),
 * each once, and the entry `--at` picks of each. Steps: per PATH, decide file or tree, scan
 * (lib/store/entries.ts) the target or every entry directory of the tree one at a time,
 * drop repeats, then `selectEntry` per target.
 */
import { fs } from "../fs/sys.ts";
import { posix } from "../fs/posix.ts";
import { type BPath, type DirEntry, fsPath, readDirents, toText } from "../fs/bpath.ts";
import { errnoOf, reasonOf } from "../errors.ts";
import { type EntryRef, scanEntryDir, scanTarget, type TargetScan } from "./entries.ts";
import { entryDir } from "./layout.ts";

/** `--at`: which entry a reading command selects. */
export type AtSpec = { kind: "latest" } | { kind: "previous" } | { kind: "ts"; ts: number };

/** A problem met while collecting (an unreadable directory): reported, not fatal. */
export type CollectError = { path: BPath; reason: string };

/**
 * The targets selected by PATHs: a PATH that is a directory (on disk or, with
 * `--store`, in the store) selects every target below it that has files of `tag`;
 * any other PATH is one target. Streams one directory at a time. Targets with no
 * files at all are yielded too (empty scans) for explicit non-directory PATHs only.
 */
export function* collectTargets(
  paths: readonly BPath[],
  tag: string,
  store: BPath | undefined,
  onError: (e: CollectError) => void,
): Generator<TargetScan> {
  for (const path of paths) {
    const where = entriesOf(path, store);
    if (where.kind === "target") yield scanTarget(path, tag, store);
    else if (where.kind === "tree") yield* scanTree(where.root, tag, store, onError);
  }
}

/**
 * Where the entries of a PATH live: below a directory (the PATH itself, or with `store` its
 * image there) to walk, or those of one target (any other PATH), or none (a directory on
 * disk with no image in the store has no entries: nothing to report).
 */
export function entriesOf(
  path: BPath,
  store: BPath | undefined,
): { kind: "tree"; root: BPath } | { kind: "target" } | { kind: "none" } {
  const storeDir = store === undefined ? undefined : posix.join(store, path);
  const onDisk = isDir(path);
  const inStore = storeDir !== undefined && isDir(storeDir);
  if (!onDisk && !inStore) return { kind: "target" };
  if (storeDir !== undefined && !inStore) return { kind: "none" };
  return { kind: "tree", root: storeDir ?? path };
}

/**
 * The directories at and below `root`, depth first, each with its listing; one that cannot
 * be read goes to `onError` and the walk goes on. `byName`: subdirectories are visited in
 * name order (else in the reverse of listing order).
 */
export function* walkDirs(
  root: BPath,
  onError: (e: CollectError) => void,
  byName: boolean,
): Generator<{ dir: BPath; dirents: DirEntry[] }> {
  const stack: BPath[] = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let dirents: DirEntry[];
    try {
      dirents = readDirents(dir);
    } catch (e) {
      onError({ path: dir, reason: `cannot read directory: ${reasonOf(e)}` });
      continue;
    }
    yield { dir, dirents };
    const subdirs: BPath[] = [];
    for (const d of dirents) if (d.isDirectory()) subdirs.push(posix.join(dir, d.name as BPath));
    if (byName) subdirs.sort().reverse();
    for (const s of subdirs) stack.push(s);
  }
}

/** Every target with files of `tag` in the whole store (or below `root`). */
export function* scanTree(
  root: BPath,
  tag: string,
  store: BPath | undefined,
  onError: (e: CollectError) => void,
): Generator<TargetScan> {
  for (const { dir, dirents } of walkDirs(root, onError, true)) {
    const names = dirents.map((d) => d.name as BPath);
    yield* scanEntryDir(dir, tag, store, names).sort((
      a,
      b,
    ) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** The entry `at` selects (among entries with a sidecar, newest first), or undefined. */
export function selectEntry(scan: TargetScan, at: AtSpec): EntryRef | undefined {
  if (at.kind === "latest") return scan.entries[0];
  if (at.kind === "previous") return scan.entries[1];
  return scan.entries.find((e) => e.ts <= at.ts);
}

/**
 * `scans` without repeats: a target selected twice (a file PATH inside a directory
 * PATH, or a PATH given twice) is yielded once, the first time.
 */
export function* distinctTargets(scans: Iterable<TargetScan>): Generator<TargetScan> {
  const seen = new Set<BPath>();
  for (const scan of scans) {
    if (seen.has(scan.target)) continue;
    seen.add(scan.target);
    yield scan;
  }
}

function isDir(p: BPath): boolean {
  try {
    return fs.lstatSync(fsPath(p)).isDirectory();
  } catch (e) {
    if (errnoOf(e) === "ENOENT" || errnoOf(e) === "ENOTDIR") return false;
    throw e;
  }
}

/**
 * Where the entries of PATH `p` are looked for: beside it (its entry directory), and below
 * it when it is a directory; what a "no entry" message names.
 */
export function searchedDirs(p: BPath, store: BPath | undefined): BPath[] {
  const dirs = [entryDir(p, store)];
  if (fs.statSync(fsPath(p), { throwIfNoEntry: false })?.isDirectory()) {
    dirs.push(store === undefined ? p : posix.join(store, p));
  }
  return dirs;
}

/** `searchedDirs` as text for a message: `"/a" and below "/a/b"`. */
export function searchedText(p: BPath, store: BPath | undefined): string {
  return searchedDirs(p, store).map((d) => `"${toText(d)}"`).join(" and below ");
}
