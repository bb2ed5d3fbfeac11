/**
 * Durability primitives, behind a seam (`Io`) so tests can inject failures.
 *
 * - `syncfs`: one flush of a whole filesystem (lib/fs/runtime.ts, syncfs(2) via FFI).
 * - `fsyncDir`: fsync of a directory, making the names in it durable.
 * Errors are reported, never swallowed; the only tolerated errnos are named below.
 */
import * as fs from "node:fs";
import { type BPath, fsPath } from "./bpath.ts";
import { errnoOf } from "../errors.ts";
import { syncFilesystem } from "./runtime.ts";

/** The filesystem operations of a commit, replaceable in tests. */
export interface Io {
  syncfs(dir: BPath): void;
  fsyncDir(dir: BPath): void;
  rename(from: BPath, to: BPath): void;
}

/** The real thing. */
export const realIo: Io = {
  syncfs: (dir) => syncFilesystem(fsPath(dir)),
  fsyncDir,
  rename: (from, to) => fs.renameSync(fsPath(from), fsPath(to)),
};

/**
 * fsyncs a directory.
 * @throws the system error, except EINVAL/ENOTSUP: filesystems without directory
 * fsync (some FUSE and network mounts) answer so, and there is nothing more to flush.
 */
export function fsyncDir(dir: BPath): void {
  const fd = fs.openSync(fsPath(dir), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    const code = errnoOf(e);
    if (code !== "EINVAL" && code !== "ENOTSUP") throw e;
  } finally {
    fs.closeSync(fd);
  }
}
