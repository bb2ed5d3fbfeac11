/**
 * Deno's libc handle: every libc function snapyard calls on Deno, bound once, when this
 * module loads, through Deno's FFI (one `dlopen`: ~3 ms, then ~0.2 ms a symbol). null on
 * another runtime, or where the FFI is not allowed; callers then use `node:fs`.
 *
 * lib/fs/deno_fs.ts builds the file system calls of lib/fs/sys.ts on it, and
 * lib/fs/runtime.ts its statx, syncfs and flock: one handle, bound before the first call
 * of a command (Deno's `node:fs` costs every start ~45 ms; docs/benchmarking.md).
 */
/** The Deno FFI API this module uses (Deno's own types are not visible to Bun's checker). */
interface DenoFfi {
  build: { arch: string };
  dlopen(path: string, symbols: Record<string, { parameters: string[]; result: string }>): {
    symbols: Record<string, (...args: unknown[]) => unknown>;
  };
  UnsafePointerView: new (p: unknown) => { getInt32(offset?: number): number };
  UnsafePointer: { of(b: Uint8Array): unknown; value(p: unknown): bigint | number };
}

/** The bound functions: C's signatures, counts and results as i32 (every buffer < 2 GiB). */
export interface DenoLibc {
  open(path: Uint8Array, flags: number, mode: number): number;
  close(fd: number): number;
  read(fd: number, buf: Uint8Array, n: number): number;
  pread64(fd: number, buf: Uint8Array, n: number, offset: number): number;
  write(fd: number, buf: Uint8Array, n: number): number;
  pwrite64(fd: number, buf: Uint8Array, n: number, offset: number): number;
  fsync(fd: number): number;
  ftruncate(fd: number, length: number): number;
  rename(from: Uint8Array, to: Uint8Array): number;
  unlink(path: Uint8Array): number;
  readlink(path: Uint8Array, buf: Uint8Array, size: number): number;
  mkdir(path: Uint8Array, mode: number): number;
  statx(dirfd: number, path: Uint8Array, flags: number, mask: number, out: Uint8Array): number;
  syncfs(fd: number): number;
  fchmod(fd: number, mode: number): number;
  fchown(fd: number, uid: number, gid: number): number;
  /** Two struct timespec (i64 seconds, i64 nanoseconds): access, then modification. */
  futimens(fd: number, times: Uint8Array): number;
  flock(fd: number, op: number): number;
  /** errno of this thread's last failed call. */
  errno(): number;
  /** The address of a buffer's first byte. */
  addressOf(b: Uint8Array): bigint;
  /** The CPU architecture, as Deno names it (`x86_64`, `aarch64`). */
  arch: string;
}

const I32 = "i32";
const SIGNATURES: Record<string, { parameters: string[]; result: string }> = {
  open: { parameters: ["buffer", I32, "u32"], result: I32 },
  close: { parameters: [I32], result: I32 },
  read: { parameters: [I32, "buffer", "usize"], result: I32 },
  pread64: { parameters: [I32, "buffer", "usize", "i64"], result: I32 },
  write: { parameters: [I32, "buffer", "usize"], result: I32 },
  pwrite64: { parameters: [I32, "buffer", "usize", "i64"], result: I32 },
  fsync: { parameters: [I32], result: I32 },
  ftruncate: { parameters: [I32, "i64"], result: I32 },
  rename: { parameters: ["buffer", "buffer"], result: I32 },
  unlink: { parameters: ["buffer"], result: I32 },
  readlink: { parameters: ["buffer", "buffer", "usize"], result: I32 },
  mkdir: { parameters: ["buffer", "u32"], result: I32 },
  statx: { parameters: [I32, "buffer", I32, "u32", "buffer"], result: I32 },
  syncfs: { parameters: [I32], result: I32 },
  fchmod: { parameters: [I32, "u32"], result: I32 },
  fchown: { parameters: [I32, "u32", "u32"], result: I32 },
  futimens: { parameters: [I32, "buffer"], result: I32 },
  flock: { parameters: [I32, I32], result: I32 },
  __errno_location: { parameters: [], result: "pointer" },
};

function bind(): DenoLibc | null {
  const D = (globalThis as { Deno?: DenoFfi }).Deno;
  if (D === undefined) return null;
  let s: Record<string, (...args: unknown[]) => unknown>;
  try {
    s = D.dlopen("libc.so.6", SIGNATURES).symbols;
  } catch (_e) {
    // No FFI permission, or no glibc: node:fs does everything.
    return null;
  }
  const f = s as unknown as Omit<DenoLibc, "errno" | "addressOf" | "arch">;
  let errnoAt: { getInt32(offset?: number): number } | undefined;
  return {
    ...f,
    errno: () => (errnoAt ??= new D.UnsafePointerView(s.__errno_location!())).getInt32(0),
    addressOf: (b) => BigInt(D.UnsafePointer.value(D.UnsafePointer.of(b))),
    arch: D.build.arch,
  };
}

/** The handle (per thread: each worker binds its own). */
export const denoLibc: DenoLibc | null = bind();

const cPathBufs = [new Uint8Array(4097), new Uint8Array(4097)];

/**
 * A byte path (lib/fs/bpath.ts: one char per byte) NUL-terminated for a libc call: an
 * ASCII path (the common case) is copied into a reused buffer, one of two (`slot`: rename
 * takes two paths), a char at a time (a Buffer per call cost a third of an unchanged run's
 * stats on Deno, and TextEncoder.encodeInto twice this loop); any other path gets its own.
 */
export function cPath(path: string, slot: 0 | 1 = 0): Uint8Array {
  const n = path.length;
  const out = cPathBufs[slot]!;
  if (n < out.length) {
    let i = 0;
    for (; i < n; i++) {
      const c = path.charCodeAt(i);
      if (c > 0x7f) break;
      out[i] = c;
    }
    if (i === n) {
      out[n] = 0;
      return out;
    }
  }
  const bytes = new Uint8Array(n + 1);
  for (let i = 0; i < n; i++) bytes[i] = path.charCodeAt(i);
  return bytes;
}
