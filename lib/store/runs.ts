/**
 * Run records: the small durable file each run leaves, so that runs (not single
 * entries) are what an operator lists, restores and prunes.
 *
 * A record holds the run's TS, tag, the PATHs it covered, its counts, the bytes it
 * added and its outcome. It is written after the run's entries are committed and
 * durable (temp → fsync → rename, then one fsync of its directory), so a record under
 * its final name implies its entries; a crash before leaves entries without a record
 * (still versions: `prune` counts each TS without a record as a run of its own). A copy
 * goes to the anchor directory of each PATH (lib/store/layout.ts `anchorDir`): beside
 * the entries of that PATH, in either layout, so a store or a tree carries its runs.
 * Each copy lists the PATHs anchored in its directory and the whole run's counts;
 * `runs` merges the copies of one TS.
 * Reading fails closed: a record that does not parse is reported, never guessed at.
 */
import { posix } from "../fs/posix.ts";
import { type BPath, fromText, readNames, toText } from "../fs/bpath.ts";
import { readTextFile } from "../fs/read_text.ts";
import { errnoOf } from "../errors.ts";
import { namesOrNone } from "./entries.ts";
import { anchorDir, parseRunRecordName, runRecordName } from "./layout.ts";

/** What a run did. */
export interface RunRecord {
  schema: "snapyard_run.v1";
  ts: number;
  tag: string;
  /** The PATHs the run covered (absolute; a directory covers everything below it). */
  paths: BPath[];
  /** What made the run: a snapshot, or restore's pre/post snapshots, or `run`. */
  origin: "snapshot" | "pre-restore" | "post-restore" | "run";
  /** complete: every target saved or unchanged; partial: some failed. */
  outcome: "complete" | "partial";
  finishedAt: number;
  targets: number;
  new: number;
  unchanged: number;
  deleted: number;
  failed: number;
  skipped: number;
  bytesAdded: number;
}

const ORIGINS: readonly string[] = ["snapshot", "pre-restore", "post-restore", "run"];

/**
 * A record as its file holds it: the PATHs as text, two keys in snake case (the `run` event
 * of `snapyard runs` carries the same fields).
 */
export interface RunRecordJson extends Omit<RunRecord, "paths" | "finishedAt" | "bytesAdded"> {
  paths: string[];
  finished_at: number;
  bytes_added: number;
}

/** The record's JSON fields, in the fixed key order of its file. */
export function runRecordJson(r: RunRecord): RunRecordJson {
  return {
    schema: r.schema,
    ts: r.ts,
    tag: r.tag,
    paths: r.paths.map(toText),
    origin: r.origin,
    outcome: r.outcome,
    finished_at: r.finishedAt,
    targets: r.targets,
    new: r.new,
    unchanged: r.unchanged,
    deleted: r.deleted,
    failed: r.failed,
    skipped: r.skipped,
    bytes_added: r.bytesAdded,
  };
}

/** The record as JSON (two-space indent, fixed key order). */
export function encodeRunRecord(r: RunRecord): string {
  return JSON.stringify(runRecordJson(r), null, 2);
}

/** A record read back, or why it cannot be. */
export type RunParse = { ok: true; record: RunRecord } | { ok: false; reason: string };

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/** Reads and validates a run record's JSON. */
export function parseRunRecord(text: string): RunParse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (_e) {
    // Unparseable JSON is a corrupt record, reported as such.
    return { ok: false, reason: "run record corrupt: not valid JSON" };
  }
  const bad = (why: string): RunParse => ({ ok: false, reason: `run record corrupt: ${why}` });
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return bad("not an object");
  const o = raw as Record<string, unknown>;
  if (o.schema !== "snapyard_run.v1") return bad(`unknown schema "${String(o.schema)}"`);
  if (typeof o.tag !== "string") return bad("tag is not a string");
  if (!Array.isArray(o.paths) || !o.paths.every((p) => typeof p === "string")) {
    return bad("paths is not a list of strings");
  }
  if (typeof o.origin !== "string" || !ORIGINS.includes(o.origin)) return bad("unknown origin");
  if (o.outcome !== "complete" && o.outcome !== "partial") return bad("unknown outcome");
  const counts: (keyof RunRecordJson)[] = [
    "ts",
    "finished_at",
    "targets",
    "new",
    "unchanged",
    "deleted",
    "failed",
    "skipped",
    "bytes_added",
  ];
  for (const k of counts) if (!isCount(o[k])) return bad(`${k} is not a count`);
  return {
    ok: true,
    record: {
      schema: "snapyard_run.v1",
      ts: o.ts as number,
      tag: o.tag,
      paths: (o.paths as string[]).map(fromText),
      origin: o.origin as RunRecord["origin"],
      outcome: o.outcome,
      finishedAt: o.finished_at as number,
      targets: o.targets as number,
      new: o.new as number,
      unchanged: o.unchanged as number,
      deleted: o.deleted as number,
      failed: o.failed as number,
      skipped: o.skipped as number,
      bytesAdded: o.bytes_added as number,
    },
  };
}

/** One record file found in a directory. */
export interface RunFile {
  path: BPath;
  ts: number;
  parsed: RunParse;
}

/**
 * The run records of `tag` in directory `dir`, newest first (none when it does not exist).
 * `names`: the directory's names when the caller has just read them.
 * @throws the system error when `dir` exists but cannot be read.
 */
export function runsIn(dir: BPath, tag: string, names?: readonly BPath[]): RunFile[] {
  const out: RunFile[] = [];
  for (const n of names ?? namesOrNone(dir)) {
    const p = parseRunRecordName(n);
    if (p === undefined || p.tag !== tag) continue;
    const path = posix.join(dir, n);
    out.push({ path, ts: p.ts, parsed: readRunFile(path) });
  }
  return out.sort((a, b) => b.ts - a.ts);
}

function readRunFile(path: BPath): RunParse {
  let text: string;
  try {
    text = readTextFile(path);
  } catch (e) {
    return { ok: false, reason: `cannot read run record: ${String(errnoOf(e) ?? e)}` };
  }
  return parseRunRecord(text);
}

/** The record's file name in an anchor directory. */
export function runRecordPath(dir: BPath, tag: string, ts: number): BPath {
  return posix.join(dir, runRecordName(tag, ts));
}

/** Whether `target` is at or below one of the record's PATHs. */
export function covers(r: RunRecord, target: BPath): boolean {
  return r.paths.some((p) => p === target || target.startsWith(p === "/" ? "/" : p + "/"));
}

/**
 * How many targets the newest run of `tag` that covered `path` had, from the newest record
 * in `path`'s anchor directory (one listing, one record read); undefined when there is no
 * such record or it cannot be read. A guide to the size of the next run, never a judgement.
 */
export function lastRunTargets(
  path: BPath,
  isDirectory: boolean,
  tag: string,
  store: BPath | undefined,
): number | undefined {
  const dir = anchorDir(path, isDirectory, store);
  let names: BPath[];
  try {
    names = readNames(dir);
  } catch (_e) {
    // No anchor directory (a first run) or an unreadable one: nothing known.
    return undefined;
  }
  const records = names.map((n) => ({ n, p: parseRunRecordName(n) }))
    .filter((r) => r.p?.tag === tag)
    .sort((a, b) => b.p!.ts - a.p!.ts);
  for (const { n } of records.slice(0, 16)) {
    const parsed = readRunFile(posix.join(dir, n));
    if (parsed.ok && parsed.record.paths.includes(path)) return parsed.record.targets;
  }
  return undefined;
}
