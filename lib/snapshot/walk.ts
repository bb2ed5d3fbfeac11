/**
 * Turns PATH arguments into targets, streaming.
 *
 * Each argument is classified by lstat: regular file, symlink (never followed),
 * absent (a tombstone target), directory (walked), or special (FIFO, socket, device:
 * skipped with a reason, never opened). Directories are walked depth-first with one
 * frame per level holding only that level's pending subdirectories, so memory grows
 * with depth × fan-out, never with the size of the tree. Our own entry and temp names,
 * excluded names (lib/snapshot/exclude.ts) and the store directory are never targets;
 * nor is what is inside a directory holding an `--exclude-if-present` name, or (with
 * `--one-file-system`) a directory on another device than its PATH. A directory PATH
 * that yields no target at all is reported as `empty`.
 */
import type { Stats } from "node:fs";
import { fs } from "../fs/sys.ts";
import { posix } from "../fs/posix.ts";
import {
  type BPath,
  type DirEntry,
  fsPath,
  hasReplacementChar,
  readDirents,
  toText,
} from "../fs/bpath.ts";
import { errnoOf, reasonOf } from "../errors.ts";
import type { Excludes } from "./exclude.ts";
import { isOwnName } from "../store/layout.ts";
import { lossilyDecoded } from "../fs/runtime.ts";

/** One thing the walk found. */
export type WalkItem =
  | { kind: "file" | "symlink" | "none"; path: BPath }
  | { kind: "skip"; path: BPath; reason: string }
  | { kind: "error"; path: BPath; reason: string }
  /** A directory was read (only with `listDirs`): before its items, every name in it. */
  | { kind: "dir"; path: BPath; rel: string; names: readonly BPath[] }
  /** A directory PATH that yielded no target (empty, or everything below it left out). */
  | { kind: "empty"; path: BPath };

/** What the walk must leave alone. */
export interface WalkOptions {
  exclude: Excludes;
  /** `--exclude-if-present`: a directory holding one of these names is not entered. */
  ifPresent?: ReadonlySet<string>;
  /** `--one-file-system`: do not enter a directory on another device than its PATH. */
  oneFileSystem?: boolean;
  /** `dev:ino` of directories never entered (the store). */
  skipDirs: ReadonlySet<string>;
  /** Also yield each directory read, with its names (deletions and entry lookup need them). */
  listDirs?: boolean;
}

function specialReason(st: { isFIFO(): boolean; isSocket(): boolean }): string {
  if (st.isFIFO()) return "is a FIFO (skipped, not opened)";
  if (st.isSocket()) return "is a socket (skipped, not opened)";
  return "is a device (skipped, not opened)";
}

const UNDECODABLE = "name is not valid UTF-8 and Deno cannot address it (use the Bun build)";

interface Frame {
  dir: BPath;
  /** The device of the PATH this directory is below. */
  dev: number;
  rel: string;
  subdirs: BPath[];
}

/** Yields the targets of `paths` (absolute byte paths), in walk order. */
export function* walkTargets(paths: readonly BPath[], opts: WalkOptions): Generator<WalkItem> {
  for (const root of paths) {
    const base = posix.basename(root);
    if (isOwnName(base)) {
      yield { kind: "skip", path: root, reason: "is a snapyard entry, not a target" };
      continue;
    }
    let st: Stats;
    try {
      st = fs.lstatSync(fsPath(root));
    } catch (e) {
      if (errnoOf(e) === "ENOENT") yield { kind: "none", path: root };
      else yield { kind: "error", path: root, reason: reasonOf(e) };
      continue;
    }
    if (st.isFile()) yield { kind: "file", path: root };
    else if (st.isSymbolicLink()) yield { kind: "symlink", path: root };
    else if (st.isDirectory()) {
      // The store given as a PATH: its lock file and entries are ours, never targets.
      if (opts.skipDirs.has(`${st.dev}:${st.ino}`)) {
        yield { kind: "skip", path: root, reason: "is the snapshot store, not a target" };
      } else {
        let found = false;
        for (const item of walkDir(root, st.dev, opts)) {
          found ||= item.kind !== "dir";
          yield item;
        }
        if (!found) yield { kind: "empty", path: root };
      }
    } else yield { kind: "skip", path: root, reason: specialReason(st) };
  }
}

function* walkDir(root: BPath, dev: number, opts: WalkOptions): Generator<WalkItem> {
  const stack: Frame[] = [{ dir: root, dev, rel: "", subdirs: [] }];
  let frame: Frame | undefined = stack[0];
  let readPending = true;
  while (frame !== undefined) {
    if (readPending) {
      readPending = false;
      yield* readOne(frame, opts);
    }
    const sub = frame.subdirs.pop();
    if (sub === undefined) {
      stack.pop();
      frame = stack[stack.length - 1];
      continue;
    }
    const name = posix.basename(sub);
    frame = {
      dir: sub,
      dev: frame.dev,
      rel: frame.rel === "" ? toText(name) : `${frame.rel}/${toText(name)}`,
      subdirs: [],
    };
    stack.push(frame);
    readPending = true;
  }
}

/** Whether `name` is in `entries` more than once (Deno decoded two names to one text). */
function listedTwice(name: BPath, entries: DirEntry[]): boolean {
  let same = 0;
  for (const d of entries) if ((d.name as BPath) === name) same++;
  return same > 1;
}

function* readOne(frame: Frame, opts: WalkOptions): Generator<WalkItem> {
  let entries: DirEntry[];
  try {
    entries = readDirents(frame.dir);
  } catch (e) {
    yield { kind: "error", path: frame.dir, reason: `cannot read directory: ${reasonOf(e)}` };
    return;
  }
  const marker = opts.ifPresent;
  if (marker !== undefined && marker.size > 0 && entries.some((d) => marker.has(toText(d.name)))) {
    return; // `--exclude-if-present`: nothing in here is a target, the marker neither.
  }
  if (opts.listDirs) {
    const names = entries.map((d) => d.name as BPath);
    yield { kind: "dir", path: frame.dir, rel: frame.rel, names };
  }
  for (const d of entries) {
    const name = d.name as BPath;
    const path = frame.dir === "/" ? `/${name}` : `${frame.dir}/${name}`;
    if (isOwnName(name)) continue;
    // Names that decoded to the same text are both unreachable (Bun lists exact bytes).
    if (lossilyDecoded(path) || (hasReplacementChar(name) && listedTwice(name, entries))) {
      yield { kind: "error", path, reason: UNDECODABLE };
      continue;
    }
    if (!opts.exclude.empty) {
      const textName = toText(name);
      const rel = frame.rel === "" ? textName : `${frame.rel}/${textName}`;
      if (opts.exclude.excludes(path, rel, textName)) continue;
    }
    let kind: "file" | "symlink" | "dir" | "special" | "unknown" = d.isFile()
      ? "file"
      : d.isSymbolicLink()
      ? "symlink"
      : d.isDirectory()
      ? "dir"
      : d.isFIFO() || d.isSocket() || d.isBlockDevice() || d.isCharacterDevice()
      ? "special"
      : "unknown";
    let st: Stats | undefined;
    const dirStat = kind === "dir" && (opts.skipDirs.size > 0 || opts.oneFileSystem === true);
    if (kind === "unknown" || kind === "special" || dirStat) {
      // d_type is unknown on some filesystems; lstat gives the kind (and dev:ino for dirs).
      try {
        st = fs.lstatSync(fsPath(path));
      } catch (e) {
        if (errnoOf(e) !== "ENOENT") yield { kind: "error", path, reason: reasonOf(e) };
        continue; // vanished since readdir: nothing to snapshot
      }
      kind = st.isFile()
        ? "file"
        : st.isSymbolicLink()
        ? "symlink"
        : st.isDirectory()
        ? "dir"
        : "special";
    }
    if (kind === "dir") {
      if (st !== undefined && opts.skipDirs.has(`${st.dev}:${st.ino}`)) continue;
      // `--one-file-system`: a mount point is listed, never entered.
      if (st !== undefined && opts.oneFileSystem === true && st.dev !== frame.dev) continue;
      frame.subdirs.push(path);
    } else if (kind === "special") {
      yield { kind: "skip", path, reason: specialReason(st!) };
    } else {
      yield { kind, path };
    }
  }
  // Pop order is reversed push order; reverse so subdirectories are visited in readdir order.
  frame.subdirs.reverse();
}
