/**
 * The run lock: one exclusive flock(2) held for a whole `snapshot`, `restore`,
 * `prune` or `run`, so cron runs never interleave.
 *
 * The lock file is opened O_NOFOLLOW (a symlink planted at its path is refused, not
 * followed) and never truncated before the lock is held; `flock(LOCK_EX|LOCK_NB)` is
 * polled every 25 ms until `--lock-timeout`, then the run gives up with LOCKED (exit 30)
 * naming the file and the holder. The holder, once it has the lock, writes its PID and
 * the time it took it into the file (`{"pid":1234,"since":TS}`), for that message only:
 * the flock is the lock. The kernel drops the lock when the process dies, so a crash
 * never leaves it stuck.
 */
import { fs, proc } from "./sys.ts";
import { posix } from "./posix.ts";
import { type BPath, fsPath, toText } from "./bpath.ts";
import { errnoOf, reasonOf, SnapyardError } from "../errors.ts";
import { LOCK_EX, LOCK_NB, LOCK_UN, tryFlock } from "./runtime.ts";

const POLL_MS = 25;

/** The lock file used when `--lock` is not given (documented in `--help`). */
export function defaultLockPath(store: BPath | undefined): BPath {
  if (store !== undefined) return posix.join(store, ".snapyard.lock");
  const uid = proc.uid();
  if (uid === 0) return "/run/lock/snapyard.lock";
  return posix.join(process.getBuiltinModule("node:os").tmpdir(), `snapyard-${uid}.lock`);
}

/** A held lock; `release()` is idempotent. */
export interface HeldLock {
  path: BPath;
  waitedMs: number;
  release(): void;
}

/**
 * Takes the exclusive lock on `path`, waiting up to `timeoutMs`.
 * @throws SnapyardError LOCKED on timeout; INTERNAL when the file cannot be opened or locked
 * (on Deno without the FFI, saying which permission is missing).
 */
export async function acquireLock(path: BPath, timeoutMs: number): Promise<HeldLock> {
  const { O_RDWR, O_CREAT, O_NOFOLLOW } = fs.constants;
  let fd: number;
  try {
    fs.mkdirSync(fsPath(posix.dirname(path)), { recursive: true });
    fd = fs.openSync(fsPath(path), O_RDWR | O_CREAT | O_NOFOLLOW, 0o600);
  } catch (e) {
    throw new SnapyardError("INTERNAL", `Cannot open lock file "${toText(path)}": ${reasonOf(e)}`);
  }
  const t0 = performance.now();
  try {
    while (!tryFlock(fd, LOCK_EX | LOCK_NB)) {
      if (performance.now() - t0 >= timeoutMs) {
        throw new SnapyardError(
          "LOCKED",
          `Cannot lock "${toText(path)}": held by another snapyard run${holderText(fd)} ` +
            `for over ${timeoutMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } catch (e) {
    fs.closeSync(fd);
    if (e instanceof SnapyardError) throw e;
    throw new SnapyardError("INTERNAL", `Cannot lock "${toText(path)}": ${reasonOf(e)}`);
  }
  try {
    recordHolder(fd);
  } catch (e) {
    fs.closeSync(fd);
    throw new SnapyardError("INTERNAL", `Cannot lock "${toText(path)}": ${reasonOf(e)}`);
  }
  let held = true;
  return {
    path,
    waitedMs: performance.now() - t0,
    release() {
      if (!held) return;
      held = false;
      try {
        // The record goes first: a run that finds the lock taken must not name us.
        fs.ftruncateSync(fd, 0);
      } finally {
        tryFlock(fd, LOCK_UN);
        fs.closeSync(fd);
      }
    },
  };
}

/** Writes this process as the holder into the lock file `fd`, which it holds. */
function recordHolder(fd: number): void {
  const text = JSON.stringify({ pid: proc.pid(), since: Date.now() }) + "\n";
  fs.ftruncateSync(fd, 0);
  try {
    // At the file offset, 0 (nothing has moved it): write(2), not pwrite(2).
    fs.writeSync(fd, text);
  } catch (e) {
    // A full filesystem: the record only names us in another run's message; the flock
    // is the lock, so the run goes on without it.
    if (errnoOf(e) === "ENOSPC" || errnoOf(e) === "EDQUOT") return;
    throw e;
  }
}

/**
 * ` (PID 1234 since 2025-11-25T01:02:03.456Z)` from the holder's record in `fd`, or ""
 * when there is none yet (it is being written) or it is not ours.
 */
function holderText(fd: number): string {
  const buf = new Uint8Array(256);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  let rec: unknown;
  try {
    rec = JSON.parse(new TextDecoder().decode(buf.subarray(0, n)));
  } catch (e) {
    // Empty, half written, or written by an older version: no holder to name.
    if (e instanceof SyntaxError) return "";
    throw e;
  }
  if (typeof rec !== "object" || rec === null) return "";
  const { pid, since } = rec as { pid?: unknown; since?: unknown };
  if (!Number.isSafeInteger(pid) || !Number.isSafeInteger(since)) return "";
  return ` (PID ${pid} since ${new Date(since as number).toISOString()})`;
}
