/**
 * fstat(2) and lstat(2) as snapyard needs them, with nanosecond times on every runtime.
 * On Deno, whose `node:fs` stats are slow and round times, both call statx(2) through the
 * libc handle lib/fs/runtime.ts loads (`initRuntime`) and decode struct statx; on Bun,
 * lstat does (its bigint lstat costs ~3× the call, once per target of an unchanged run).
 * Elsewhere, or before the handle is loaded, they read `node:fs` bigint stats.
 */
import { Buffer } from "node:buffer";
import * as fs from "node:fs";
import { type BPath, fsPath } from "./bpath.ts";
import { errnoError, libcHandle } from "./runtime.ts";

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

/** What snapyard needs of fstat(2). */
export interface FdStat {
  isFile: boolean;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** The device, encoded as glibc's makedev() (as `fs.Stats.dev`). */
  dev: bigint;
  ino: bigint;
  /** Whole milliseconds, as `fs.BigIntStats.mtimeMs`. */
  mtimeMs: number;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

const statxBuf = new Uint8Array(256);
const statxView = new DataView(statxBuf.buffer);

/** A statx timestamp (at `off`) in nanoseconds. */
function statxNs(off: number): bigint {
  return statxView.getBigInt64(off, true) * 1_000_000_000n +
    BigInt(statxView.getUint32(off + 8, true));
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
function fromNodeStats(st: fs.BigIntStats): FdStat {
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
  const mode = statxView.getUint16(28, true);
  return {
    isFile: (mode & S_IFMT) === S_IFREG,
    mode,
    uid: statxView.getUint32(20, true),
    gid: statxView.getUint32(24, true),
    size: Number(statxView.getBigUint64(40, true)),
    dev: makedev(statxView.getUint32(136, true), statxView.getUint32(140, true)),
    ino: statxView.getBigUint64(32, true),
    mtimeMs: Number(statxView.getBigInt64(112, true) * 1000n) +
      Math.floor(statxView.getUint32(120, true) / 1e6),
    mtimeNs: statxNs(112),
    ctimeNs: statxNs(96),
  };
}

/** glibc's makedev(3): how `st_dev` (and so `fs.Stats.dev`) encodes a major and minor. */
function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) |
    (mi & 0xffn);
}

/** What snapyard needs of lstat(2), with nanosecond times on every runtime. */
export interface PathStat extends FdStat {
  kind: "file" | "symlink" | "dir" | "other";
}

const ASCII_ONLY = /^[ -~]*$/;
const cPathBuf = new Uint8Array(4097);
const asciiEncoder = new TextEncoder();

/**
 * `path` NUL-terminated for a libc call: a printable-ASCII path (the common case) is encoded into
 * one reused buffer (a Buffer per call cost a third of an unchanged run's stats on Deno);
 * any other byte path gets its own.
 */
function cPath(path: BPath): Uint8Array {
  if (path.length < cPathBuf.length && ASCII_ONLY.test(path)) {
    const n = asciiEncoder.encodeInto(path, cPathBuf).written;
    cPathBuf[n] = 0;
    return cPathBuf;
  }
  return Buffer.from(path + "\0", "latin1");
}

function kindOfMode(mode: number): PathStat["kind"] {
  const t = mode & S_IFMT;
  return t === S_IFREG ? "file" : t === S_IFLNK ? "symlink" : t === S_IFDIR ? "dir" : "other";
}

/**
 * lstat(2) of `path` (never following a symlink), or undefined when it does not exist.
 * statx through the FFI on Deno (its `node:fs` rounds times) and Bun, `node:fs` elsewhere.
 * @throws a system error (with `code`) for anything but ENOENT.
 */
export function lstatPath(path: BPath): PathStat | undefined {
  const libc = libcHandle();
  if (libc?.statxPath === undefined) {
    const st = fs.lstatSync(fsPath(path), { bigint: true, throwIfNoEntry: false });
    if (st === undefined) return undefined;
    return withKind(fromNodeStats(st));
  }
  if (libc.statxPath(cPath(path), statxBuf) !== 0) {
    const errno = libc.errno();
    if (errno === 2 /* ENOENT */) return undefined;
    throw errnoError("lstat", errno, path);
  }
  return withKind(fromStatx());
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
  return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** What `quickStat` gives: the kind, the size and the stamp of a path. */
export interface QuickStat {
  kind: PathStat["kind"];
  size: number;
  stamp: string;
}

/**
 * `lstatPath` reduced to kind, size and `stampText`, built from struct statx without
 * BigInts where the values fit (an unchanged run looks so at two files per target: the
 * newest entry's sidecar and payload); undefined when `path` does not exist.
 * @throws a system error (with `code`) for anything but ENOENT.
 */
export function quickStat(path: BPath): QuickStat | undefined {
  const libc = libcHandle();
  if (libc?.statxPath === undefined) {
    const st = lstatPath(path);
    return st === undefined ? undefined : { kind: st.kind, size: st.size, stamp: stampText(st) };
  }
  if (libc.statxPath(cPath(path), statxBuf) !== 0) {
    const errno = libc.errno();
    if (errno === 2 /* ENOENT */) return undefined;
    throw errnoError("lstat", errno, path);
  }
  const size = u64Number(40);
  const ino = u64Text(32);
  return {
    kind: kindOfMode(statxView.getUint16(28, true)),
    size,
    stamp: `${ino}:${size}:${nsText(112)}:${nsText(96)}`,
  };
}

/** The u64 at `off` of `statxBuf` as a number (sizes: below 2^53). */
function u64Number(off: number): number {
  return statxView.getUint32(off + 4, true) * 2 ** 32 + statxView.getUint32(off, true);
}

/** The u64 at `off` of `statxBuf` as decimal text. */
function u64Text(off: number): string {
  const hi = statxView.getUint32(off + 4, true);
  if (hi < 2 ** 21) return String(hi * 2 ** 32 + statxView.getUint32(off, true));
  return statxView.getBigUint64(off, true).toString();
}

/** The statx timestamp at `off` in nanoseconds, as decimal text (`statxNs`, as text). */
function nsText(off: number): string {
  const hi = statxView.getInt32(off + 4, true);
  const sec = hi * 2 ** 32 + statxView.getUint32(off, true);
  const nsec = statxView.getUint32(off + 8, true);
  if (hi < 0 || hi >= 2 ** 20) return statxNs(off).toString();
  return sec === 0 ? String(nsec) : `${sec}${String(nsec).padStart(9, "0")}`;
}

/**
 * `node:fs` lstat of `path` for a rule of thumb (how large a run may be, where a record
 * goes): undefined when it does not exist or cannot be looked at; whoever works on the
 * path itself reports why.
 */
export function lstatQuiet(path: BPath): fs.Stats | undefined {
  try {
    return fs.lstatSync(fsPath(path), { throwIfNoEntry: false });
  } catch (_e) {
    // ENOTDIR, EACCES, ...: reported by the step that works on this path, not here.
    return undefined;
  }
}
