/**
 * Byte paths.
 *
 * Linux file names are bytes, not text. Inside snapyard a path is a "byte string":
 * a JS string whose every char code is one byte (latin1), so any name — valid
 * UTF-8 or not — round-trips exactly. Conversions happen only at the edges:
 * `fsPath` before a syscall, `fromText`/`toText` for arguments and messages,
 * `readNames`/`readDirents` for a directory's listing (getdents64 through the FFI once
 * lib/fs/runtime.ts installs it, else the runtime's reader). Pure-ASCII paths (the common
 * case) pass through unchanged.
 */
import type { Buffer } from "node:buffer";
import { fs } from "./sys.ts";

/** A path as a byte string (one char per byte). */
export type BPath = string;

const NON_ASCII = /[\x80-\xff\u0100-\uffff]/;
const UTF8 = new TextDecoder("utf-8", { fatal: true });
const UTF8_LOSSY = new TextDecoder("utf-8", { ignoreBOM: true });
const ENCODER = new TextEncoder();

/** The bytes of a byte string (no `node:buffer`: on Deno it costs every start ~10 ms). */
export function latin1Bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

/** The byte string of bytes. */
export function latin1Text(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 8192) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 8192) as unknown as number[]);
  }
  return s;
}

/**
 * The value to hand to `fs` (lib/fs/sys.ts) for a byte path: its bytes when not ASCII. A
 * Uint8Array, which `fs` takes on every runtime, typed as the Buffer of `node:fs`'s
 * signatures (Bun's `node:fs` and lib/fs/deno_fs.ts take it; sys.ts gives Deno's `node:fs`
 * text).
 */
export function fsPath(p: BPath): string | Buffer {
  return NON_ASCII.test(p) ? latin1Bytes(p) as Buffer : p;
}

/** A byte path from text (a command-line argument, a JSON field). */
export function fromText(s: string): BPath {
  return NON_ASCII.test(s) ? latin1Text(ENCODER.encode(s)) : s;
}

/** A byte path from raw bytes (readlink, readdir in buffer mode). */
export function fromBytes(b: Uint8Array): BPath {
  return latin1Text(b);
}

/** Text for messages; invalid UTF-8 bytes show as U+FFFD. */
export function toText(p: BPath): string {
  return NON_ASCII.test(p) ? UTF8_LOSSY.decode(latin1Bytes(p)) : p;
}

/** Whether a byte path is valid UTF-8 (and so can be stored in JSON exactly). */
export function isUtf8(p: BPath): boolean {
  if (!NON_ASCII.test(p)) return true;
  try {
    UTF8.decode(latin1Bytes(p));
    return true;
  } catch (_e) {
    // A decoding failure is the answer, not an error.
    return false;
  }
}

/** Whether a byte path holds U+FFFD encoded, the mark Deno leaves on names it could not decode. */
export function hasReplacementChar(p: BPath): boolean {
  return p.includes("\xef\xbf\xbd");
}

/** Byte length of a byte path (one char per byte). */
export function byteLength(p: BPath): number {
  return p.length;
}

/** One name of a directory listing, with its type as the directory reports it. */
export interface DirEntry {
  /** A byte string. */
  name: BPath;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isBlockDevice(): boolean;
  isCharacterDevice(): boolean;
}

/** A directory reader: names alone, or entries with their types (both byte strings). */
export interface Listing {
  names(dir: BPath): BPath[];
  dirents(dir: BPath): DirEntry[];
  /** Each name with whether it is a directory, in directory order (`scanNames`). */
  scan(dir: BPath, visit: (name: BPath, isDir: boolean) => void): void;
}

/** getdents64 through the FFI (lib/fs/dirents.ts), once lib/fs/runtime.ts has loaded it. */
let ffiListing: Listing | undefined;

/**
 * Makes `readNames`/`readDirents` read through `listing` (undefined: the runtime's reader);
 * returns the one it replaces. Called by lib/fs/runtime.ts, which this module cannot import
 * (it imports this one).
 */
export function useListing(listing: Listing | undefined): Listing | undefined {
  const before = ffiListing;
  ffiListing = listing;
  return before;
}

/** Deno's own directory reader, when running on Deno. */
interface DenoDirEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
}
const denoReadDir = (globalThis as {
  Deno?: { readDirSync(path: string): Iterable<DenoDirEntry> };
}).Deno?.readDirSync;

/**
 * A listing entry from Deno's reader: the other types (FIFO, socket, device) read as
 * unknown (all false), as Deno's `node:fs` reports them too; the walk then lstats.
 */
class DenoEntry implements DirEntry {
  readonly name: BPath;
  readonly #e: DenoDirEntry;
  constructor(e: DenoDirEntry) {
    this.name = fromText(e.name);
    this.#e = e;
  }
  isFile(): boolean {
    return this.#e.isFile;
  }
  isDirectory(): boolean {
    return this.#e.isDirectory;
  }
  isSymbolicLink(): boolean {
    return this.#e.isSymlink;
  }
  isFIFO(): boolean {
    return false;
  }
  isSocket(): boolean {
    return false;
  }
  isBlockDevice(): boolean {
    return false;
  }
  isCharacterDevice(): boolean {
    return false;
  }
}

/**
 * Deno's listing of `dir`, sorted by name as its `node:fs` sorts it, or undefined where
 * `node:fs` must do it (another runtime, or a directory path that is not UTF-8). Deno's
 * `node:fs` reads the same listing and converts every name to a Buffer and back (about 6×
 * slower); names it cannot decode come out the same (U+FFFD) either way.
 */
function denoListing(dir: BPath): DenoEntry[] | undefined {
  if (denoReadDir === undefined || !isUtf8(dir)) return undefined;
  const out: DenoEntry[] = [];
  for (const e of denoReadDir(toText(dir))) out.push(new DenoEntry(e));
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The names in directory `dir`, as byte strings.
 * @throws the system error when it cannot be read.
 */
export function readNames(dir: BPath): BPath[] {
  if (ffiListing !== undefined) return ffiListing.names(dir);
  const deno = denoListing(dir);
  if (deno !== undefined) return deno.map((e) => e.name);
  return fs.readdirSync(fsPath(dir), { encoding: "latin1" }) as unknown as BPath[];
}

/**
 * Calls `visit` with every name in directory `dir` (a byte string) and whether the
 * directory says it is a directory, in directory order: no entry objects, no sort (an
 * entry directory's index reads two names per target so).
 * @throws the system error when it cannot be read.
 */
export function scanNames(dir: BPath, visit: (name: BPath, isDir: boolean) => void): void {
  if (ffiListing !== undefined) return ffiListing.scan(dir, visit);
  for (const d of readDirents(dir)) visit(d.name as BPath, d.isDirectory());
}

/**
 * The entries of directory `dir` with their types; each `name` is a byte string.
 * @throws the system error when it cannot be read.
 */
export function readDirents(dir: BPath): DirEntry[] {
  if (ffiListing !== undefined) return ffiListing.dirents(dir);
  return denoListing(dir) ??
    fs.readdirSync(fsPath(dir), {
      withFileTypes: true,
      encoding: "latin1",
    }) as unknown as DirEntry[];
}

/**
 * `dir/name` for an absolute, normalized `dir` (a trailing slash allowed) and a `name`
 * without a slash: what `posix.join` gives, without its normalizing pass (per target,
 * twice, in hot loops).
 */
export function joinName(dir: BPath, name: BPath): BPath {
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

/** The last component of a normalized absolute path: `posix.basename` without its checks. */
export function baseName(path: BPath): BPath {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The parent of a normalized absolute path (`/` for `/x` and `/`): `posix.dirname`'s answer. */
export function parentDir(path: BPath): BPath {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}
