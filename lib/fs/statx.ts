/**
 * statx(2) through the libc handle (lib/fs/runtime.ts) and the decoding of struct statx
 * (linux/stat.h: the same layout on every architecture), for lib/fs/stat.ts (full stats,
 * with BigInts) and lib/fs/quick_stat.ts (stamps and keys as text, without BigInts where
 * the values fit). One buffer is reused: decode a result before the next call.
 *
 * While a run holds them (`holdDirFds`), a few directories are kept open and a path is
 * resolved from its directory's fd: the kernel then walks one name, not the whole path
 * (a third of each call on a long store path). Only a run that does not replace the
 * directories it stats may hold them; releasing closes them.
 */
import { fs } from "./sys.ts";
import { type BPath, fsPath } from "./bpath.ts";
import { errnoError } from "./errno.ts";
import { libcHandle } from "./runtime.ts";
import { cPath } from "./deno_libc.ts";
import { S_IF, S_IFMT } from "./linux.ts";

/** What a mode's type bits say a path is. */
export type Kind = "file" | "symlink" | "dir" | "other";

/** Offsets of the fields of struct statx this module's callers read (linux/stat.h). */
export const STX_UID = 20;
export const STX_GID = 24;
export const STX_MODE = 28;
export const STX_INO = 32;
export const STX_SIZE = 40;
export const STX_CTIME = 96;
export const STX_MTIME = 112;
const STX_DEV_MAJOR = 136;
const STX_DEV_MINOR = 140;

/** The last statx result. */
export const statxBuf = new Uint8Array(256);
/** `statxBuf`, for reading its fields. */
export const statxView = new DataView(statxBuf.buffer);

/** Whether statx of a path is available (the FFI is loaded: `initRuntime`). */
export function hasStatxPath(): boolean {
  return libcHandle()?.statxPath !== undefined;
}

/**
 * statx(2) of `path` (never following a symlink) into `statxBuf`; false when it does not
 * exist. Call only when `hasStatxPath()`.
 * @throws a system error (with `code`) for anything but ENOENT.
 */
export function statxPath(path: BPath): boolean {
  const libc = libcHandle()!;
  const cut = dirFds === undefined ? -1 : path.lastIndexOf("/");
  const fd = cut > 0 && cut < path.length - 1 ? dirFdOf(path, cut) : -1;
  const rc = fd >= 0
    ? libc.statxAt!(fd, cPath(path.slice(cut + 1)), statxBuf)
    : libc.statxPath!(cPath(path), statxBuf);
  return statxDone(rc, path);
}

/**
 * `statxPath` of name `name` in directory `dir`, without the path built when `dir` is
 * held open (the unchanged judgement stats three names per target so).
 * @throws a system error (with `code`) for anything but ENOENT.
 */
export function statxIn(dir: BPath, name: BPath): boolean {
  const fd = dirFds === undefined ? -1 : dirFdIs(dir);
  if (fd < 0) return statxPath(inDir(dir, name));
  return statxDone(libcHandle()!.statxAt!(fd, cPath(name), statxBuf), dir, name);
}

function inDir(dir: BPath, name: BPath): BPath {
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

/** A statx call's result: true, false for ENOENT, or the error thrown. */
function statxDone(rc: number, path: BPath, name?: BPath): boolean {
  if (rc === 0) return true;
  const errno = libcHandle()!.errno();
  if (errno === 2 /* ENOENT */) return false;
  throw errnoError("lstat", errno, name === undefined ? path : inDir(path, name));
}

/** Open directories (fd -1: could not be opened), while held; undefined when no run holds them. */
let dirFds: { dir: BPath; fd: number }[] | undefined;
let holders = 0;
/** The walk finishes a directory before the next: its own and its entry directory. */
const KEPT_DIR_FDS = 4;

/**
 * Keeps directories open for `statxPath` until the returned function is called (once).
 * Holders nest; the last release closes them.
 */
export function holdDirFds(): () => void {
  holders++;
  dirFds ??= [];
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--holders > 0 || dirFds === undefined) return;
    for (const d of dirFds) closeDirFd(d.fd);
    dirFds = undefined;
  };
}

/**
 * The open fd of the directory of `path` (its first `cut` bytes), opened now if needed; -1
 * when it cannot be opened. Held directories are found by comparing `path`'s prefix: no
 * string is cut or hashed per call.
 */
function dirFdOf(path: BPath, cut: number): number {
  for (const d of dirFds!) if (d.dir.length === cut && path.startsWith(d.dir)) return d.fd;
  return openDirFd(path.slice(0, cut));
}

/** `dirFdOf` of directory `dir` itself. */
function dirFdIs(dir: BPath): number {
  for (const d of dirFds!) if (d.dir === dir) return d.fd;
  return openDirFd(dir);
}

/** Opens `dir` and holds it, closing the one opened first when enough are held. */
function openDirFd(dir: BPath): number {
  const fds = dirFds!;
  let fd: number;
  try {
    fd = fs.openSync(fsPath(dir), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch (_e) {
    // Not there (yet) or not readable: its paths are stat'ed whole, which reports why.
    fd = -1;
  }
  if (fds.length >= KEPT_DIR_FDS) closeDirFd(fds.shift()!.fd);
  fds.push({ dir, fd });
  return fd;
}

function closeDirFd(fd: number): void {
  if (fd < 0) return;
  try {
    fs.closeSync(fd);
  } catch (_e) {
    // A directory fd only read from: nothing to lose in closing it.
  }
}

/** The kind `mode`'s type bits name. */
export function kindOfMode(mode: number): Kind {
  const t = mode & S_IFMT;
  return t === S_IF.REG ? "file" : t === S_IF.LNK ? "symlink" : t === S_IF.DIR ? "dir" : "other";
}

/** The statx timestamp at `off` of `statxBuf` in nanoseconds. */
export function statxNs(off: number): bigint {
  return statxView.getBigInt64(off, true) * 1_000_000_000n +
    BigInt(statxView.getUint32(off + 8, true));
}

/** The u64 at `off` of `statxBuf` as a number (sizes: below 2^53). */
export function u64Number(off: number): number {
  return statxView.getUint32(off + 4, true) * 2 ** 32 + statxView.getUint32(off, true);
}

/** The u64 at `off` of `statxBuf` as decimal text. */
export function u64Text(off: number): string {
  const hi = statxView.getUint32(off + 4, true);
  if (hi < 2 ** 21) return String(hi * 2 ** 32 + statxView.getUint32(off, true));
  return statxView.getBigUint64(off, true).toString();
}

/** The statx timestamp at `off` in nanoseconds, as decimal text (`statxNs`, as text). */
export function nsText(off: number): string {
  const hi = statxView.getInt32(off + 4, true);
  const sec = hi * 2 ** 32 + statxView.getUint32(off, true);
  const nsec = statxView.getUint32(off + 8, true);
  if (hi < 0 || hi >= 2 ** 20) return statxNs(off).toString();
  return sec === 0 ? String(nsec) : `${sec}${String(nsec).padStart(9, "0")}`;
}

/** glibc's makedev(3): how `st_dev` (and so `Stats.dev`) encodes a major and minor. */
function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) |
    (mi & 0xffn);
}

/** The device of `statxBuf` as `makedev` gives it (`Stats.dev`). */
export function devBigInt(): bigint {
  return makedev(
    statxView.getUint32(STX_DEV_MAJOR, true),
    statxView.getUint32(STX_DEV_MINOR, true),
  );
}

/** The device of `statxBuf` as `makedev`'s number, or -1 when it needs more than 32 bits. */
export function devNumber(): number {
  const major = statxView.getUint32(STX_DEV_MAJOR, true);
  const minor = statxView.getUint32(STX_DEV_MINOR, true);
  if (major >= 0x1000 || minor >= 0x100000) return -1;
  return (minor & 0xfff00) * 4096 + major * 256 + (minor & 0xff);
}

/** The device of `statxBuf` as `makedev` decimal text, without a BigInt when it fits. */
export function devText(): string {
  const dev = devNumber();
  return dev >= 0 ? String(dev) : devBigInt().toString();
}
