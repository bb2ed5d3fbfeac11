/**
 * Errors that carry their contract code from where they are born.
 *
 * `main.ts` maps each `ErrorCode` to a process exit code in one switch; nothing
 * classifies an error by searching its message text.
 */

/** Outcome codes of the command-line contract (see docs/cli.md, Exit codes). */
export type ErrorCode =
  | "INTERNAL" // 1
  | "USAGE" // 2
  | "PARTIAL" // 3
  | "LOCKED" // 30
  | "BACKUP_MISSING" // 60
  | "RESTORE_FAILED" // 70
  | "INTEGRITY" // 71
  | "COMMAND_FAILED"; // 80

/** An error with a contract code; its message already names the path and the reason. */
export class SnapyardError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "SnapyardError";
    this.code = code;
  }
}

/** A usage error: bad flag, bad tag, bad duration. */
export function usage(message: string): SnapyardError {
  return new SnapyardError("USAGE", message);
}

/** The errno name of a Node-style system error (`"ENOENT"`), or undefined. */
export function errnoOf(e: unknown): string | undefined {
  if (typeof e === "object" && e !== null && "code" in e) {
    const code = (e as { code: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

const REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENAMETOOLONG: "name too long for the filesystem",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EIO: "input/output error",
  EROFS: "read-only filesystem",
  ELOOP: "is a symbolic link",
  EISDIR: "is a directory",
  ENOTDIR: "not a directory",
  EEXIST: "already exists",
  EXDEV: "crosses filesystems",
  ENOTEMPTY: "directory not empty",
  EBUSY: "resource busy",
};

/**
 * A short human reason for a caught error, or for a `{ code, message }` that crossed
 * the thread boundary: `"permission denied (EACCES)"`.
 */
export function reasonOf(e: unknown): string {
  const code = errnoOf(e);
  if (code !== undefined && REASONS[code] !== undefined) return `${REASONS[code]} (${code})`;
  const message = typeof e === "object" && e !== null && "message" in e &&
      typeof (e as { message: unknown }).message === "string"
    ? (e as { message: string }).message
    : String(e);
  return code !== undefined && !message.includes(code) ? `${message} (${code})` : message;
}
