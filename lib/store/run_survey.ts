/**
 * Finding the runs that concern some PATHs: their records (lib/store/runs.ts) and, for
 * prune, the TSs of every entry below them (an entry TS with no record is a run too).
 *
 * Order of steps, per PATH:
 * 1. The anchor directories of the PATH and of each of its ancestors up to `/` (a run of
 *    `/srv` covers `/srv/data`; its record sits in the anchor of `/srv`).
 * 2. The directory that holds the PATH's entries when the PATH is a directory (the tree
 *    itself, or its image in the store), walked: records of runs inside it, and the TS of
 *    every sidecar of the tag. A file PATH: its own entries.
 * With a store and no PATH, the whole store is walked. Records are kept only when related
 * to a PATH (one of the run's PATHs is at, above or below it); copies of one run (one per
 * run PATH) are merged by TS. A record that does not parse, or whose TS differs from its
 * name's, is returned as corrupt: never guessed at.
 */
import { fs } from "../fs/sys.ts";
import { posix } from "../fs/posix.ts";
import { type BPath, fsPath, joinName } from "../fs/bpath.ts";
import { errnoOf, reasonOf } from "../errors.ts";
import { anchorDir, isDirTempOf, parseAnyName } from "./layout.ts";
import { type RunFile, type RunRecord, runRecordPath, runsIn } from "./runs.ts";
import { namesOrNone, scanTarget } from "./entries.ts";
import { entriesOf, walkDirs } from "./selection.ts";

/** One run, read from one or more identical copies of its record. */
export interface FoundRun {
  ts: number;
  record: RunRecord;
  /** The record files found, in the order found. */
  files: BPath[];
}

/** A record file that could not be read or does not parse. */
export interface CorruptRecord {
  path: BPath;
  ts: number;
  reason: string;
}

/** What a survey found. */
export interface RunSurvey {
  /** Runs related to the PATHs, newest first. */
  runs: FoundRun[];
  corrupt: CorruptRecord[];
  /** The TS of every entry (sidecar) of the tag below the PATHs. */
  entryTss: Set<number>;
  /** Temps of run records and version caches of the tag (lib/store/layout.ts `isDirTempOf`). */
  temps: BPath[];
}

/** Whether `a` is `b` or below it. */
export function atOrBelow(a: BPath, b: BPath): boolean {
  return a === b || a.startsWith(b === "/" ? "/" : b + "/");
}

/** Whether a run concerns the PATHs: one of its PATHs is at, above or below one of them. */
export function related(r: RunRecord, paths: readonly BPath[]): boolean {
  if (paths.length === 0) return true;
  return r.paths.some((p) => paths.some((q) => atOrBelow(p, q) || atOrBelow(q, p)));
}

/** A pre-check only to build a list: the unlink that follows tolerates a name gone. */
function exists(p: BPath): boolean {
  try {
    fs.lstatSync(fsPath(p));
    return true;
  } catch (e) {
    // A file PATH's "directory anchor" is the file itself: ENOTDIR below it.
    if (errnoOf(e) === "ENOENT" || errnoOf(e) === "ENOTDIR") return false;
    throw e;
  }
}

/** The anchor directories of `path` and of every ancestor, deepest first. */
function ancestorAnchors(path: BPath, store: BPath | undefined): BPath[] {
  const out: BPath[] = [];
  for (let a = path;; a = posix.dirname(a)) {
    out.push(anchorDir(a, true, store));
    if (a === "/") return out;
  }
}

/**
 * The runs and entry TSs that concern `paths` (none: the whole `store`).
 * `onError`: a directory that could not be read (the survey goes on).
 */
export function surveyRuns(
  paths: readonly BPath[],
  tag: string,
  store: BPath | undefined,
  onError: (e: { path: BPath; reason: string }) => void,
): RunSurvey {
  const byTs = new Map<number, FoundRun>();
  const corrupt: CorruptRecord[] = [];
  const seen = new Set<BPath>();
  const entryTss = new Set<number>();
  const temps = new Set<BPath>();
  const addTemps = (dir: BPath, names: readonly BPath[]) => {
    for (const n of names) if (isDirTempOf(n, tag)) temps.add(joinName(dir, n));
  };
  const addRecords = (files: RunFile[]) => {
    for (const f of files) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      if (!f.parsed.ok) corrupt.push({ path: f.path, ts: f.ts, reason: f.parsed.reason });
      else if (f.parsed.record.ts !== f.ts) {
        const reason = `run record corrupt: ts ${f.parsed.record.ts} differs from its name's`;
        corrupt.push({ path: f.path, ts: f.ts, reason });
      } else if (related(f.parsed.record, paths)) {
        const run = byTs.get(f.ts);
        if (run === undefined) {
          byTs.set(f.ts, { ts: f.ts, record: f.parsed.record, files: [f.path] });
        } else run.files.push(f.path);
      }
    }
  };
  const walk = (root: BPath) => {
    for (const { dir, dirents } of walkDirs(root, onError, false)) {
      const names = dirents.map((d) => d.name as BPath);
      addRecords(runsIn(dir, tag, names));
      addTemps(dir, names);
      for (const n of names) {
        const p = parseAnyName(n);
        if (p?.tag === tag && p.kind === "sidecar") entryTss.add(p.ts);
      }
    }
  };
  const readAnchor = (dir: BPath) => {
    try {
      const names = namesOrNone(dir);
      addRecords(runsIn(dir, tag, names));
      addTemps(dir, names);
    } catch (e) {
      onError({ path: dir, reason: `cannot read directory: ${reasonOf(e)}` });
    }
  };
  if (paths.length === 0 && store !== undefined) walk(store);
  for (const path of paths) {
    for (const dir of ancestorAnchors(path, store)) readAnchor(dir);
    // As lib/store/selection.ts `collectTargets` selects.
    const where = entriesOf(path, store);
    if (where.kind === "target") {
      readAnchor(anchorDir(path, false, store));
      for (const e of scanTarget(path, tag, store).entries) entryTss.add(e.ts);
    } else if (where.kind === "tree") walk(where.root);
  }
  const runs = [...byTs.values()].sort((a, b) => b.ts - a.ts);
  return { runs, corrupt, entryTss, temps: [...temps] };
}

/**
 * Every copy of a run's record that exists: the anchors of its PATHs (as a directory and
 * as a file: the record does not say which) and the files already found.
 */
export function recordCopies(run: FoundRun, store: BPath | undefined): BPath[] {
  const out = new Set<BPath>(run.files);
  for (const p of run.record.paths) {
    for (const dir of [anchorDir(p, true, store), anchorDir(p, false, store)]) {
      const file = runRecordPath(dir, run.record.tag, run.ts);
      if (exists(file)) out.add(file);
    }
  }
  return [...out];
}
