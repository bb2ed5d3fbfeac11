/**
 * The replace phase of `restore`: puts verified entries (lib/restore/plan.ts) in place.
 *
 * Order of steps:
 * 1. Stage, touching no target: per target, create its missing parent directories, then
 *    a temp beside it under the restore temp name `.<name>.<tag>.<ts>.restore.tmp-…`
 *    (so `verify` names and `prune` removes what a crash leaves):
 *    file → a copy of the payload (copy, not rename: the payload is kept and the store may
 *    be another filesystem), written 0600 and hashed while copied (a payload changed
 *    since the check fails here, not later), then the owner (root only; before the mode,
 *    since chown clears setuid), the mode bits with setuid/setgid, and the mtime;
 *    symlink → a symlink with the recorded text, byte for byte (relative stays relative).
 *    Any failure removes every temp and created directory: nothing changed.
 * 2. One syncfs per filesystem holding temps: their bytes and names are durable before
 *    any target is replaced.
 * 3. Commit in target order: rename each temp over its target (atomic, the target never
 *    goes missing); a `none` target is unlinked. The first failure stops the phase; the
 *    remaining temps are removed and those targets reported as not restored.
 * 4. One fsync per directory whose names changed in step 3.
 * With `restore --target DIR` every item carries its `dest` under DIR, and "target" above
 * means that path: nothing in place is written.
 * Steps 2–4 are a durable batch (lib/fs/durable_batch.ts); opens, writes, renames and
 * unlinks go through the `Io` seam (lib/fs/io.ts).
 */
import type { Stats } from "node:fs";
import { fs } from "../fs/sys.ts";
import { posix } from "../fs/posix.ts";
import { type BPath, fromText, fsPath, toText } from "../fs/bpath.ts";
import { type Io, removeLeftover } from "../fs/io.ts";
import { DurableBatch, type NameChange } from "../fs/durable_batch.ts";
import { errnoOf, reasonOf, SnapyardError } from "../errors.ts";
import { restoreBase, tempName } from "../store/layout.ts";
import type { PlanItem } from "./plan.ts";
import { copyHashFd } from "../fs/copy_hash.ts";
import { permissionBits } from "../store/sidecar.ts";

const { O_RDONLY, O_NOFOLLOW, O_WRONLY, O_CREAT, O_EXCL } = fs.constants;

/** How to apply. */
export interface ApplyOptions {
  io: Io;
  /** false only for `--no-fsync`. */
  durable: boolean;
  /** Owners are restored only when running as root. */
  asRoot: boolean;
}

/** What happened: targets changed, targets left as they were, and the failure if any. */
export interface ApplyResult {
  done: PlanItem[];
  notDone: PlanItem[];
  failure?: {
    target: BPath;
    code: "INTEGRITY" | "RESTORE_FAILED";
    reason: string;
  };
}

interface Staged {
  item: PlanItem;
  dir: BPath;
  /** The temp to rename over the target; none for a removal. */
  temp?: BPath;
}

/** Steps 1–4 for `items` (each "restore" or "remove"). Never throws. */
export function applyRestore(items: readonly PlanItem[], opts: ApplyOptions): ApplyResult {
  const { io } = opts;
  const staged: Staged[] = [];
  const created: BPath[] = [];
  const buf = new Uint8Array(1 << 20);
  const abort = (target: BPath, e: unknown, step: string): ApplyResult => {
    for (const s of staged) if (s.temp !== undefined) removeLeftover(io, s.temp);
    removeEmptyDirs(created);
    const code = e instanceof SnapyardError && e.code === "INTEGRITY"
      ? "INTEGRITY"
      : "RESTORE_FAILED";
    const reason = e instanceof SnapyardError ? e.message : `${step}: ${reasonOf(e)}`;
    return { done: [], notDone: [...items], failure: { target, code, reason } };
  };

  // 1. Stage.
  for (const item of items) {
    // `--target DIR`: written under DIR (restic's layout), else in place.
    const dir = posix.dirname(item.dest ?? item.target);
    const s: Staged = { item, dir };
    if (item.action === "remove") {
      staged.push(s);
      continue;
    }
    try {
      makeParents(dir, created);
    } catch (e) {
      return abort(item.target, e, "cannot create its directory");
    }
    const temp = posix.join(dir, tempName(restoreBase(item.name, item.tag, item.entry.ts)));
    try {
      if (item.sidecar.prior_kind === "file") copyToTemp(io, item, temp, opts.asRoot, buf);
      else makeLinkTemp(io, item, temp, opts.asRoot);
    } catch (e) {
      return abort(item.target, e, `cannot write temp "${toText(temp)}"`);
    }
    s.temp = temp;
    staged.push(s);
  }

  // 2. Durable temps (and new directories) before any target changes.
  const batch = new DurableBatch(io, opts.durable);
  const withTemps = staged.filter((s) => s.temp !== undefined);
  const syncFailures = batch.syncFilesystems(withTemps.map((s) => s.dir));
  for (const s of withTemps) {
    const f = syncFailures.get(s.dir);
    if (f === undefined) continue;
    if (f.step === "stat") return abort(s.item.target, f.error, `cannot stat "${toText(f.dir)}"`);
    return abort(f.dir, f.error, `cannot make durable: syncfs of "${toText(f.dir)}" failed`);
  }

  // 3. Commit, in order; stop at the first failure.
  const result: ApplyResult = { done: [], notDone: [] };
  const changes = staged.map(({ item, dir, temp }): NameChange =>
    // rename(2) replaces the target in one step: it is never missing.
    temp === undefined
      ? { op: "unlink", dir, path: item.dest ?? item.target }
      : { op: "rename", dir, from: temp, to: item.dest ?? item.target }
  );
  const stop = batch.apply(changes, {
    made: (i) => result.done.push(staged[i]!.item),
    failed: (i, e) => {
      const s = staged[i]!;
      const step = s.temp === undefined ? "cannot remove it" : "cannot rename the temp over it";
      const reason = `${step}: ${reasonOf(e)}`;
      result.failure = { target: s.item.target, code: "RESTORE_FAILED", reason };
      return false;
    },
  });
  for (const s of staged.slice(stop)) {
    if (s.temp !== undefined) removeLeftover(io, s.temp);
    result.notDone.push(s.item);
  }
  if (result.failure !== undefined) removeEmptyDirs(created);

  // 4. One fsync per directory whose names changed.
  for (const [dir, e] of batch.fsyncDirs()) {
    result.failure ??= {
      target: dir,
      code: "RESTORE_FAILED",
      reason: `not durable: fsync of directory "${toText(dir)}" failed: ${reasonOf(e)}`,
    };
  }
  return result;
}

/** Creates `dir` and its missing ancestors; records each one created (outermost first). */
function makeParents(dir: BPath, created: BPath[]): void {
  const missing: BPath[] = [];
  for (let d = dir;; d = posix.dirname(d)) {
    let st: Stats;
    try {
      st = fs.statSync(fsPath(d));
    } catch (e) {
      if (errnoOf(e) !== "ENOENT" || d === "/") throw e;
      missing.push(d);
      continue;
    }
    if (!st.isDirectory()) {
      throw Object.assign(new Error(`"${toText(d)}" is not a directory`), { code: "ENOTDIR" });
    }
    break;
  }
  for (const d of missing.reverse()) {
    fs.mkdirSync(fsPath(d));
    created.push(d);
  }
}

/** Removes the directories made by `makeParents` that stayed empty, innermost first. */
function removeEmptyDirs(created: readonly BPath[]): void {
  for (const d of [...created].reverse()) {
    try {
      fs.rmdirSync(fsPath(d));
    } catch (_e) {
      // Best effort, on a path that already failed: a restored target lives in it
      // (ENOTEMPTY) or it cannot be removed; an empty directory left behind is harmless.
    }
  }
}

/** Copies the payload to a new temp, checking its hash; then owner, mode, mtime. */
function copyToTemp(io: Io, item: PlanItem, temp: BPath, asRoot: boolean, buf: Uint8Array): void {
  const s = item.sidecar;
  // O_NOFOLLOW: a payload swapped for a symlink since the check is refused, not followed.
  const src = io.open(item.entry.payload, O_RDONLY | O_NOFOLLOW);
  let dst = -1;
  let ok = false;
  try {
    if (!fs.fstatSync(src).isFile()) {
      throw new SnapyardError("INTEGRITY", "payload is no longer a regular file");
    }
    // O_EXCL and 0600: the temp is ours alone and unreadable to others until complete.
    dst = io.open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o600);
    // The one copy+hash loop, writing through the Io seam (tests inject ENOSPC here).
    const write = (fd: number, b: Uint8Array, off: number, len: number, pos: number) =>
      io.write(fd, b, off, len, pos);
    if (copyHashFd(src, dst, buf, Infinity, 1, write).hash !== item.hash) {
      throw new SnapyardError(
        "INTEGRITY",
        `payload "${toText(item.entry.payload)}" changed since it was verified`,
      );
    }
    // chown before chmod: chown clears setuid/setgid.
    if (asRoot && s.uid !== undefined && s.gid !== undefined) fs.fchownSync(dst, s.uid, s.gid);
    fs.fchmodSync(dst, permissionBits(s)!);
    // Seconds as a float: +0.5 ms so Deno's rounding down still lands on the recorded ms.
    if (s.mtime_ms !== undefined) fs.futimesSync(dst, new Date(), (s.mtime_ms + 0.5) / 1000);
    ok = true;
  } finally {
    fs.closeSync(src);
    if (dst >= 0) fs.closeSync(dst);
    if (!ok && dst >= 0) removeLeftover(io, temp);
  }
}

/** Creates a temp symlink holding exactly the recorded text. */
function makeLinkTemp(io: Io, item: PlanItem, temp: BPath, asRoot: boolean): void {
  const s = item.sidecar;
  fs.symlinkSync(fsPath(fromText(s.prior_dest!)), fsPath(temp));
  if (asRoot && s.uid !== undefined && s.gid !== undefined) {
    try {
      fs.lchownSync(fsPath(temp), s.uid, s.gid);
    } catch (e) {
      removeLeftover(io, temp);
      throw e;
    }
  }
}
