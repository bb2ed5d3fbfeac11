/**
 * Payload writers: the one-read copy+hash of a regular file (run in workers), the
 * symlink payload and the tombstone, all created under an exclusively reserved name.
 *
 * Order for a file: open the source O_NOFOLLOW|O_NONBLOCK (a symlink swapped in is
 * refused, a FIFO swapped in cannot block) → fstat the fd (the truth, not the walk's
 * d_type) → reserve the payload name (O_EXCL, 0600) → read each byte once, hash it and
 * write it → fstat again: size, mtime and ctime unchanged, else copy again (up to
 * `COPY_ATTEMPTS`) or fail "changed during copy". No fsync here: durability is the
 * commit protocol's job (lib/snapshot/commit.ts).
 *
 * Files of `DIRECT_MIN_SIZE` bytes or more are written with O_DIRECT when the caller
 * has an aligned buffer: payloads are write-once, so they need not fill the page
 * cache (and evict the operator's working set); and on these machines writing new page
 * cache is the bottleneck (about 2 ms/MiB once freed memory went back to the host,
 * against 0.5–0.8 s per GiB for O_DIRECT; docs/benchmarking.md). The data
 * still reaches the disk only through the commit's syncfs, which also flushes the
 * device cache and the file's metadata. Where O_DIRECT is refused (EINVAL: tmpfs, some
 * FUSE filesystems), the thread falls back to buffered writes for the rest of the run.
 */
import { createHash } from "node:crypto";
import { Buffer } from "node:buffer";
import * as fs from "node:fs";
import { posix } from "node:path";
import { type BPath, fsPath } from "../fs/bpath.ts";
import { errnoOf } from "../errors.ts";
import { parseAnyName, payloadName, sidecarName } from "../store/layout.ts";
import { type FdStat, fstatFd } from "../fs/runtime.ts";

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK, O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
/** O_DIRECT differs between architectures: only the runtime's own value is used. */
const O_DIRECT: number | undefined = (fs.constants as Record<string, number>).O_DIRECT;
const SRC_FLAGS = O_RDONLY | O_NOFOLLOW | O_NONBLOCK;
const DST_FLAGS = O_WRONLY | O_CREAT | O_EXCL;

/** Address, length and file-offset alignment of O_DIRECT writes (covers 4 KiB-sector disks). */
export const DIRECT_ALIGN = 4096;
/** Files this large or larger are written with O_DIRECT (when the caller's buffer allows). */
export const DIRECT_MIN_SIZE = 1 << 20;
/** Per thread: false once a filesystem refused O_DIRECT; the rest of the run is buffered. */
let directUsable = O_DIRECT !== undefined;

/** How many times a file that changes while copied is copied again before failing. */
export const COPY_ATTEMPTS = 3;
/** How many later timestamps are tried when a name is taken. */
const RESERVE_ATTEMPTS = 1000;

/** A failure with a code that crosses the thread boundary (`errno` or ours). */
export class PayloadError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Creates a payload under `.<name>.<tag>.<ts>.bak`, moving to the next ts while either
 * that payload name or its sidecar name exists (exclusive create, then a look-up of the
 * sidecar name: a sidecar-only name is never overwritten). Returns the ts it used.
 * @throws the create's error for anything but EEXIST.
 */
export function reservePayload(
  dir: BPath,
  name: BPath,
  tag: string,
  ts: number,
  create: (path: string | Buffer) => void,
): number {
  for (let t = ts; t < ts + RESERVE_ATTEMPTS; t++) {
    const p = fsPath(posix.join(dir, payloadName(name, tag, t)));
    try {
      create(p);
    } catch (e) {
      if (errnoOf(e) === "EEXIST") continue;
      throw e;
    }
    if (sidecarTaken(dir, sidecarName(name, tag, t), ts)) {
      // A sidecar without payload holds this ts: give the name back and move on.
      fs.unlinkSync(p);
      continue;
    }
    return t;
  }
  throw new PayloadError("EEXIST", `no free entry name after ${RESERVE_ATTEMPTS} timestamps`);
}

/** Per thread: sidecar names with a TS at or after a run's TS, per directory, as first seen. */
const sidecarsAhead = new Map<string, Set<BPath>>();
const MAX_CACHED_DIRS = 4096;

/**
 * Whether a sidecar named `sidecar` exists in `dir` (for a reservation at or after
 * `runTs`). One readdir per directory and thread replaces an lstat per file (~20 µs on
 * Deno). A stale answer cannot hurt: a sidecar at a TS of this run can only appear
 * after its payload was reserved with O_EXCL, which no other reservation can then win;
 * so only names that existed before the run (found by the readdir) can collide.
 */
function sidecarTaken(dir: BPath, sidecar: BPath, runTs: number): boolean {
  const key = `${runTs}\0${dir}`;
  let ahead = sidecarsAhead.get(key);
  if (ahead === undefined) {
    ahead = new Set();
    for (const n of fs.readdirSync(fsPath(dir), { encoding: "latin1" }) as unknown as BPath[]) {
      const p = parseAnyName(n);
      if (p !== undefined && p.kind === "sidecar" && p.ts >= runTs) ahead.add(n);
    }
    if (sidecarsAhead.size >= MAX_CACHED_DIRS) sidecarsAhead.clear();
    sidecarsAhead.set(key, ahead);
  }
  return ahead.has(sidecar);
}

/**
 * Copies fd `src` to fd `dst` from offset 0 while hashing: each byte is read once,
 * hashed and written. Stops at EOF or once at least `limit` bytes are copied.
 * `align` > 1 is for an O_DIRECT `dst` (`buf`'s address and length are multiples of
 * it): a short chunk is written padded with zeros to `align`, the file is truncated to
 * the bytes copied and the copy stops there (a regular file's EOF; a file that did not
 * end there fails the caller's size check).
 * @throws the system error of a failed read, write or truncate.
 */
export function copyHashFd(
  src: number,
  dst: number,
  buf: Uint8Array,
  limit = Infinity,
  align = 1,
): { hash: string; bytes: number } {
  const hash = createHash("sha256");
  let pos = 0;
  // At least one read, even for limit 0: a file that claims size 0 but has bytes
  // (procfs, a concurrent writer) must show up as copied bytes != size.
  do {
    const n = fs.readSync(src, buf, 0, buf.byteLength, pos);
    if (n === 0) break;
    hash.update(buf.subarray(0, n));
    const len = Math.ceil(n / align) * align;
    buf.fill(0, n, len);
    let off = 0;
    while (off < len) off += fs.writeSync(dst, buf, off, len - off, pos + off);
    pos += n;
    if (len !== n) {
      fs.ftruncateSync(dst, pos);
      break;
    }
  } while (pos < limit);
  return { hash: hash.digest("hex"), bytes: pos };
}

/**
 * A second, O_DIRECT fd on the payload `path` just created as `fd`, or -1 when the
 * filesystem refuses O_DIRECT (then this thread stops trying).
 * @throws the system error of a failed open or fstat, or EEXIST if `path` was replaced.
 */
function openDirect(path: string | Buffer, fd: number): number {
  let dfd: number;
  try {
    dfd = fs.openSync(path, O_WRONLY | O_NOFOLLOW | O_DIRECT!);
  } catch (e) {
    if (errnoOf(e) !== "EINVAL") throw e;
    directUsable = false;
    return -1;
  }
  const a = fs.fstatSync(fd);
  const b = fs.fstatSync(dfd);
  if (a.ino !== b.ino || a.dev !== b.dev) {
    fs.closeSync(dfd);
    throw new PayloadError("EEXIST", "payload was replaced while being written");
  }
  return dfd;
}

/** What a file copy learned. */
export interface CopiedFile {
  ts: number;
  hash: string;
  size: number;
  mtimeMs: number;
  mode: number;
  uid: number;
  gid: number;
}

function sameState(a: FdStat, b: FdStat): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs &&
    a.ino === b.ino;
}

/**
 * Copies regular file `src` to a new payload of (`dir`, `name`, `tag`, `ts`) while
 * hashing it, reading each byte once. `buf` is a reused scratch buffer; `direct`, if
 * given, one whose address and length are multiples of `DIRECT_ALIGN`, used to write
 * files of `DIRECT_MIN_SIZE` or more with O_DIRECT.
 * @throws PayloadError NOT_REGULAR / CHANGED, or the system error of a failed step.
 */
export function copyHashFile(
  src: BPath,
  dir: BPath,
  name: BPath,
  tag: string,
  ts: number,
  buf: Uint8Array,
  direct?: Uint8Array,
): CopiedFile {
  const sfd = fs.openSync(fsPath(src), SRC_FLAGS);
  let dfd = -1;
  let ddfd = -1;
  let dst: string | Buffer = "";
  let done = false;
  try {
    let st = fstatFd(sfd);
    if (!st.isFile) throw new PayloadError("NOT_REGULAR", "not a regular file");
    const used = reservePayload(dir, name, tag, ts, (p) => {
      // A name given back (its ts held by a sidecar) is already unlinked: close its fd.
      if (dfd >= 0) fs.closeSync(dfd);
      dfd = -1;
      dfd = fs.openSync(p, DST_FLAGS, 0o600);
      dst = p;
    });
    if (direct !== undefined && directUsable && st.size >= DIRECT_MIN_SIZE) {
      ddfd = openDirect(dst, dfd);
    }
    for (let attempt = 1;; attempt++) {
      const size = st.size;
      // Stop at the fstat'ed size (saves the EOF read); growth is caught by the re-check.
      let copied: { hash: string; bytes: number };
      if (ddfd >= 0) {
        try {
          copied = copyHashFd(sfd, ddfd, direct!, size, DIRECT_ALIGN);
        } catch (e) {
          if (errnoOf(e) !== "EINVAL") throw e;
          // The open was allowed but the write is not: go buffered for good.
          directUsable = false;
          fs.closeSync(ddfd);
          ddfd = -1;
          fs.ftruncateSync(dfd, 0);
          copied = copyHashFd(sfd, dfd, buf, size);
        }
      } else {
        copied = copyHashFd(sfd, dfd, buf, size);
      }
      const after = fstatFd(sfd);
      if (copied.bytes === size && sameState(st, after)) {
        done = true;
        return {
          ts: used,
          hash: copied.hash,
          size,
          mtimeMs: after.mtimeMs,
          mode: after.mode,
          uid: after.uid,
          gid: after.gid,
        };
      }
      if (attempt >= COPY_ATTEMPTS) {
        throw new PayloadError("CHANGED", `changed during copy (${COPY_ATTEMPTS} attempts)`);
      }
      fs.ftruncateSync(dfd, 0);
      if (ddfd >= 0) {
        // Copy again buffered: a short read that was not EOF cannot continue aligned.
        fs.closeSync(ddfd);
        ddfd = -1;
      }
      st = after;
    }
  } finally {
    fs.closeSync(sfd);
    if (ddfd >= 0) fs.closeSync(ddfd);
    if (dfd >= 0) {
      fs.closeSync(dfd);
      // A failed copy must not leave an orphan payload behind.
      // (force: after the last name was given back, it is already gone.)
      if (!done) fs.rmSync(dst, { force: true });
    }
  }
}

/**
 * SHA-256 and size of a regular file, read once; refuses symlinks and non-regular files.
 * @throws PayloadError NOT_REGULAR, or the system error of a failed step.
 */
export function hashFile(path: BPath, buf: Uint8Array): { hash: string; size: number } {
  const fd = fs.openSync(fsPath(path), SRC_FLAGS);
  try {
    if (!fs.fstatSync(fd).isFile()) throw new PayloadError("NOT_REGULAR", "not a regular file");
    const hash = createHash("sha256");
    let size = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.byteLength, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      size += n;
    }
    return { hash: hash.digest("hex"), size };
  } finally {
    fs.closeSync(fd);
  }
}

/** Creates a symlink payload holding `text`; returns the ts used. */
export function createSymlinkPayload(
  dir: BPath,
  name: BPath,
  tag: string,
  ts: number,
  text: BPath,
): number {
  // symlink(2) fails with EEXIST on any existing name: exclusive by nature.
  return reservePayload(dir, name, tag, ts, (p) => fs.symlinkSync(fsPath(text), p));
}

/** Creates an empty 0600 tombstone payload; returns the ts used. */
export function createTombstone(dir: BPath, name: BPath, tag: string, ts: number): number {
  return reservePayload(dir, name, tag, ts, (p) => fs.closeSync(fs.openSync(p, DST_FLAGS, 0o600)));
}
