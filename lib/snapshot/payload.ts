/**
 * Payload writers: the copy of a regular file into a new payload while hashing it (run
 * in workers; the one-read primitive is lib/fs/copy_hash.ts), the symlink payload and
 * the tombstone, all created under an exclusively reserved name.
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
import type { Buffer } from "node:buffer";
import { fs } from "../fs/sys.ts";
import { posix } from "../fs/posix.ts";
import { type BPath, fsPath, readNames, toText } from "../fs/bpath.ts";
import { errnoOf, FailureError, reasonOf } from "../errors.ts";
import { parseAnyName, payloadName, sidecarName } from "../store/layout.ts";
import { type FdStat, fstatFd } from "../fs/stat.ts";
import { identityOf } from "../store/identity.ts";
import type { Identity } from "../store/sidecar.ts";
import type { FileEntry } from "../pool/protocol.ts";
import {
  copyHashFd,
  DIRECT_ALIGN,
  directWritesUsable,
  openDirect,
  SOURCE_FLAGS,
  stopDirectWrites,
} from "../fs/copy_hash.ts";

const { O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
const DST_FLAGS = O_WRONLY | O_CREAT | O_EXCL;
/** The errnos of a create that mean the directory cannot be written. */
const UNWRITABLE: ReadonlySet<string> = new Set(["EACCES", "EPERM", "EROFS"]);

/** Files this large or larger are written with O_DIRECT (when the caller's buffer allows). */
export const DIRECT_MIN_SIZE = 1 << 20;

/** How many times a file that changes while copied is copied again before failing. */
export const COPY_ATTEMPTS = 3;
/** How many later timestamps are tried when a name is taken. */
const RESERVE_ATTEMPTS = 1000;

/**
 * Creates a payload under `.<name>.<tag>.<ts>.bak`, moving to the next ts while either
 * that payload name or its sidecar name exists (exclusive create, then a look-up of the
 * sidecar name: a sidecar-only name is never overwritten). Returns the ts it used.
 * @throws FailureError DIR_NOT_WRITABLE naming `dir` when it refuses the create (EACCES,
 * EPERM, EROFS); the create's error for anything else but EEXIST.
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
      if (UNWRITABLE.has(errnoOf(e) ?? "")) {
        // Said of the directory: the target itself is readable, its directory is not ours.
        throw new FailureError(
          "DIR_NOT_WRITABLE",
          `cannot write directory "${toText(dir)}": ${reasonOf(e)}`,
        );
      }
      throw e;
    }
    if (sidecarTaken(dir, sidecarName(name, tag, t), ts)) {
      // A sidecar without payload holds this ts: give the name back and move on.
      fs.unlinkSync(p);
      continue;
    }
    return t;
  }
  throw new FailureError("EEXIST", `no free entry name after ${RESERVE_ATTEMPTS} timestamps`);
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
    for (const n of readNames(dir)) {
      const p = parseAnyName(n);
      if (p !== undefined && p.kind === "sidecar" && p.ts >= runTs) ahead.add(n);
    }
    if (sidecarsAhead.size >= MAX_CACHED_DIRS) sidecarsAhead.clear();
    sidecarsAhead.set(key, ahead);
  }
  return ahead.has(sidecar);
}

/** What a file copy learned: a worker's result without its sidecar temp, its identity whole. */
export type CopiedFile = Omit<FileEntry, "sidecarTemp" | "sidecarStamp" | "identity"> & {
  identity: Identity;
};

function sameState(a: FdStat, b: FdStat): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs &&
    a.ino === b.ino;
}

/**
 * Copies regular file `src` to a new payload of (`dir`, `name`, `tag`, `ts`) while
 * hashing it, reading each byte once. `buf` is a reused scratch buffer; `direct`, if
 * given, one whose address and length are multiples of `DIRECT_ALIGN`, used to write
 * files of `DIRECT_MIN_SIZE` or more with O_DIRECT.
 * @throws FailureError NOT_REGULAR / CHANGED, or the system error of a failed step.
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
  const sfd = fs.openSync(fsPath(src), SOURCE_FLAGS);
  let dfd = -1;
  let ddfd = -1;
  let dst: string | Buffer = "";
  let done = false;
  try {
    let st = fstatFd(sfd);
    if (!st.isFile) throw new FailureError("NOT_REGULAR", "not a regular file");
    const used = reservePayload(dir, name, tag, ts, (p) => {
      // A name given back (its ts held by a sidecar) is already unlinked: close its fd.
      if (dfd >= 0) fs.closeSync(dfd);
      dfd = -1;
      dfd = fs.openSync(p, DST_FLAGS, 0o600);
      dst = p;
    });
    if (direct !== undefined && directWritesUsable() && st.size >= DIRECT_MIN_SIZE) {
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
          stopDirectWrites();
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
          identity: identityOf(after),
        };
      }
      if (attempt >= COPY_ATTEMPTS) {
        throw new FailureError("CHANGED", `changed during copy (${COPY_ATTEMPTS} attempts)`);
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
