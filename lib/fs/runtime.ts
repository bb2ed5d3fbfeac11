/**
 * Everything that differs between Deno and Bun lives here, but for the file system calls
 * themselves (lib/fs/sys.ts).
 *
 * - `syncfs(2)` and `flock(2)` are not in `node:fs`; both runtimes reach libc through
 *   their FFI: on Deno the handle lib/fs/deno_libc.ts bound as it loaded, on Bun `bun:ffi`,
 *   opened lazily, once. Where FFI is unavailable, `syncFilesystem` falls back to `sync -f DIR`.
 * - Deno's `node:fs` fstat costs ~9 µs (Bun's ~0.5 µs), twice per file copied, and its
 *   bigint stats round mtime to milliseconds and ctime to seconds: on Deno the libc handle
 *   also binds statx(2), which lib/fs/stat.ts calls (~0.5 µs, nanoseconds exact).
 * - O_DIRECT needs a buffer at an aligned address; only the FFI can tell an address
 *   (`alignedBuffer`).
 * - Deno cannot address non-UTF-8 file names (it decodes them lossily); Bun can.
 * - Deno's directory reader decodes every name as UTF-8 (snapyard encodes it back): on Deno
 *   the handle also binds getdents64(2), and directories are listed through it
 *   (lib/fs/dirents.ts), ~2.5× faster. Bun's native reader is as fast as that; Bun keeps it.
 */
import type { Buffer } from "node:buffer";
import { fs } from "./sys.ts";
import { type BPath, fsPath, hasReplacementChar, useListing } from "./bpath.ts";
import { getdentsListing } from "./dirents.ts";
import { errnoError } from "./errno.ts";
import { type DenoLibc, denoLibc } from "./deno_libc.ts";

interface DenoFfi {
  dlopen(path: string, symbols: Record<string, { parameters: string[]; result: string }>): {
    symbols: Record<string, (...args: unknown[]) => unknown>;
  };
}

/** True when running on Deno. */
export const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
/** True when running on Bun. */
export const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
/** The runtime's name, for messages and benchmarks. */
export const runtimeName = isDeno ? "deno" : isBun ? "bun" : "node";

/** Whether this runtime can address file names that are not valid UTF-8. */
export const handlesNonUtf8Names = !isDeno;

/**
 * Whether `path`, built from a directory listing, names nothing this runtime can reach:
 * on Deno, a path showing U+FFFD that does not resolve, because the bytes on disk were
 * not UTF-8 and Deno decoded them lossily. A real U+FFFD (valid UTF-8) resolves. When
 * that cannot be told (EACCES, ...), the answer is yes: reported, never written.
 */
export function lossilyDecoded(path: BPath): boolean {
  if (handlesNonUtf8Names || !hasReplacementChar(path)) return false;
  try {
    return fs.lstatSync(fsPath(path), { throwIfNoEntry: false }) === undefined;
  } catch (_e) {
    return true;
  }
}

/**
 * Whether stderr is a terminal: Deno's own answer; on Bun isatty(3) through the FFI once
 * loaded (`initRuntime`), else node:tty, whose streams cost Bun ~25 ms, Deno ~55 ms to load.
 */
export function stderrIsTerminal(): boolean {
  if (isDeno) {
    return (globalThis as unknown as { Deno: { stderr: { isTerminal(): boolean } } }).Deno
      .stderr.isTerminal();
  }
  if (libc?.isatty !== undefined) return libc.isatty(2) === 1;
  return process.getBuiltinModule("node:tty").isatty(2);
}

/** The libc functions bound through the FFI. */
export interface Libc {
  syncfs(fd: number): number;
  flock(fd: number, op: number): number;
  errno(): number;
  /** isatty(3); Bun only (Deno asks its own streams). */
  isatty?: (fd: number) => number;
  /** The address of a buffer's first byte. */
  addressOf(b: Uint8Array): bigint;
  /** statx(2) of an open fd into `out` (256 bytes); Deno only (Bun's fstat is fast). */
  statxFd?: (fd: number, out: Uint8Array) => number;
  /** statx(2) of a NUL-terminated path, not following a symlink. */
  statxPath?: (path: Uint8Array, out: Uint8Array) => number;
  /** statx(2) of a NUL-terminated name in open directory `dirfd`, not following a symlink. */
  statxAt?: (dirfd: number, name: Uint8Array, out: Uint8Array) => number;
}

/** Deno's bindings, on the handle lib/fs/deno_libc.ts bound when it loaded. */
function denoBindings(s: DenoLibc): Libc {
  const emptyPath = new Uint8Array(1);
  return {
    statxFd: (fd, out) => s.statx(fd, emptyPath, AT_EMPTY_PATH, STATX_BASIC_STATS, out),
    statxPath: (path, out) => s.statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out),
    statxAt: (dirfd, name, out) =>
      s.statx(dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out),
    syncfs: (fd) => s.syncfs(fd),
    flock: (fd, op) => s.flock(fd, op),
    errno: () => s.errno(),
    addressOf: (b) => s.addressOf(b),
  };
}

/** On Deno, bound from the start (lib/fs/deno_fs.ts's fds are libc's own). */
let libc: Libc | null | undefined = isDeno && denoLibc ? denoBindings(denoLibc) : undefined;
let loaded = false;

/**
 * The libc bindings: undefined before `initRuntime` (on Deno, bound from the start), null
 * where there is no FFI. For the modules that call libc themselves (lib/fs/stat.ts).
 */
export function libcHandle(): Libc | null | undefined {
  return libc;
}

async function loadLibc(): Promise<Libc | null> {
  if (loaded) return libc ?? null;
  loaded = true;
  try {
    if (isDeno && denoLibc !== null) {
      const D = (globalThis as unknown as { Deno: DenoFfi }).Deno;
      useGetdents(() => {
        const g = D.dlopen("libc.so.6", {
          getdents64: { parameters: ["i32", "buffer", "usize"], result: "i32" },
        }).symbols.getdents64!;
        return (fd, buf, size) => g(fd, buf, size) as number;
      });
    } else if (isBun) {
      const spec = "bun:ffi"; // a variable, so Deno's type checker does not resolve it
      const ffi = await import(spec);
      const lib = ffi.dlopen("libc.so.6", {
        syncfs: { args: ["i32"], returns: "i32" },
        flock: { args: ["i32", "i32"], returns: "i32" },
        __errno_location: { args: [], returns: "ptr" },
        statx: { args: ["i32", "ptr", "i32", "u32", "ptr"], returns: "i32" },
        isatty: { args: ["i32"], returns: "i32" },
      });
      const s = lib.symbols;
      libc = {
        // Bun's own fstat is fast (~0.5 µs); its bigint lstat, per target of an unchanged
        // run, costs ~3× this call.
        statxPath: (path, out) =>
          s.statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out),
        statxAt: (dirfd, name, out) =>
          s.statx(dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out),
        syncfs: (fd) => s.syncfs(fd),
        flock: (fd, op) => s.flock(fd, op),
        isatty: (fd) => s.isatty(fd),
        errno: () => ffi.read.i32(s.__errno_location(), 0),
        addressOf: (b) => BigInt(ffi.ptr(b)),
      };
    } else {
      libc = null;
    }
  } catch (_e) {
    // No FFI (no permission, no glibc): callers fall back or report it.
    libc = null;
  }
  return libc ?? null;
}

/**
 * Lists directories through getdents64(2) from here on (lib/fs/dirents.ts), in the order and
 * with the names Deno's reader gave (sorted; a name that is not UTF-8 decoded lossily, as
 * Deno's `node:fs` could not reach it by its bytes). Bound in a handle of its own, so a libc without
 * it (glibc before 2.30) leaves the other bindings, and the runtime's reader, in place. The
 * result, an ssize_t, is read as i32: the low half of the register, exact for a 32 KiB buffer.
 */
function useGetdents(bind: () => (fd: number, buf: Uint8Array, size: number) => number): void {
  let call: (fd: number, buf: Uint8Array, size: number) => number;
  try {
    call = bind();
  } catch (_e) {
    // No getdents64 in this libc: the runtime's reader lists directories.
    return;
  }
  const getdents = (fd: number, buf: Uint8Array): number => {
    const n = call(fd, buf, buf.length);
    if (n < 0) throw errnoError("getdents64", libc!.errno());
    return n;
  };
  useListing(getdentsListing(getdents, { sorted: true, lossy: !handlesNonUtf8Names }));
}

const AT_EMPTY_PATH = 0x1000;
const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const STATX_BASIC_STATS = 0x7ff;

/**
 * A zeroed `size`-byte buffer whose address is a multiple of `align` (for O_DIRECT
 * writes), or undefined when the FFI cannot tell addresses. Call after `initRuntime`.
 */
export function alignedBuffer(size: number, align: number): Uint8Array | undefined {
  if (!libc) return undefined;
  const raw = new Uint8Array(size + align);
  const skip = Number((BigInt(align) - libc.addressOf(raw) % BigInt(align)) % BigInt(align));
  return raw.subarray(skip, skip + size);
}

/** Loads the FFI bindings; call once (per thread) before the functions that need them. */
export async function initRuntime(): Promise<void> {
  await loadLibc();
}

/**
 * Flushes the whole filesystem that `dir` lives on (syncfs(2) on an fd of `dir`).
 * @throws a system error (with `code`) when the flush fails.
 */
export function syncFilesystem(dir: string | Buffer): void {
  if (libc) {
    const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    try {
      if (libc.syncfs(fd) !== 0) throw errnoError("syncfs", libc.errno());
    } finally {
      fs.closeSync(fd);
    }
    return;
  }
  const { spawnSync } = process.getBuiltinModule("node:child_process");
  const r = spawnSync("sync", [
    "-f",
    typeof dir === "string" ? dir : new TextDecoder().decode(dir),
  ]);
  if (r.status !== 0) {
    const e = new Error(`sync -f failed: ${String(r.stderr ?? "").trim()}`) as Error & {
      code: string;
    };
    e.code = "EIO";
    throw e;
  }
}

/** flock(2) operations. */
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

/**
 * Tries `flock(fd, op)`; returns true when taken, false on EWOULDBLOCK/EINTR.
 * @throws a system error for anything else, or one saying what to allow without the FFI.
 */
export function tryFlock(fd: number, op: number): boolean {
  if (!libc) throw new Error("flock(2) needs the FFI: run Deno with --allow-ffi (or -A)");
  if (libc.flock(fd, op) === 0) return true;
  const errno = libc.errno();
  // EWOULDBLOCK (11): held by another process; EINTR (4): try again on the next poll.
  if (errno === 11 || errno === 4) return false;
  throw errnoError("flock", errno);
}
