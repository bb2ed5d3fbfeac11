/**
 * Directory listings read with getdents64(2) and decoded in JS.
 *
 * Deno's reader decodes every name as UTF-8 and snapyard encodes it back: ~40 ms for the
 * ~200 directories (30,000 names) an unchanged re-run of a 10,000-file tree lists, ~15 ms
 * here (bench/listing.ts). Bun's native reader is as fast as this, so only Deno uses it.
 * Per directory:
 * 1. open it (O_DIRECTORY, so a file fails with ENOTDIR as readdir does);
 * 2. fill one reused buffer with getdents64 until it returns 0;
 * 3. decode each `struct linux_dirent64` record (d_ino u64 at 0, d_off s64 at 8, d_reclen
 *    u16 at 16, d_type u8 at 18, d_name from 19, NUL-terminated): the name as a byte string,
 *    the type from d_type, "." and ".." skipped;
 * 4. close; sort where the runtime's reader sorted (Deno), so the order stays as it was.
 * lib/fs/runtime.ts binds getdents64 and installs this listing into lib/fs/bpath.ts.
 */
import { fs } from "./sys.ts";
import {
  type BPath,
  type DirEntry,
  fromText,
  fsPath,
  isUtf8,
  latin1Text,
  type Listing,
  toText,
} from "./bpath.ts";

/** getdents64(2) of `fd` into `buf`: the bytes filled, 0 at the end. Throws the system error. */
export type Getdents = (fd: number, buf: Uint8Array) => number;

/** How the names come out, to match what the runtime's own reader gave. */
export interface ListingOptions {
  /** Sort by byte value (Deno's reader did); else directory order (Bun's). */
  sorted: boolean;
  /** Give a name that is not UTF-8 as its lossy decoding, encoded back (Deno's reader did). */
  lossy: boolean;
}

// d_type values (<dirent.h>).
const DT_FIFO = 1;
const DT_CHR = 2;
const DT_DIR = 4;
const DT_BLK = 6;
const DT_REG = 8;
const DT_LNK = 10;
const DT_SOCK = 12;

const NAME_OFFSET = 19;
const ASCII = new TextDecoder();
const BUFFER_SIZE = 32 * 1024;
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_DIRECTORY;

/** One listed name and its d_type; DT_UNKNOWN (0) answers false to every predicate. */
class RawEntry implements DirEntry {
  readonly name: BPath;
  readonly #type: number;
  constructor(name: BPath, type: number) {
    this.name = name;
    this.#type = type;
  }
  isFile(): boolean {
    return this.#type === DT_REG;
  }
  isDirectory(): boolean {
    return this.#type === DT_DIR;
  }
  isSymbolicLink(): boolean {
    return this.#type === DT_LNK;
  }
  isFIFO(): boolean {
    return this.#type === DT_FIFO;
  }
  isSocket(): boolean {
    return this.#type === DT_SOCK;
  }
  isBlockDevice(): boolean {
    return this.#type === DT_BLK;
  }
  isCharacterDevice(): boolean {
    return this.#type === DT_CHR;
  }
}

/** The listing of every directory through `getdents`, into one buffer reused per thread. */
export function getdentsListing(getdents: Getdents, opts: ListingOptions): Listing {
  const buf = new Uint8Array(BUFFER_SIZE);
  const scan = (dir: BPath, emit: (name: BPath, type: number) => void): void => {
    const fd = fs.openSync(fsPath(dir), OPEN_FLAGS);
    try {
      for (let n = getdents(fd, buf); n > 0; n = getdents(fd, buf)) {
        decode(buf, n, opts.lossy, emit);
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  const list = <T>(dir: BPath, make: (name: BPath, type: number) => T): T[] => {
    const out: T[] = [];
    scan(dir, (name, type) => out.push(make(name, type)));
    return out;
  };
  return {
    // The default sort orders by UTF-16 code unit: by byte, for byte strings.
    names: (dir) => opts.sorted ? list(dir, nameOnly).sort() : list(dir, nameOnly),
    dirents: (dir) => opts.sorted ? list(dir, entry).sort(byName) : list(dir, entry),
    scan: (dir, visit) => scan(dir, (name, type) => visit(name, type === DT_DIR)),
  };
}

function nameOnly(name: BPath): BPath {
  return name;
}

function entry(name: BPath, type: number): RawEntry {
  return new RawEntry(name, type);
}

/** By name; two can be equal only where lossy decoding made them so (the walk reports both). */
function byName(a: RawEntry, b: RawEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Decodes the `n` bytes of records in `buf`, calling `emit(name, type)` per name. */
function decode(
  buf: Uint8Array,
  n: number,
  lossy: boolean,
  emit: (name: BPath, type: number) => void,
): void {
  for (let at = 0; at < n; at += buf[at + 16]! | (buf[at + 17]! << 8)) {
    const start = at + NAME_OFFSET;
    let end = start;
    let bits = 0; // the OR of the name's bytes: 0x80 set when one is not ASCII
    for (let b = buf[end]!; b !== 0; b = buf[++end]!) bits |= b;
    // "." and ".." (46 is ".").
    if (buf[start] === 46 && (end === start + 1 || (end === start + 2 && buf[start + 1] === 46))) {
      continue;
    }
    // An ASCII name decodes alike as UTF-8 and as bytes: the runtime's decoder does it.
    const bytes = buf.subarray(start, end);
    let name = bits < 0x80 ? ASCII.decode(bytes) : latin1Text(bytes);
    if (lossy && bits >= 0x80 && !isUtf8(name)) name = fromText(toText(name));
    emit(name, buf[at + 18]!);
  }
}
