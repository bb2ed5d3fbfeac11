/**
 * System errors for errno numbers that FFI calls (lib/fs/runtime.ts, lib/fs/statx.ts) return:
 * Node-style errors with `code`, `errno` and `syscall`, as `node:fs` throws them, so callers
 * handle both the same way. The names come from `node:os`, loaded with the first error.
 */

/** errno numbers by name (`node:os`), built with the first error. */
let errnoNames: Map<number, string> | undefined;

function errnoName(errno: number): string | undefined {
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
    & { code: string; errno: number; syscall: string };
  e.code = code;
  e.errno = -errno;
  e.syscall = syscall;
  return e;
}
