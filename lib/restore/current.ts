/**
 * The current state of a restore target against its entry: refused, already as
 * recorded ("unchanged"), or to be restored / removed. Part of restore's check phase
 * (lib/restore/plan.ts); nothing is written.
 *
 * Order: lstat the target (absent, or under a parent that is not a directory, is a
 * state too) → a directory in its place is refused → by recorded kind: `none` is
 * unchanged when absent; a symlink with the recorded text and owner is unchanged; a
 * regular file of the payload's size, mode and owner may be identical, and only its
 * hash can tell (the plan's hashing pass).
 */
import type { Stats } from "node:fs";
import { fs } from "../fs/sys.ts";
import { type BPath, fromBytes, fromText, fsPath } from "../fs/bpath.ts";
import { errnoOf, reasonOf } from "../errors.ts";
import { permissionBits, type Sidecar } from "../store/sidecar.ts";
import type { EntryRef } from "../store/entries.ts";

/** What restore does to one target. */
export type Action = "restore" | "remove" | "unchanged";

/** One verified target and what to do with it. */
export interface PlanItem {
  target: BPath;
  name: BPath;
  tag: string;
  entry: EntryRef;
  sidecar: Sidecar;
  action: Action;
  /** `restore --target DIR`: where the target is written (DIR + target); else in place. */
  dest?: BPath;
  /** File entries: the payload's SHA-256 as hashed now (equal to the recorded one). */
  hash?: string;
  /** A v1 file entry without a recorded hash, restored under `--allow-unverified`. */
  unverified: boolean;
}

/**
 * The target's state: what to do (`compare`: it may be identical, only its hash can
 * tell), or why it cannot be restored.
 */
export type Current =
  | { ok: true; action: Action; compare: boolean }
  | { ok: false; reason: string };

/**
 * The state of `target` against its entry's sidecar `s`; `payloadBytes` is a file
 * payload's size. Never throws: what cannot be inspected is a refusal.
 */
export function currentState(
  target: BPath,
  s: Sidecar,
  payloadBytes: number,
  asRoot: boolean,
): Current {
  let cur: Stats | undefined;
  try {
    cur = fs.lstatSync(fsPath(target));
  } catch (e) {
    const code = errnoOf(e);
    if (code === "ENOTDIR" && s.prior_kind !== "none") {
      return { ok: false, reason: "a parent of it is not a directory" };
    }
    // ENOTDIR: a parent is a file, so the target is absent as recorded by a `none` entry.
    if (code !== "ENOENT" && code !== "ENOTDIR") {
      return { ok: false, reason: `cannot inspect it: ${reasonOf(e)}` };
    }
  }
  if (cur?.isDirectory()) {
    const verb = s.prior_kind === "none" ? "removed" : "replaced";
    return { ok: false, reason: `a directory is in its place (not ${verb})` };
  }
  if (s.prior_kind === "none") {
    return { ok: true, action: cur === undefined ? "unchanged" : "remove", compare: false };
  }
  if (s.prior_kind === "symlink") {
    const same = cur?.isSymbolicLink() === true && sameOwner(cur, s, asRoot) &&
      readLinkOrUndefined(target) === fromText(s.prior_dest!);
    return { ok: true, action: same ? "unchanged" : "restore", compare: false };
  }
  const compare = cur !== undefined && cur.isFile() && cur.size === payloadBytes &&
    (cur.mode & 0o7777) === permissionBits(s) && sameOwner(cur, s, asRoot);
  return { ok: true, action: "restore", compare };
}

/** Whether the recorded owner (if any) matches; only root restores owners. */
function sameOwner(cur: Stats, s: Sidecar, asRoot: boolean): boolean {
  if (!asRoot) return true;
  return (s.uid === undefined || s.uid === cur.uid) && (s.gid === undefined || s.gid === cur.gid);
}

function readLinkOrUndefined(path: BPath): BPath | undefined {
  try {
    return fromBytes(fs.readlinkSync(fsPath(path), { encoding: "buffer" }));
  } catch (_e) {
    // Unreadable link text (vanished, or not UTF-8 on Deno): not identical, so replaced.
    return undefined;
  }
}
