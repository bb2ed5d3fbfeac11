/**
 * fstat(2) and lstat(2) as snapyard needs them, with nanosecond times on every runtime.
 * On Deno, whose `node:fs` stats are slow and round times, both call statx(2) through the
 * libc handle lib/fs/runtime.ts loads (`initRuntime`) and decode struct statx; on Bun,
 * lstat does (its bigint lstat costs ~3× the call, once per target of an unchanged run).
 * Elsewhere, or before the handle is loaded, they read `node:fs` bigint stats.
 */
import type { BigIntStats, Stats } from "node:fs";
import { fs } from "./sys.ts";
import { type BPath, fsPath } from "./bpath.ts";
import { errnoError } from "./errno.ts";
import { libcHandle } from "./runtime.ts";
import {
  devBigInt,
  hasStatxPath,
  type Kind,
  kindOfMode,
  statxBuf,
  statxNs,
  statxPath,
  statxView,
  STX_CTIME,
  STX_GID,
  STX_INO,
  STX_MODE,
  STX_MTIME,
  STX_SIZE,
  STX_UID,
} from "./statx.ts";
import { S_IF, S_IFMT } from "./linux.ts";

/** What snapyard needs of fstat(2). */
export interface FdStat {
  isFile: boolean;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** The device, encoded as glibc's makedev() (as `Stats.dev`). */
  dev: bigint;
  ino: bigint;
  /** Whole milliseconds, as `BigIntStats.mtimeMs`. */
  mtimeMs: number;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/**
 * fstat(2) of `fd`: statx through the FFI on Deno, `node:fs` elsewhere.
 * @throws a system error (with `code`) when the call fails.
 */
export function fstatFd(fd: number): FdStat {
  const libc = libcHandle();
  if (libc?.statxFd === undefined) return fromNodeStats(fs.fstatSync(fd, { bigint: true }));
  if (libc.statxFd(fd, statxBuf) !== 0) throw errnoError("fstat", libc.errno());
  return fromStatx();
}

/** The FdStat of `node:fs` bigint stats (the path without FFI). */
function fromNodeStats(st: BigIntStats): FdStat {
  return {
    isFile: st.isFile(),
    mode: Number(st.mode),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: Number(st.size),
    dev: st.dev,
    ino: st.ino,
    mtimeMs: Number(st.mtimeMs),
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs,
  };
}

/** The stat in `statxBuf` (struct statx, linux/stat.h: the same on every architecture). */
function fromStatx(): FdStat {
  const mode = statxView.getUint16(STX_MODE, true);
  return {
    isFile: (mode & S_IFMT) === S_IF.REG,
    mode,
    uid: statxView.getUint32(STX_UID, true),
    gid: statxView.getUint32(STX_GID, true),
    size: Number(statxView.getBigUint64(STX_SIZE, true)),
    dev: devBigInt(),
    ino: statxView.getBigUint64(STX_INO, true),
    mtimeMs: Number(statxView.getBigInt64(STX_MTIME, true) * 1000n) +
      Math.floor(statxView.getUint32(STX_MTIME + 8, true) / 1e6),
    mtimeNs: statxNs(STX_MTIME),
    ctimeNs: statxNs(STX_CTIME),
  };
}

/** What snapyard needs of lstat(2), with nanosecond times on every runtime. */
export interface PathStat extends FdStat {
  kind: Kind;
}

/**
 * lstat(2) of `path` (never following a symlink), or undefined when it does not exist.
 * statx through the FFI on Deno (its `node:fs` rounds times) and Bun, `node:fs` elsewhere.
 * @throws a system error (with `code`) for anything but ENOENT.
 */
export function lstatPath(path: BPath): PathStat | undefined {
  if (!hasStatxPath()) {
    const st = fs.lstatSync(fsPath(path), { bigint: true, throwIfNoEntry: false });
    if (st === undefined) return undefined;
    return withKind(fromNodeStats(st));
  }
  return statxPath(path) ? withKind(fromStatx()) : undefined;
}

/** `st` as a PathStat: its kind added in place (a copy cost a tenth of an lstat on Deno). */
function withKind(st: FdStat): PathStat {
  const out = st as PathStat;
  out.kind = kindOfMode(st.mode);
  return out;
}

/**
 * The stamp of a file: its inode, size, mtime and ctime (ns) as decimal text, what any
 * rewrite or replacement of it moves (the version cache, lib/store/cache.ts, keys on it).
 */
export function stampText(st: Pick<FdStat, "ino" | "size" | "mtimeNs" | "ctimeNs">): string {
  return `${stampHead(st)}:${st.ctimeNs}`;
}

/**
 * A stamp without its ctime (`<ino>:<size>:<mtime_ns>`): what a rename leaves as it was,
 * so a file's writer can take it before the rename that commits the file.
 */
export function stampHead(st: Pick<FdStat, "ino" | "size" | "mtimeNs">): string {
  return `${st.ino}:${st.size}:${st.mtimeNs}`;
}

/**
 * `node:fs` lstat of `path` for a rule of thumb (how large a run may be, where a record
 * goes): undefined when it does not exist or cannot be looked at; whoever works on the
 * path itself reports why.
 */
export function lstatQuiet(path: BPath): Stats | undefined {
  try {
    return fs.lstatSync(fsPath(path), { throwIfNoEntry: false });
  } catch (_e) {
    // ENOTDIR, EACCES, ...: reported by the step that works on this path, not here.
    return undefined;
  }
}
