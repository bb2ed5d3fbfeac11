/**
 * Linux's numbers and structs as `node:fs` shows them, for lib/fs/deno_fs.ts: the open(2)
 * flags and `constants` snapyard uses, stats from a struct statx, times as struct timespec.
 */
import type * as NodeFs from "node:fs";

/**
 * `node:fs`'s `constants` of Linux that snapyard uses; O_DIRECTORY, O_NOFOLLOW and O_DIRECT
 * differ on arm64. undefined on an architecture not listed (then `node:fs` has them).
 */
export function linuxConstants(arch: string): Record<string, number> | undefined {
  const arm = arch === "aarch64";
  if (!arm && arch !== "x86_64") return undefined;
  return {
    O_RDONLY: 0,
    O_WRONLY: 1,
    O_RDWR: 2,
    O_CREAT: 0o100,
    O_EXCL: 0o200,
    O_NOCTTY: 0o400,
    O_TRUNC: 0o1000,
    O_APPEND: 0o2000,
    O_NONBLOCK: 0o4000,
    O_DSYNC: 0o10000,
    O_SYNC: 0o4010000,
    O_DIRECT: arm ? 0o200000 : 0o40000,
    O_DIRECTORY: arm ? 0o40000 : 0o200000,
    O_NOFOLLOW: arm ? 0o100000 : 0o400000,
    O_NOATIME: 0o1000000,
    O_CLOEXEC: 0o2000000,
    S_IFMT,
    S_IFREG: S_IF.REG,
    S_IFDIR: S_IF.DIR,
    S_IFLNK: S_IF.LNK,
    F_OK: 0,
    R_OK: 4,
    W_OK: 2,
    X_OK: 1,
  };
}

/** The file-type bits of a mode (sys/stat.h). */
export const S_IFMT = 0o170000;
/** The file types those bits hold. */
export const S_IF = {
  REG: 0o100000,
  DIR: 0o040000,
  LNK: 0o120000,
  FIFO: 0o010000,
  SOCK: 0o140000,
  BLK: 0o060000,
  CHR: 0o020000,
} as const;

/** `fs.Stats` from a struct statx (linux/stat.h). */
export class StatxStats {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  birthtimeMs: number;
  constructor(v: DataView) {
    const u64 = (o: number) => v.getUint32(o + 4, true) * 2 ** 32 + v.getUint32(o, true);
    const ms = (o: number) =>
      Number(v.getBigInt64(o, true)) * 1000 + v.getUint32(o + 8, true) / 1e6;
    const dev = (o: number) => {
      const major = v.getUint32(o, true);
      const minor = v.getUint32(o + 4, true);
      return (minor & 0xfff00) * 4096 + (major & 0xfff) * 256 + (minor & 0xff) +
        Math.floor(major / 0x1000) * 2 ** 44;
    };
    this.blksize = v.getUint32(4, true);
    this.nlink = v.getUint32(16, true);
    this.uid = v.getUint32(20, true);
    this.gid = v.getUint32(24, true);
    this.mode = v.getUint16(28, true);
    this.ino = u64(32);
    this.size = u64(40);
    this.blocks = u64(48);
    this.atimeMs = ms(64);
    this.birthtimeMs = ms(80);
    this.ctimeMs = ms(96);
    this.mtimeMs = ms(112);
    this.rdev = dev(128);
    this.dev = dev(136);
  }
  get atime(): Date {
    return new Date(this.atimeMs);
  }
  get mtime(): Date {
    return new Date(this.mtimeMs);
  }
  get ctime(): Date {
    return new Date(this.ctimeMs);
  }
  get birthtime(): Date {
    return new Date(this.birthtimeMs);
  }
  isFile(): boolean {
    return this.#is(S_IF.REG);
  }
  isDirectory(): boolean {
    return this.#is(S_IF.DIR);
  }
  isSymbolicLink(): boolean {
    return this.#is(S_IF.LNK);
  }
  isFIFO(): boolean {
    return this.#is(S_IF.FIFO);
  }
  isSocket(): boolean {
    return this.#is(S_IF.SOCK);
  }
  isBlockDevice(): boolean {
    return this.#is(S_IF.BLK);
  }
  isCharacterDevice(): boolean {
    return this.#is(S_IF.CHR);
  }
  #is(type: number): boolean {
    return (this.mode & S_IFMT) === type;
  }
}

/** open(2) flags of `node:fs`'s flag strings. */
export const FLAG_STRINGS: Record<string, number> = {
  r: 0,
  "r+": 2,
  w: 0o1101,
  wx: 0o1301,
  "w+": 0o1102,
  "wx+": 0o1302,
  a: 0o2101,
  ax: 0o2301,
  "a+": 0o2102,
  "ax+": 0o2302,
};

/** Two struct timespec (i64 seconds, i64 nanoseconds) of `node:fs`'s time arguments. */
export function timespecs(...times: NodeFs.TimeLike[]): Uint8Array {
  const out = new Uint8Array(16 * times.length);
  const view = new DataView(out.buffer);
  times.forEach((t, i) => {
    const secs = t instanceof Date ? t.getTime() / 1000 : Number(t);
    const whole = Math.floor(secs);
    view.setBigInt64(16 * i, BigInt(whole), true);
    view.setBigInt64(
      16 * i + 8,
      BigInt(Math.min(999_999_999, Math.round((secs - whole) * 1e9))),
      true,
    );
  });
  return out;
}
