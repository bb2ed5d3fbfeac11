/**
 * Atomic file replacement primitives.
 *
 * `writeTempFile` creates a fresh temp name beside `final` (O_EXCL, so it never
 * clobbers), writes all bytes and checks the count, closes, and on any error removes
 * the temp. Durability (fsync or syncfs) and the rename are the caller's, so a batch
 * of writes can share one flush. `atomicWriteFile` is the single-file form:
 * temp → write → fsync → rename, with the directory fsync left to the caller.
 * Open, write, rename and unlink go through the `Io` seam (lib/fs/io.ts).
 */
import { fs } from "./sys.ts";
import type { BPath } from "./bpath.ts";
import { type Io, realIo, removeLeftover } from "./io.ts";
import { tempName } from "../store/layout.ts";

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL } = fs.constants;

/**
 * Writes `data` to a new temp file for `final`; returns the temp's path. No fsync.
 * `written` is called with the open fd once every byte is written (to fstat it).
 * @throws the system error of the failed step (the temp is removed first).
 */
export function writeTempFile(
  final: BPath,
  data: string | Uint8Array,
  mode = 0o600,
  io: Io = realIo,
  written?: (fd: number) => void,
): BPath {
  const tmp = tempName(final);
  // O_EXCL: a temp name is ours alone; never write through someone else's file.
  const fd = io.open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < bytes.byteLength) off += io.write(fd, bytes, off, bytes.byteLength - off);
    written?.(fd);
    fs.closeSync(fd);
  } catch (e) {
    closeQuietly(fd);
    removeLeftover(io, tmp);
    throw e;
  }
  return tmp;
}

/**
 * Replaces `final` atomically with `data`: temp, write, fsync, rename. The caller
 * fsyncs the directory (once for a batch).
 * @throws the system error of the failed step (the temp is removed first).
 */
export function atomicWriteFile(
  final: BPath,
  data: string | Uint8Array,
  mode = 0o600,
  io: Io = realIo,
): void {
  const tmp = writeTempFile(final, data, mode, io);
  try {
    // The bytes must be durable before the name can point at them.
    const fd = io.open(tmp, O_RDONLY);
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    io.rename(tmp, final);
  } catch (e) {
    removeLeftover(io, tmp);
    throw e;
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch (_e) {
    // Already failing: the first error is the one reported.
  }
}
