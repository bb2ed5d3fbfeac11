/**
 * The one-read copy+hash primitive: each byte of a file is read once, hashed and (for a
 * copy) written; and hashing a file without following a symlink. Used by the payload
 * writer (lib/snapshot/payload.ts), the restore (lib/restore/apply.ts) and the pool's
 * hash jobs (lib/pool/serve.ts).
 *
 * O_DIRECT writes: a destination opened with `openDirect` is written from a buffer whose
 * address and length are multiples of `DIRECT_ALIGN`. Where a filesystem refuses
 * O_DIRECT (EINVAL: tmpfs, some FUSE filesystems), this thread stops trying for the rest
 * of the run (`directWritesUsable`, `stopDirectWrites`).
 */
import type { Hash } from "node:crypto";
import type { Buffer } from "node:buffer";
import { fs } from "./sys.ts";
import { type BPath, fsPath } from "./bpath.ts";
import { errnoOf, FailureError } from "../errors.ts";

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK, O_WRONLY } = fs.constants;
/**
 * A new SHA-256 hash. node:crypto is loaded with the first one: a run that copies and
 * hashes nothing does not evaluate it (Bun: ~10 ms).
 */
function sha256(): Hash {
  return process.getBuiltinModule("node:crypto").createHash("sha256");
}

/** O_DIRECT differs between architectures: only the runtime's own value is used. */
const O_DIRECT: number | undefined = (fs.constants as Record<string, number>).O_DIRECT;

/**
 * Flags to open a file to read: a symlink swapped in is refused (ELOOP), a FIFO swapped
 * in cannot block the open.
 */
export const SOURCE_FLAGS = O_RDONLY | O_NOFOLLOW | O_NONBLOCK;

/** Address, length and file-offset alignment of O_DIRECT writes (covers 4 KiB-sector disks). */
export const DIRECT_ALIGN = 4096;
/** Per thread: false once a filesystem refused O_DIRECT; the rest of the run is buffered. */
let directUsable = O_DIRECT !== undefined;

/** Whether this thread still tries O_DIRECT writes. */
export function directWritesUsable(): boolean {
  return directUsable;
}

/** A filesystem refused an O_DIRECT write: this thread writes buffered from now on. */
export function stopDirectWrites(): void {
  directUsable = false;
}

/** pwrite(2) as `fs.writeSync` takes it (restore passes its `Io` seam's `write`). */
export type WriteFn = (
  fd: number,
  buf: Uint8Array,
  offset: number,
  length: number,
  position: number,
) => number;

/**
 * Copies fd `src` to fd `dst` from offset 0 while hashing: each byte is read once,
 * hashed and written. Stops at EOF or once at least `limit` bytes are copied.
 * `align` > 1 is for an O_DIRECT `dst` (`buf`'s address and length are multiples of
 * it): a short chunk is written padded with zeros to `align`, the file is truncated to
 * the bytes copied and the copy stops there (a regular file's EOF; a file that did not
 * end there fails the caller's size check). `write` is pwrite(2) (default `fs.writeSync`).
 * @throws the system error of a failed read, write or truncate.
 */
export function copyHashFd(
  src: number,
  dst: number,
  buf: Uint8Array,
  limit = Infinity,
  align = 1,
  write: WriteFn = fs.writeSync,
): { hash: string; bytes: number } {
  const hash = sha256();
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
    while (off < len) off += write(dst, buf, off, len - off, pos + off);
    pos += n;
    if (len !== n) {
      fs.ftruncateSync(dst, pos);
      break;
    }
  } while (pos < limit);
  return { hash: hash.digest("hex"), bytes: pos };
}

/**
 * A second, O_DIRECT fd on the file `path` just created as `fd`, or -1 when the
 * filesystem refuses O_DIRECT (then this thread stops trying).
 * @throws the system error of a failed open or fstat, or EEXIST if `path` was replaced.
 */
export function openDirect(path: string | Buffer, fd: number): number {
  let dfd: number;
  try {
    dfd = fs.openSync(path, O_WRONLY | O_NOFOLLOW | O_DIRECT!);
  } catch (e) {
    if (errnoOf(e) !== "EINVAL") throw e;
    stopDirectWrites();
    return -1;
  }
  const a = fs.fstatSync(fd);
  const b = fs.fstatSync(dfd);
  if (a.ino !== b.ino || a.dev !== b.dev) {
    fs.closeSync(dfd);
    throw new FailureError("EEXIST", "payload was replaced while being written");
  }
  return dfd;
}

/**
 * SHA-256 and size of a regular file, read once; refuses symlinks and non-regular files.
 * @throws FailureError NOT_REGULAR, or the system error of a failed step.
 */
export function hashFile(path: BPath, buf: Uint8Array): { hash: string; size: number } {
  const fd = fs.openSync(fsPath(path), SOURCE_FLAGS);
  try {
    if (!fs.fstatSync(fd).isFile()) throw new FailureError("NOT_REGULAR", "not a regular file");
    const hash = sha256();
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
