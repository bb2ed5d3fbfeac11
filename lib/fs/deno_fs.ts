/**
 * The file system calls of a snapshot's main thread, on Deno, straight to libc
 * (lib/fs/deno_libc.ts), with `node:fs`'s signatures and answers: real fds, stats shaped
 * as `fs.Stats`, Node-style errors (`code`, `errno`, `syscall`, `path`). lib/fs/sys.ts
 * hands them out in place of Deno's `node:fs`, whose loading costs every start ~45 ms.
 * A form these do not cover (bigint path stats, a `readFileSync` to bytes) is Deno's
 * `node:fs`'s, but never on an fd: Deno's `node:fs` refuses the fds it did not open.
 */
import type * as NodeFs from "node:fs";
import { cPath, type DenoLibc } from "./deno_libc.ts";
import { errnoError } from "./errno.ts";
import { FLAG_STRINGS, linuxConstants, StatxStats, timespecs } from "./linux.ts";

type NodeFsModule = typeof NodeFs;
type PathArg = string | Uint8Array | URL;
type Fallback = <K extends keyof NodeFsModule>(name: K) => NodeFsModule[K];
type ReadOptions = { offset?: number; length?: number; position?: NodeFs.ReadPosition | null };

const EINTR = 4;
const ENOENT = 2;
const EEXIST = 17;
const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_EMPTY_PATH = 0x1000;
/** STATX_BASIC_STATS | STATX_BTIME. */
const STATX_MASK = 0xfff;
const NON_ASCII = /[\x80-\uffff]/;
const ENCODER = new TextEncoder();
const DECODER = new TextDecoder("utf-8", { ignoreBOM: true });
/** PATH_MAX: the longest link text readlink(2) returns. */
const PATH_MAX = 4096;
const QUIET = { throwIfNoEntry: false } as const;
const EMPTY = new Uint8Array(1);

/**
 * The subset of `node:fs` a snapshot's main thread calls, on `libc`; `nodeFs` gives the
 * forms not covered here.
 */
export function denoFs(libc: DenoLibc, nodeFs: Fallback) {
  const constants = linuxConstants(libc.arch) ??
    (nodeFs("constants") as unknown as Record<string, number>);
  /** `node:fs`'s own `name`, for a form not covered here; its answer as the caller's. */
  const node = (name: keyof NodeFsModule, ...args: unknown[]): never =>
    (nodeFs(name) as unknown as (...a: unknown[]) => never)(...args);
  /** A form on an fd not covered here (a bug of ours: nothing calls it so). */
  const onFd = (what: string): never => {
    throw new TypeError(`${what} of an fd: not covered on Deno (lib/fs/deno_fs.ts)`);
  };
  const statBuf = new Uint8Array(256);
  const statView = new DataView(statBuf.buffer);
  const O_CLOEXEC = constants.O_CLOEXEC!;

  const text = (p: PathArg): string =>
    typeof p === "string" ? p : p instanceof URL ? p.pathname : DECODER.decode(p);
  /** `p` NUL-terminated: a string is text (UTF-8), as `node:fs` reads it. */
  const c = (p: PathArg, slot: 0 | 1 = 0): Uint8Array => {
    if (typeof p === "string") return NON_ASCII.test(p) ? ENCODER.encode(p + "\0") : cPath(p, slot);
    if (p instanceof URL) return ENCODER.encode(decodeURIComponent(p.pathname) + "\0");
    const out = new Uint8Array(p.length + 1);
    out.set(p);
    return out;
  };
  const fail = (syscall: string, p?: PathArg, errno = libc.errno()): never => {
    throw errnoError(syscall, errno, p === undefined ? undefined : text(p));
  };
  /** Calls `call` again while it fails with EINTR; its result, or -1 with errno set. */
  const retried = (call: () => number): number => {
    for (;;) {
      const n = call();
      if (n >= 0 || libc.errno() !== EINTR) return n;
    }
  };
  const bytes = (b: NodeJS.ArrayBufferView, offset: number, length: number): Uint8Array => {
    if (offset < 0 || length < 0 || offset + length > b.byteLength) {
      throw new RangeError(`offset ${offset} + length ${length} is outside the buffer`);
    }
    if (b instanceof Uint8Array) {
      return offset === 0 && length === b.length ? b : b.subarray(offset, offset + length);
    }
    return new Uint8Array(b.buffer, b.byteOffset + offset, length);
  };
  const stats = (rc: number, syscall: string, p: PathArg | undefined, quiet: boolean) => {
    if (rc === 0) return new StatxStats(statView) as unknown as NodeFs.Stats;
    if (quiet && libc.errno() === ENOENT) return undefined;
    return fail(syscall, p);
  };
  type StatOpts = NodeFs.StatSyncOptions | undefined;
  const pathStat = (syscall: string, flags: number, p: PathArg, o: StatOpts) =>
    stats(
      libc.statx(AT_FDCWD, c(p), flags, STATX_MASK, statBuf),
      syscall,
      p,
      o?.throwIfNoEntry === false,
    );

  const fstat = (fd: number) =>
    stats(libc.statx(fd, EMPTY, AT_EMPTY_PATH, STATX_MASK, statBuf), "fstat", undefined, false);

  const openSync = (p: PathArg, flags: NodeFs.OpenMode = "r", mode: NodeFs.Mode = 0o666) => {
    const f = typeof flags === "number" ? flags : FLAG_STRINGS[flags];
    if (f === undefined || typeof mode !== "number") return node("openSync", p, flags, mode);
    const path = c(p);
    const fd = retried(() => libc.open(path, f | O_CLOEXEC, mode));
    return fd >= 0 ? fd : fail("open", p);
  };
  const closeSync = (fd: number) => {
    if (libc.close(fd) !== 0) fail("close");
  };
  const readSync = (
    fd: number,
    buf: NodeJS.ArrayBufferView,
    offsetOrOptions?: number | ReadOptions | null,
    length?: number | null,
    position?: NodeFs.ReadPosition | null,
  ): number => {
    let offset = 0;
    if (typeof offsetOrOptions === "object" && offsetOrOptions !== null) {
      offset = offsetOrOptions.offset ?? 0;
      length = offsetOrOptions.length;
      position = offsetOrOptions.position;
    } else offset = offsetOrOptions ?? 0;
    const len = length ?? buf.byteLength - offset;
    const view = bytes(buf, offset, len);
    const at = position === null || position === undefined || position === -1
      ? -1
      : Number(position);
    const n = retried(() => at < 0 ? libc.read(fd, view, len) : libc.pread64(fd, view, len, at));
    return n >= 0 ? n : fail("read");
  };
  const writeSync = (
    fd: number,
    data: string | NodeJS.ArrayBufferView,
    a?: number | null,
    b?: number | null | BufferEncoding,
    position?: number | null,
  ): number => {
    let view: Uint8Array;
    if (typeof data === "string") {
      if (typeof b === "string" && !/^utf-?8$/i.test(b)) return onFd(`writeSync in ${b}`);
      view = ENCODER.encode(data);
      position = a;
    } else {
      const offset = a ?? 0;
      view = bytes(data, offset, typeof b === "number" ? b : data.byteLength - offset);
    }
    const at = position === null || position === undefined ? -1 : position;
    const n = view.length;
    const w = retried(() => at < 0 ? libc.write(fd, view, n) : libc.pwrite64(fd, view, n, at));
    return w >= 0 ? w : fail("write");
  };
  const isDir = (p: PathArg) => pathStat("stat", 0, p, QUIET)?.isDirectory();
  /** mkdir -p: the first directory it made (as `node:fs` answers), or undefined. */
  const mkdirp = (p: string | Uint8Array, mode: number): string | undefined => {
    if (libc.mkdir(c(p), mode) === 0) return text(p);
    let errno = libc.errno();
    if (errno === EEXIST && isDir(p)) return undefined;
    if (errno !== ENOENT) return fail("mkdir", p, errno);
    const raw = typeof p === "string" ? ENCODER.encode(p) : p;
    let end = raw.length;
    while (end > 1 && raw[end - 1] === 0x2f) end--;
    const cut = raw.lastIndexOf(0x2f, end - 1);
    if (cut <= 0) return fail("mkdir", p, errno);
    const first = mkdirp(raw.slice(0, cut), mode);
    if (libc.mkdir(c(p), mode) === 0) return first ?? text(p);
    errno = libc.errno();
    if (errno === EEXIST && isDir(p)) return first;
    return fail("mkdir", p, errno);
  };
  const mkdirSync = (p: PathArg, options?: NodeFs.Mode | NodeFs.MakeDirectoryOptions | null) => {
    const o: NodeFs.MakeDirectoryOptions = typeof options === "object" ? options ?? {} : {};
    const mode = (typeof options === "object" ? o.mode : options) ?? 0o777;
    if (typeof mode !== "number" || p instanceof URL) return node("mkdirSync", p, options);
    if (o.recursive) return mkdirp(p, mode);
    return libc.mkdir(c(p), mode) === 0 ? undefined : fail("mkdir", p);
  };
  const readFileSync = (p: NodeFs.PathOrFileDescriptor, options?: unknown) => {
    const o = (typeof options === "string" ? { encoding: options } : options ?? {}) as {
      encoding?: string;
      flag?: string;
    };
    if (typeof p === "number") return onFd("readFileSync");
    if (!/^utf-?8$/i.test(o.encoding ?? "") || (o.flag ?? "r") !== "r") {
      return node("readFileSync", p, options);
    }
    const fd = openSync(p, 0);
    try {
      let buf = new Uint8Array(16 * 1024);
      let n = 0;
      for (let got = 1; got > 0; n += got) {
        if (n === buf.length) {
          const grown = new Uint8Array(2 * n);
          grown.set(buf);
          buf = grown;
        }
        got = readSync(fd, buf, n, buf.length - n, null);
      }
      return DECODER.decode(buf.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  };

  return {
    constants,
    fchmodSync: (fd: number, mode: NodeFs.Mode) => {
      if (libc.fchmod(fd, typeof mode === "number" ? mode : parseInt(mode, 8)) !== 0) {
        fail("fchmod");
      }
    },
    fchownSync: (fd: number, uid: number, gid: number) => {
      if (libc.fchown(fd, uid, gid) !== 0) fail("fchown");
    },
    futimesSync: (fd: number, atime: NodeFs.TimeLike, mtime: NodeFs.TimeLike) => {
      if (libc.futimens(fd, timespecs(atime, mtime)) !== 0) fail("futime");
    },
    openSync,
    closeSync,
    readSync,
    writeSync,
    mkdirSync,
    readFileSync,
    fsyncSync: (fd: number) => {
      if (libc.fsync(fd) !== 0) fail("fsync");
    },
    ftruncateSync: (fd: number, len = 0) => {
      if (retried(() => libc.ftruncate(fd, len)) !== 0) fail("ftruncate");
    },
    renameSync: (from: PathArg, to: PathArg) => {
      if (libc.rename(c(from, 0), c(to, 1)) !== 0) fail("rename", from);
    },
    /** readlink(2): the link text's bytes (`encoding: "buffer"`), else as UTF-8 text. */
    readlinkSync: (p: PathArg, o?: NodeFs.EncodingOption | NodeFs.BufferEncodingOption) => {
      const buf = new Uint8Array(PATH_MAX);
      const n = libc.readlink(c(p), buf, PATH_MAX);
      if (n < 0) fail("readlink", p);
      const encoding = typeof o === "string" ? o : o?.encoding;
      return encoding === "buffer" ? buf.slice(0, n) : DECODER.decode(buf.subarray(0, n));
    },
    unlinkSync: (p: PathArg) => {
      if (libc.unlink(c(p)) !== 0) fail("unlink", p);
    },
    statSync: (p: PathArg, o?: StatOpts) =>
      o?.bigint ? node("statSync", p, o) : pathStat("stat", 0, p, o),
    lstatSync: (p: PathArg, o?: StatOpts) =>
      o?.bigint ? node("lstatSync", p, o) : pathStat("lstat", AT_SYMLINK_NOFOLLOW, p, o),
    fstatSync: (fd: number, o?: NodeFs.StatOptions) =>
      o?.bigint ? onFd("fstatSync with bigint") : fstat(fd),
  };
}
