/**
 * Atomic file replacement primitives.
 *
 * `writeTempFile` creates a fresh temp name beside `final` (O_EXCL, so it never
 * clobbers), writes all bytes and checks the count, closes, and on any error removes
 * the temp. Durability (fsync or syncfs) and the rename are the caller's, so a batch
 * of writes can share one flush. `atomicWriteFile` is the single-file form:
 * temp → write → fsync → rename, with the directory fsync left to the caller.
 */
import * as fs from "node:fs";
import { type BPath, fsPath } from "./bpath.ts";
import { tempName } from "../store/layout.ts";

const { O_WRONLY, O_CREAT, O_EXCL } = fs.constants;

/**
 * Writes `data` to a new temp file for `final`; returns the temp's path. No fsync.
 * @throws the system error of the failed step (the temp is removed first).
 */
export function writeTempFile(final: BPath, data: string | Uint8Array, mode = 0o600): BPath {
  const tmp = tempName(final);
  const p = fsPath(tmp);
  // O_EXCL: a temp name is ours alone; never write through someone else's file.
  const fd = fs.openSync(p, O_WRONLY | O_CREAT | O_EXCL, mode);
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < bytes.byteLength) off += fs.writeSync(fd, bytes, off, bytes.byteLength - off);
    fs.closeSync(fd);
  } catch (e) {
    closeQuietly(fd);
    fs.rmSync(p, { force: true });
    throw e;
  }
  return tmp;
}

/**
 * Replaces `final` atomically with `data`: temp, write, fsync, rename. The caller
 * fsyncs the directory (once for a batch).
 * @throws the system error of the failed step (the temp is removed first).
 */
export function atomicWriteFile(final: BPath, data: string | Uint8Array, mode = 0o600): void {
  const tmp = writeTempFile(final, data, mode);
  try {
    // The bytes must be durable before the name can point at them.
    const fd = fs.openSync(fsPath(tmp), "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(fsPath(tmp), fsPath(final));
  } catch (e) {
    fs.rmSync(fsPath(tmp), { force: true });
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
