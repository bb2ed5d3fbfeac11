/**
 * The unchanged judgement of a file target against a cached version (lib/store/cache.ts),
 * on the fields of the last statx(2) result (lib/fs/statx_text.ts), with no string built:
 * what an unchanged re-run asks for every target, three times.
 *
 * Each check answers yes only where the judgement on full stats would (`CachedVersion`
 * `matches` of the sidecar's `stampText`; the payload's kind and size; lib/store/identity.ts
 * `changeReason` finding the file unchanged). A no may be a "cannot tell here": the caller
 * then judges the slower way, which decides.
 */
import {
  devNumber,
  devText,
  statxView,
  STX_CTIME as CTIME,
  STX_GID as GID,
  STX_INO as INO,
  STX_MODE as MODE,
  STX_MTIME as MTIME,
  STX_SIZE as SIZE,
  STX_UID as UID,
  u64Number,
} from "../fs/statx.ts";
import { S_IF, S_IFMT } from "../fs/linux.ts";
import { decimal, msOf, nsAtMost, nsIs, u32Is, u64Is } from "../fs/statx_text.ts";
import { racyMs } from "./identity.ts";

/**
 * The stat fields a cached version records of its file target, as a cache row holds them
 * (`null`: not recorded): checked here as they are used, any other type being a no.
 */
export interface RecordedFile {
  /** A number. */
  size: unknown;
  /** Octal text, as in a sidecar. */
  mode: unknown;
  uid: unknown;
  gid: unknown;
  /** The entry's run (ms), for the racy rule. */
  run: unknown;
  /** `dev:ino:mtime_ns:ctime_ns`. */
  identity: unknown;
}

/**
 * Whether the last statx result is of a sidecar file stamped `stamp`
 * (`ino:size:mtime_ns:ctime_ns`, the ctime a bound): same inode, size and mtime, ctime not
 * later.
 */
export function statxHasStamp(stamp: string): boolean {
  const c1 = stamp.indexOf(":");
  const c2 = stamp.indexOf(":", c1 + 1);
  const c3 = stamp.indexOf(":", c2 + 1);
  return c3 > 0 && u64Is(INO, stamp, 0, c1) && u64Is(SIZE, stamp, c1 + 1, c2) &&
    nsIs(MTIME, stamp, c2 + 1, c3) && nsAtMost(CTIME, stamp, c3 + 1, stamp.length);
}

/** Whether the last statx result is of a regular file of `size` bytes (any size: null). */
export function statxIsFileOf(size: unknown): boolean {
  if ((statxView.getUint16(MODE, true) & S_IFMT) !== S_IF.REG) return false;
  if (size === null) return true;
  return typeof size === "number" && u64Number(SIZE) === size;
}

/**
 * Whether the last statx result is of a regular file that holds the state `r` recorded:
 * size, mode, owner, inode (unless `ignoreInode`), mtime and ctime, and times older than
 * the entry's run by the racy margin. False when anything is not recorded.
 */
export function statxIsUnchangedFile(r: RecordedFile, ignoreInode: boolean): boolean {
  const { size, mode, uid, gid, run, identity } = r;
  if (
    typeof identity !== "string" || typeof size !== "number" || typeof mode !== "string" ||
    typeof uid !== "number" || typeof gid !== "number" || typeof run !== "number"
  ) return false;
  const m = statxView.getUint16(MODE, true);
  if (!statxIsFileOf(size) || m !== octal(mode)) return false;
  if (!u32Is(UID, uid) || !u32Is(GID, gid)) return false;
  const c1 = identity.indexOf(":");
  const c2 = identity.indexOf(":", c1 + 1);
  const c3 = identity.indexOf(":", c2 + 1);
  if (c3 < 0) return false;
  if (!ignoreInode && !(devIs(identity, c1) && u64Is(INO, identity, c1 + 1, c2))) return false;
  if (!nsIs(MTIME, identity, c2 + 1, c3) || !nsIs(CTIME, identity, c3 + 1, identity.length)) {
    return false;
  }
  const mtimeMs = msOf(MTIME);
  const ctimeMs = msOf(CTIME);
  // Before 1970: left to the judgement on full stats.
  if (mtimeMs !== mtimeMs || ctimeMs !== ctimeMs) return false;
  const coarse = statxView.getUint32(MTIME + 8, true) === 0 &&
    statxView.getUint32(CTIME + 8, true) === 0;
  return !racyMs(Math.max(mtimeMs, ctimeMs), coarse, run);
}

/** Whether the device of the last statx result is the `makedev` decimal `text[0, to)`. */
function devIs(text: string, to: number): boolean {
  const v = decimal(text, 0, to);
  const dev = devNumber();
  return v < 0 || dev < 0 ? devText() === text.slice(0, to) : v === dev;
}

/** Octal `text` (a sidecar's mode: 1 to 7 octal digits) as a number; -1 when it is not. */
function octal(text: string): number {
  if (text.length < 1 || text.length > 7) return -1;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 7) return -1;
    v = v * 8 + d;
  }
  return v;
}
