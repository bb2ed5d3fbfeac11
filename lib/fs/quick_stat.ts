/**
 * lstat(2) reduced to what an unchanged run asks per target: is the newest entry's
 * sidecar as cached (`quickStat`: kind, size, stamp), is its payload of the recorded kind
 * and size (`quickKindSize`), and is the target itself as its entry recorded
 * (`quickFileKey`: its stat identity as one string, `fileKeyText`). Built from struct statx without BigInts where the values fit;
 * through `lstatPath` where there is no FFI. Each says exactly what lib/fs/stat.ts would.
 */
import type { BPath } from "./bpath.ts";
import { lstatPath, stampText } from "./stat.ts";
import {
  devText,
  hasStatxPath,
  type Kind,
  kindOfMode,
  nsText,
  S_IFMT,
  S_IFREG,
  statxPath,
  statxView,
  STX_CTIME,
  STX_GID,
  STX_INO,
  STX_MODE,
  STX_MTIME,
  STX_SIZE,
  STX_UID,
  u64Number,
  u64Text,
} from "./statx.ts";

/** What `quickStat` gives: the kind, the size and the stamp of a path. */
export interface QuickStat {
  kind: Kind;
  size: number;
  stamp: string;
}

/**
 * `lstatPath` reduced to kind, size and `stampText` (an unchanged run looks so at the
 * newest entry's sidecar of each target); undefined when `path` does not exist.
 * @throws a system error (with `code`) for anything but ENOENT.
 */
export function quickStat(path: BPath): QuickStat | undefined {
  if (!hasStatxPath()) {
    const st = lstatPath(path);
    return st === undefined ? undefined : { kind: st.kind, size: st.size, stamp: stampText(st) };
  }
  if (!statxPath(path)) return undefined;
  const size = u64Number(STX_SIZE);
  return {
    kind: kindOfMode(statxView.getUint16(STX_MODE, true)),
    size,
    stamp: `${u64Text(STX_INO)}:${size}:${nsText(STX_MTIME)}:${nsText(STX_CTIME)}`,
  };
}

/**
 * `lstatPath` reduced to kind and size (what a payload is checked for), undefined when
 * `path` does not exist.
 * @throws a system error (with `code`) for anything but ENOENT.
 */
export function quickKindSize(path: BPath): { kind: Kind; size: number } | undefined {
  if (!hasStatxPath()) {
    const st = lstatPath(path);
    return st === undefined ? undefined : { kind: st.kind, size: st.size };
  }
  if (!statxPath(path)) return undefined;
  return { kind: kindOfMode(statxView.getUint16(STX_MODE, true)), size: u64Number(STX_SIZE) };
}

/** The stat identity of a regular file, each field as decimal text (`fileKeyText`). */
export interface FileKeyFields {
  size: number | string;
  mode: number | string;
  uid: number | string;
  gid: number | string;
  dev: bigint | string;
  ino: bigint | string;
  mtimeNs: bigint | string;
  ctimeNs: bigint | string;
}

/**
 * The stat identity of a regular file as one string: size, mode, owner, then (unless
 * `ignoreInode`) device and inode, then mtime and ctime in nanoseconds. Two files have
 * the same key exactly when the unchanged judgement (lib/store/identity.ts) compares
 * them equal, field by field.
 */
export function fileKeyText(f: FileKeyFields, ignoreInode: boolean): string {
  const inode = ignoreInode ? "-" : `${f.dev}:${f.ino}`;
  return `${f.size}:${f.mode}:${f.uid}:${f.gid}:${inode}:${f.mtimeNs}:${f.ctimeNs}`;
}

/**
 * The `fileKeyText` of `path` when it is a regular file; undefined when it is anything
 * else or does not exist.
 * @throws a system error (with `code`) for anything but ENOENT.
 */
export function quickFileKey(path: BPath, ignoreInode: boolean): string | undefined {
  if (!hasStatxPath()) {
    const st = lstatPath(path);
    return st?.kind === "file" ? fileKeyText(st, ignoreInode) : undefined;
  }
  if (!statxPath(path)) return undefined;
  const mode = statxView.getUint16(STX_MODE, true);
  if ((mode & S_IFMT) !== S_IFREG) return undefined;
  return fileKeyText({
    size: u64Number(STX_SIZE),
    mode,
    uid: statxView.getUint32(STX_UID, true),
    gid: statxView.getUint32(STX_GID, true),
    dev: ignoreInode ? "" : devText(),
    ino: ignoreInode ? "" : u64Text(STX_INO),
    mtimeNs: nsText(STX_MTIME),
    ctimeNs: nsText(STX_CTIME),
  }, ignoreInode);
}
