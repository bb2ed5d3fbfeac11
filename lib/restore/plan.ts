/**
 * The check phase of `restore`: select one entry per target, verify it, and decide
 * what would change. Nothing on disk is written here (it also serves `--dry-run`).
 *
 * Order of steps:
 * 1. Targets from PATHs (lib/store/entries.ts: a directory PATH selects every target below it
 *    with entries, beside or in the store); one entry each by `--at`. No entry → missing.
 * 2. Per entry, without reading payload bytes: the sidecar parses (validating reader),
 *    the payload exists and has the recorded kind (tombstone: empty regular file;
 *    symlink: exactly the recorded text), a file entry has a hash unless
 *    `--allow-unverified`. Then the target's current state (lstat): a directory in its
 *    place is refused, an identical symlink or absence is "unchanged".
 * 3. One pass over the worker pool hashes, in parallel, every file payload and every
 *    current target that could be identical (a regular file of the right size and mode).
 *    A payload whose hash differs from its sidecar fails; an identical target is
 *    "unchanged".
 * The entry chosen is never replaced by another one: a broken entry is a problem, not a
 * reason to fall back. Checks fail closed: a payload that cannot be hashed is a problem.
 */
import * as fs from "node:fs";
import {
  type BPath,
  fromBytes,
  fromText,
  fsPath,
  hasReplacementChar,
  toText,
} from "../fs/bpath.ts";
import type { AtSpec } from "../store/entries.ts";
import {
  collectTargets,
  distinctTargets,
  type EntryRef,
  readSidecarFile,
  scanTarget,
  selectEntry,
  type TargetScan,
} from "../store/entries.ts";
import { errnoOf, reasonOf } from "../errors.ts";
import { hashAll } from "../pool/hash_batch.ts";
import type { WorkerPool } from "../pool/pool.ts";
import { lossilyDecoded } from "../fs/runtime.ts";
import { permissionBits, type Sidecar } from "../store/sidecar.ts";

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
  /** File entries: the payload's SHA-256 as hashed now (equal to the recorded one). */
  hash?: string;
  /** A v1 file entry without a recorded hash, restored under `--allow-unverified`. */
  unverified: boolean;
}

/** Why a target cannot be restored; its code decides the exit code. */
export interface Problem {
  target: BPath;
  code: "BACKUP_MISSING" | "INTEGRITY" | "RESTORE_FAILED";
  reason: string;
}

/** What to check. */
export interface PlanOptions {
  paths: readonly BPath[];
  tag: string;
  store: BPath | undefined;
  at: AtSpec;
  allowUnverified: boolean;
  /** Only entries at or after this TS count (`run`'s rollback); other targets are left alone. */
  since?: number;
  /** Whether owners are compared and restored (only root can chown). */
  asRoot: boolean;
  pool: () => WorkerPool;
}

/** The plan: verified items in target order, and every problem found. */
export interface Plan {
  items: PlanItem[];
  problems: Problem[];
}

/** A file item waiting for its hashes. */
interface Pending {
  item: PlanItem;
  /** The current target may be identical: its hash decides. */
  compareCurrent: boolean;
}

function noEntryReason(at: AtSpec, tag: string): string {
  if (at.kind === "latest") return `no entry of tag "${tag}"`;
  if (at.kind === "previous") return `no previous entry of tag "${tag}" (fewer than two)`;
  return `no entry of tag "${tag}" at or before ${at.ts}`;
}

/**
 * Selects and verifies the entries of every target under `opts.paths`.
 * Never throws for a bad entry or target: each one is a `Problem`.
 * @throws only when the worker pool cannot be started.
 */
export async function planRestore(opts: PlanOptions): Promise<Plan> {
  const plan: Plan = { items: [], problems: [] };
  const pending: Pending[] = [];
  const onError = (e: { path: BPath; reason: string }) =>
    plan.problems.push({ target: e.path, code: "RESTORE_FAILED", reason: e.reason });
  const scans = distinctTargets(targetsOf(opts, onError));
  let selected = 0;
  for (const scan of scans) {
    const entry = selectEntry(scan, opts.at);
    if (opts.since !== undefined && (entry === undefined || entry.ts < opts.since)) continue;
    selected++;
    if (entry === undefined) {
      plan.problems.push({
        target: scan.target,
        code: "BACKUP_MISSING",
        reason: noEntryReason(opts.at, opts.tag),
      });
      continue;
    }
    const r = inspect(scan, entry, opts);
    if ("code" in r) plan.problems.push(r);
    else {
      plan.items.push(r.item);
      if (r.item.sidecar.prior_kind === "file") pending.push(r);
    }
  }
  if (selected === 0 && plan.problems.length === 0 && opts.since === undefined) {
    for (const p of opts.paths) {
      plan.problems.push({
        target: p,
        code: "BACKUP_MISSING",
        reason: `no entries of tag "${opts.tag}" below it`,
      });
    }
  }
  if (pending.length > 0) await judgeHashes(pending, opts.pool(), plan);
  return plan;
}

/**
 * The scans of `opts.paths` (lib/store/entries.ts), plus a directory PATH itself when it has
 * entries of its own: it was a file or symlink when snapshotted, and restoring it must
 * fail on the directory in its place rather than report that it has no entries.
 */
function* targetsOf(
  opts: PlanOptions,
  onError: (e: { path: BPath; reason: string }) => void,
): Generator<TargetScan> {
  for (const path of opts.paths) {
    if (isDirectory(path)) {
      try {
        const own = scanTarget(path, opts.tag, opts.store);
        if (own.entries.length > 0) yield own;
      } catch (e) {
        onError({ path, reason: `cannot read its entries: ${reasonOf(e)}` });
      }
    }
    yield* collectTargets([path], opts.tag, opts.store, onError);
  }
}

function isDirectory(path: BPath): boolean {
  try {
    return fs.lstatSync(fsPath(path)).isDirectory();
  } catch (_e) {
    // Absent or unreadable: not a directory; collectTargets reports what it cannot read.
    return false;
  }
}

type Inspected = Pending | Problem;

/** Step 2 for one target: sidecar, payload kind, current state. */
function inspect(scan: TargetScan, entry: EntryRef, opts: PlanOptions): Inspected {
  const problem = (code: Problem["code"], reason: string): Problem => ({
    target: scan.target,
    code,
    reason,
  });
  if (hasReplacementChar(scan.target) && lossilyDecoded(entry.sidecar)) {
    // Deno read the name lossily: every path built from it would name another file. (A
    // real U+FFFD, valid UTF-8, resolves: the sidecar was found under that name.)
    return problem(
      "RESTORE_FAILED",
      "name is not valid UTF-8 and Deno cannot address it (use the Bun build)",
    );
  }
  const parsed = readSidecarFile(entry.sidecar);
  if (!parsed.ok) return problem("INTEGRITY", `${parsed.reason} ("${toText(entry.sidecar)}")`);
  const s = parsed.sidecar;
  const missing = () => problem("BACKUP_MISSING", `payload missing ("${toText(entry.payload)}")`);
  if (entry.state === "payload_missing") return missing();
  let pst: fs.Stats;
  try {
    pst = fs.lstatSync(fsPath(entry.payload));
  } catch (e) {
    if (errnoOf(e) === "ENOENT") return missing();
    return problem("INTEGRITY", `cannot read payload "${toText(entry.payload)}": ${reasonOf(e)}`);
  }
  const bad = checkPayload(entry.payload, s, pst, opts.allowUnverified);
  if (bad !== undefined) return problem("INTEGRITY", bad);

  let cur: fs.Stats | undefined;
  try {
    cur = fs.lstatSync(fsPath(scan.target));
  } catch (e) {
    const code = errnoOf(e);
    if (code === "ENOTDIR" && s.prior_kind !== "none") {
      return problem("RESTORE_FAILED", "a parent of it is not a directory");
    }
    // ENOTDIR: a parent is a file, so the target is absent as recorded by a `none` entry.
    if (code !== "ENOENT" && code !== "ENOTDIR") {
      return problem("RESTORE_FAILED", `cannot inspect it: ${reasonOf(e)}`);
    }
  }
  if (cur?.isDirectory()) {
    const verb = s.prior_kind === "none" ? "removed" : "replaced";
    return problem("RESTORE_FAILED", `a directory is in its place (not ${verb})`);
  }
  const item: PlanItem = {
    target: scan.target,
    name: scan.name,
    tag: scan.tag,
    entry,
    sidecar: s,
    action: "restore",
    unverified: s.prior_kind === "file" && s.payload_hash === undefined,
  };
  let compareCurrent = false;
  if (s.prior_kind === "none") item.action = cur === undefined ? "unchanged" : "remove";
  else if (s.prior_kind === "symlink") {
    if (cur?.isSymbolicLink() && sameOwner(cur, s, opts.asRoot)) {
      const text = readLinkOrUndefined(scan.target);
      if (text === fromText(s.prior_dest!)) item.action = "unchanged";
    }
  } else {
    compareCurrent = cur !== undefined && cur.isFile() && cur.size === pst.size &&
      (cur.mode & 0o7777) === permissionBits(s) && sameOwner(cur, s, opts.asRoot);
  }
  return { item, compareCurrent };
}

/** Whether the recorded owner (if any) matches; only root restores owners. */
function sameOwner(cur: fs.Stats, s: Sidecar, asRoot: boolean): boolean {
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

/** What is wrong with a payload of the recorded kind, or undefined (hash still to check). */
function checkPayload(
  payload: BPath,
  s: Sidecar,
  st: fs.Stats,
  allowUnverified: boolean,
): string | undefined {
  const where = `"${toText(payload)}"`;
  if (s.prior_kind === "none") {
    if (!st.isFile() || st.size !== 0) return `tombstone ${where} is not an empty regular file`;
    return undefined;
  }
  if (s.prior_kind === "symlink") {
    if (!st.isSymbolicLink()) return `payload ${where} is not a symlink`;
    let text: BPath;
    try {
      text = fromBytes(fs.readlinkSync(fsPath(payload), { encoding: "buffer" }));
    } catch (e) {
      return `cannot read payload link ${where}: ${reasonOf(e)}`;
    }
    if (text !== fromText(s.prior_dest!)) {
      return `payload link text "${toText(text)}" differs from the recorded "${s.prior_dest}"`;
    }
    return undefined;
  }
  if (!st.isFile()) return `payload ${where} is not a regular file`;
  if (s.payload_hash === undefined && !allowUnverified) {
    return `${s.schema} file entry has no payload_hash to verify ` +
      `(restore it only with --allow-unverified)`;
  }
  return undefined;
}

/** Step 3: hash payloads (and maybe-identical targets) on the pool and judge them. */
async function judgeHashes(pending: Pending[], pool: WorkerPool, plan: Plan): Promise<void> {
  const paths: BPath[] = [];
  for (const p of pending) {
    paths.push(p.item.entry.payload);
    if (p.compareCurrent) paths.push(p.item.target);
  }
  const results = await hashAll(pool, paths);
  let i = 0;
  const failed = new Set<PlanItem>();
  for (const p of pending) {
    const item = p.item;
    const r = results[i++]!;
    const cur = p.compareCurrent ? results[i++]! : undefined;
    const fail = (code: Problem["code"], reason: string) => {
      failed.add(item);
      plan.problems.push({ target: item.target, code, reason });
    };
    const where = `"${toText(item.entry.payload)}"`;
    if (!r.ok) {
      if (r.error.code === "ENOENT") fail("BACKUP_MISSING", `payload missing (${where})`);
      else if (r.error.code === "ELOOP" || r.error.code === "NOT_REGULAR") {
        fail("INTEGRITY", `payload ${where} is not a regular file`);
      } else fail("INTEGRITY", `cannot hash payload ${where}: ${reasonOf(r.error)}`);
      continue;
    }
    const recorded = item.sidecar.payload_hash;
    if (recorded !== undefined && recorded !== r.hash) {
      fail(
        "INTEGRITY",
        `payload hash mismatch (${where}: recorded sha256 ${recorded.slice(0, 12)}…, ` +
          `payload has ${r.hash.slice(0, 12)}…)`,
      );
      continue;
    }
    item.hash = r.hash;
    // A current target that cannot be hashed is simply not known to be identical.
    if (cur?.ok === true && cur.hash === r.hash) item.action = "unchanged";
  }
  if (failed.size > 0) plan.items = plan.items.filter((it) => !failed.has(it));
}
