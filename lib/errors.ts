/**
 * Errors that carry their code from where they are born, and the words for each code.
 *
 * Two kinds of code: an `ErrorCode` is an outcome of the command-line contract
 * (`EXIT_CODES` maps each to its exit code, for main.ts and the `--json` error event); a `FailureCode` says why a step on
 * one file failed (an errno name or one of ours) and crosses the thread boundary as
 * `{ code, message }`. Nothing classifies an error by searching its message text.
 * The words for people: `reasonOf` for any caught error, `failureReason` for a failure
 * of a step on one file (the copy or hash of a source, a payload or a target).
 */

/** Outcome codes of the command-line contract (see docs/cli.md, Exit codes). */
export type ErrorCode =
  | "INTERNAL" // 1
  | "USAGE" // 2
  | "PARTIAL" // 3
  | "STORE_UNUSABLE" // 10
  | "LOCKED" // 30
  | "BACKUP_MISSING" // 60
  | "RESTORE_FAILED" // 70
  | "INTEGRITY" // 71
  | "COMMAND_FAILED"; // 80

/** A command's outcome; main.ts maps it to the exit code. */
export type Outcome = "OK" | ErrorCode;

/**
 * The exit code of each outcome (docs/cli.md, Exit codes). 10 is restic's "repository
 * does not exist"; 1 stays "a bug of ours".
 */
export const EXIT_CODES: Readonly<Record<Outcome, number>> = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  PARTIAL: 3,
  STORE_UNUSABLE: 10,
  LOCKED: 30,
  BACKUP_MISSING: 60,
  RESTORE_FAILED: 70,
  INTEGRITY: 71,
  COMMAND_FAILED: 80,
};

/** An error that carries the code it was born with (the base of snapyard's two kinds). */
class CodedError<C extends string> extends Error {
  readonly code: C;
  constructor(code: C, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An error with a contract code; its message already names the path and the reason. */
export class SnapyardError extends CodedError<ErrorCode> {}

/** A usage error: bad flag, bad tag, bad duration. */
export function usage(message: string): SnapyardError {
  return new SnapyardError("USAGE", message);
}

/** errno names some code handles by name. */
export type Errno =
  | "EACCES"
  | "EAGAIN"
  | "EBUSY"
  | "EDQUOT"
  | "EEXIST"
  | "EINVAL"
  | "EIO"
  | "EISDIR"
  | "ELOOP"
  | "ENAMETOOLONG"
  | "ENOENT"
  | "ENOSPC"
  | "ENOTDIR"
  | "ENOTEMPTY"
  | "ENOTSUP"
  | "EPERM"
  | "EROFS"
  | "EXDEV";

/** Failure codes of ours; each is born in one place. */
export type OwnFailureCode =
  /** The file is not a regular file (fstat of the open fd; lib/fs/copy_hash.ts). */
  | "NOT_REGULAR"
  /** The file kept changing while it was copied (lib/snapshot/payload.ts). */
  | "CHANGED"
  /** The entry directory refused the payload (EACCES, EPERM, EROFS; lib/snapshot/payload.ts). */
  | "DIR_NOT_WRITABLE"
  /** The worker that had the job died or failed; the job's outcome is unknown. */
  | "WORKER_DIED"
  /** A thrown value without a code. */
  | "EUNKNOWN";

/**
 * Why a step on one file failed: a named errno, one of ours, or any other errno the
 * system gives (`E${string}`: open, so a new errno crosses the boundary unchanged).
 */
export type FailureCode = Errno | OwnFailureCode | `E${string}`;

const OWN_FAILURE_CODES: ReadonlySet<string> = new Set<OwnFailureCode>([
  "NOT_REGULAR",
  "CHANGED",
  "DIR_NOT_WRITABLE",
  "WORKER_DIED",
  "EUNKNOWN",
]);

/** Whether `code` is a `FailureCode` (one of ours, or errno-shaped). */
export function isFailureCode(code: string): code is FailureCode {
  return OWN_FAILURE_CODES.has(code) || /^E[A-Z0-9_]+$/.test(code);
}

/** A failure of a step on one file, with its `FailureCode`. */
export class FailureError extends CodedError<FailureCode> {}

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

/** The `FailureCode` of a caught error: its own, its errno, else `EUNKNOWN`. */
export function failureCodeOf(e: unknown): FailureCode {
  const code = errnoOf(e);
  return code !== undefined && isFailureCode(code) ? code : "EUNKNOWN";
}

/**
 * A short human reason for a caught error, or for a `{ code, message }` that crossed
 * the thread boundary: `"permission denied (EACCES)"`.
 */
export function reasonOf(e: unknown): string {
  const code = errnoOf(e);
  if (code !== undefined && REASONS[code] !== undefined) return `${REASONS[code]} (${code})`;
  const message = messageOf(e);
  return code !== undefined && !message.includes(code) ? `${message} (${code})` : message;
}

function messageOf(e: unknown): string {
  return typeof e === "object" && e !== null && "message" in e &&
      typeof (e as { message: unknown }).message === "string"
    ? (e as { message: string }).message
    : String(e);
}

/**
 * Words for a failure code whose message adds nothing, said of the file the step was
 * about (`Cannot snapshot "/etc/app.conf": vanished before it could be read`). Each
 * happens between a look at the file (the walk; the payload, written as a regular
 * file) and the open of the step that fails.
 */
const FAILURE_TEXT: Partial<Record<FailureCode, string>> = {
  ENOENT: "vanished before it could be read",
  ELOOP: "was replaced by a symlink (not followed)",
  NOT_REGULAR: "was replaced by a non-regular file",
};

/**
 * The one reason text for the failure of a step on one file (copy, hash, stat of a
 * payload): `e` is a `{ code, message }` that crossed the thread boundary, or an error
 * caught on this thread. Our codes whose message is the detail (`CHANGED`,
 * `DIR_NOT_WRITABLE`, `WORKER_DIED`, `EUNKNOWN`) give that message; another errno gives `reasonOf`'s words.
 */
export function failureReason(e: unknown): string {
  const code = failureCodeOf(e);
  const text = FAILURE_TEXT[code];
  if (text !== undefined) return text;
  if (OWN_FAILURE_CODES.has(code)) return messageOf(e);
  return reasonOf(e);
}
