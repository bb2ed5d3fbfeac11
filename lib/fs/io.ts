/**
 * The filesystem operations of the commit, restore-apply and prune paths, behind a seam
 * (`Io`) so tests can inject failures (ENOSPC, EIO, a vanished file) into any of them.
 *
 * - `syncfs`: one flush of a whole filesystem (lib/fs/runtime.ts, syncfs(2) via FFI).
 * - `fsyncDir`: fsync of a directory, making the names in it durable.
 * - `rename`, `unlink`, `open`, `write`: the system calls, with unlink(2)'s meaning on
 *   every runtime (a directory is refused, see `unlinkFile`).
 * Errors are thrown as they come, keeping their `code`; the only tolerated errnos are
 * named below. The workers' payload copy loop (lib/snapshot/payload.ts) stays off the
 * seam: it is the hot path, and the strace tests cover it.
 */
import { fs } from "./sys.ts";
import { type BPath, fsPath, toText } from "./bpath.ts";
import { errnoOf } from "../errors.ts";
import { syncFilesystem } from "./runtime.ts";

/** The filesystem operations of a commit, a restore and a prune, replaceable in tests. */
export interface Io {
  syncfs(dir: BPath): void;
  fsyncDir(dir: BPath): void;
  rename(from: BPath, to: BPath): void;
  /** Removes a name that is not a directory. @throws EISDIR for a directory. */
  unlink(path: BPath): void;
  /** open(2) with `fs.constants` flags (O_CREAT | O_EXCL for an exclusive create); an fd. */
  open(path: BPath, flags: number, mode?: number): number;
  /** Writes `length` bytes of `data` from `offset` at the file position; the count written. */
  write(fd: number, data: Uint8Array, offset: number, length: number, position?: number): number;
}

/** The real thing. */
export const realIo: Io = {
  syncfs: (dir) => syncFilesystem(fsPath(dir)),
  fsyncDir,
  rename: (from, to) => fs.renameSync(fsPath(from), fsPath(to)),
  unlink: unlinkFile,
  open: (path, flags, mode) => fs.openSync(fsPath(path), flags, mode),
  write: (fd, data, offset, length, position) =>
    fs.writeSync(fd, data, offset, length, position ?? null),
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

/**
 * unlink(2) on every runtime.
 * @throws EISDIR for a directory, ENOENT for a name already gone, or the system error.
 */
export function unlinkFile(path: BPath): void {
  const p = fsPath(path);
  // Deno's unlinkSync removes an empty directory (rmdir), unlink(2) never does: the kind
  // is checked first. A directory made in between is a tolerated race (an empty one).
  if (fs.lstatSync(p, { throwIfNoEntry: false })?.isDirectory()) {
    throw Object.assign(new Error(`"${toText(path)}" is a directory`), { code: "EISDIR" });
  }
  fs.unlinkSync(p);
}

/**
 * Removes a temp or payload of ours on a path that already failed.
 * Best effort, never throws: the first error is the one reported, and a file that
 * cannot be removed stays a leftover, which `verify` names and `prune` removes.
 */
export function removeLeftover(io: Io, path: BPath): void {
  try {
    io.unlink(path);
  } catch (_e) {
    // Best effort (above); ENOENT: already gone, which is the goal.
  }
}
