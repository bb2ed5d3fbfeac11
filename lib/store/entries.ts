/**
 * Finding and classifying the entries of targets; every reading command (restore,
 * verify, list, prune, run) selects through here and nothing parses names another way.
 *
 * For one target and tag, the files of its entry directory are matched with one
 * anchored expression (lib/store/layout.ts), so `foo` never sees `foo.conf`'s files and tags
 * never see each other. They are grouped by TS:
 * - sidecar + payload   → an entry, state "complete"
 * - sidecar, no payload → an entry, state "payload_missing" (an orphan sidecar)
 * - payload, no sidecar → an orphan payload: never an entry (its run never committed)
 * - temp names          → leftovers of a crashed run
 * An entry is defined by its sidecar (the commit point), so selection never skips a
 * newer broken entry to fall back on an older good one. Which targets PATHs select and
 * which entry `--at` selects is lib/store/selection.ts.
 */
import { posix } from "../fs/posix.ts";
import { type BPath, readNames } from "../fs/bpath.ts";
import { errnoOf } from "../errors.ts";
import {
  entryDir,
  entryPaths,
  nameMatcher,
  parseAnyName,
  type ParsedName,
  targetDirOf,
} from "./layout.ts";

/** One entry: a sidecar, with or without its payload. */
export interface EntryRef {
  ts: number;
  payload: BPath;
  sidecar: BPath;
  state: "complete" | "payload_missing";
}

/** Everything of one target and tag. */
export interface TargetScan {
  /** Absolute path of the target. */
  target: BPath;
  /** Directory holding the entries. */
  dir: BPath;
  name: BPath;
  tag: string;
  /** Entries (with a sidecar), newest first. */
  entries: EntryRef[];
  /** Payloads without a sidecar, newest first. */
  orphanPayloads: { ts: number; payload: BPath }[];
  /** Temp files left behind (sidecar temps; restore temps in the target's directory). */
  temps: BPath[];
}

function emptyScan(target: BPath, dir: BPath, tag: string): TargetScan {
  return {
    target,
    dir,
    name: posix.basename(target),
    tag,
    entries: [],
    orphanPayloads: [],
    temps: [],
  };
}

/** The names in `dir`; none when it does not exist (or is a file: no entries below it). */
export function namesOrNone(dir: BPath): BPath[] {
  try {
    return readNames(dir);
  } catch (e) {
    // No directory means no entries (and no temps) there.
    if (errnoOf(e) === "ENOENT" || errnoOf(e) === "ENOTDIR") return [];
    throw e;
  }
}

/** Fills in a scan from parsed names found in `dir` (entry dir or target dir). */
function addFile(
  scan: TargetScan,
  dir: BPath,
  fname: BPath,
  p: ParsedName,
  byTs: Map<number, Files>,
) {
  if (p.kind === "sidecar_temp" || p.kind === "restore_temp") {
    scan.temps.push(posix.join(dir, fname));
    return;
  }
  let f = byTs.get(p.ts);
  if (f === undefined) byTs.set(p.ts, f = { payload: false, sidecar: false });
  if (p.kind === "payload") f.payload = true;
  else f.sidecar = true;
}

interface Files {
  payload: boolean;
  sidecar: boolean;
}

function finish(scan: TargetScan, byTs: Map<number, Files>): TargetScan {
  const tss = [...byTs.keys()].sort((a, b) => b - a);
  for (const ts of tss) {
    const f = byTs.get(ts)!;
    const { payload, sidecar } = entryPaths(scan.dir, scan.name, scan.tag, ts);
    if (f.sidecar) {
      scan.entries.push({
        ts,
        payload,
        sidecar,
        state: f.payload ? "complete" : "payload_missing",
      });
    } else scan.orphanPayloads.push({ ts, payload });
  }
  return scan;
}

/**
 * The entries of one target (absolute path) for one tag.
 * @throws the system error when the entry directory exists but cannot be read.
 */
export function scanTarget(target: BPath, tag: string, store: BPath | undefined): TargetScan {
  const dir = entryDir(target, store);
  const scan = emptyScan(target, dir, tag);
  const match = nameMatcher(scan.name, tag);
  const byTs = new Map<number, Files>();
  for (const fname of namesOrNone(dir)) {
    const p = match(fname);
    if (p !== undefined) addFile(scan, dir, fname, p, byTs);
  }
  if (store !== undefined) {
    // Restore temps live beside the target even when entries live in the store.
    const tdir = posix.dirname(target);
    for (const fname of namesOrNone(tdir)) {
      const p = match(fname);
      if (p?.kind === "restore_temp") scan.temps.push(posix.join(tdir, fname));
    }
  }
  return finish(scan, byTs);
}

/**
 * Every target with files of `tag` in entry directory `dir` (one directory, not below).
 * In store mode `dir` is under the store; restore temps beside the targets are included.
 * `names`: the directory's names when the caller has just read them (saves a readdir).
 */
export function scanEntryDir(
  dir: BPath,
  tag: string,
  store: BPath | undefined,
  names: readonly BPath[] = namesOrNone(dir),
): TargetScan[] {
  const tdir = targetDirOf(dir, store);
  const scans = new Map<BPath, { scan: TargetScan; byTs: Map<number, Files> }>();
  const get = (name: BPath) => {
    let s = scans.get(name);
    if (s === undefined) {
      const target = tdir === "/" ? `/${name}` : `${tdir}/${name}`;
      scans.set(name, s = { scan: emptyScan(target, dir, tag), byTs: new Map() });
    }
    return s;
  };
  for (const fname of names) {
    const p = parseAnyName(fname);
    if (p === undefined || p.tag !== tag) continue;
    const s = get(p.name);
    addFile(s.scan, dir, fname, p, s.byTs);
  }
  if (store !== undefined) {
    for (const fname of namesOrNone(tdir)) {
      const p = parseAnyName(fname);
      if (p?.tag === tag && p.kind === "restore_temp") {
        get(p.name).scan.temps.push(posix.join(tdir, fname));
      }
    }
  }
  return [...scans.values()].map(({ scan, byTs }) => finish(scan, byTs));
}
