/**
 * System errors for errno numbers that FFI calls (lib/fs/deno_fs.ts, lib/fs/runtime.ts,
 * lib/fs/statx.ts) return: Node-style errors with `code`, `errno`, `syscall` and `path`, as
 * `node:fs` throws them, so callers handle both the same way. The names of the errnos a
 * file system call commonly gives are here (Linux numbers them alike on every
 * architecture); any other name comes from `node:os`, loaded with the first such error.
 */

const COMMON: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  4: "EINTR",
  5: "EIO",
  6: "ENXIO",
  9: "EBADF",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  16: "EBUSY",
  17: "EEXIST",
  18: "EXDEV",
  20: "ENOTDIR",
  21: "EISDIR",
  22: "EINVAL",
  23: "ENFILE",
  24: "EMFILE",
  26: "ETXTBSY",
  27: "EFBIG",
  28: "ENOSPC",
  30: "EROFS",
  31: "EMLINK",
  36: "ENAMETOOLONG",
  38: "ENOSYS",
  39: "ENOTEMPTY",
  40: "ELOOP",
  95: "ENOTSUP",
  116: "ESTALE",
  122: "EDQUOT",
};

/** errno numbers by name (`node:os`), built with the first error not in `COMMON`. */
let errnoNames: Map<number, string> | undefined;

function errnoName(errno: number): string | undefined {
  if (COMMON[errno] !== undefined) return COMMON[errno];
  errnoNames ??= new Map(
    Object.entries(process.getBuiltinModule("node:os").constants.errno)
      .map(([name, n]) => [n as number, name]),
  );
  return errnoNames.get(errno);
}

/** A Node-style system error for an errno number. */
export function errnoError(syscall: string, errno: number, path?: string): Error {
  const code = errnoName(errno) ?? `E${errno}`;
  const e = new Error(`${syscall} failed: ${code}${path === undefined ? "" : ` "${path}"`}`) as
    & Error
    & { code: string; errno: number; syscall: string; path?: string };
  e.code = code;
  e.errno = -errno;
  e.syscall = syscall;
  if (path !== undefined) e.path = path;
  return e;
}
