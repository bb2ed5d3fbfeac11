/**
 * lstat(2) reduced to what a judgement without a cached row asks: is the newest entry's
 * sidecar as cached (`quickStat`: kind, size, stamp), is its payload of the recorded kind
 * and size (`quickKindSize`). Built from struct statx without BigInts where the values fit;
 * through `lstatPath` where there is no FFI. Each says exactly what lib/fs/stat.ts would.
 */
import type { BPath } from "./bpath.ts";
import { lstatPath, stampText } from "./stat.ts";
import {
  hasStatxPath,
  type Kind,
  kindOfMode,
  nsText,
  statxPath,
  statxView,
  STX_CTIME,
  STX_INO,
  STX_MODE,
  STX_MTIME,
  STX_SIZE,
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
