/**
 * On-disk layout, compatible with switchyard-fs 1.0.
 *
 * An entry of target `<dir>/<name>` with tag `<tag>` taken at run `<ts>` is the pair
 *   payload  `.<name>.<tag>.<ts>.bak`
 *   sidecar  `.<name>.<tag>.<ts>.bak.meta.json`
 * in the target's own directory ("beside"), or under `<store>/<absolute dir of target>/`.
 * Temporary files carry the target's name and tag too, so `verify` and `prune` can find
 * what a crash left behind:
 *   sidecar temp  `.<name>.<tag>.<ts>.bak.meta.json.tmp-<pid>-<n>`
 *   restore temp  `.<name>.<tag>.<ts>.restore.tmp-<pid>-<n>`
 * Every name is matched with one anchored expression; nothing parses names another way.
 */
import { posix } from "../fs/posix.ts";
import { type BPath, joinName, parentDir } from "../fs/bpath.ts";
import { usage } from "../errors.ts";
import { proc } from "../fs/sys.ts";

/** The default tag. */
export const DEFAULT_TAG = "snapyard";
/** Longest name one directory entry may have on Linux filesystems (bytes). */
export const NAME_MAX = 255;

const TAG_RE = /^[A-Za-z0-9_-]{1,32}$/;

/** Throws a usage error unless `tag` is `[A-Za-z0-9_-]{1,32}`. */
export function validateTag(tag: string): string {
  if (!TAG_RE.test(tag)) {
    throw usage(`Invalid tag "${tag}": a tag is 1 to 32 of A-Z a-z 0-9 _ -`);
  }
  return tag;
}

/** The name of an entry's payload. */
export function payloadName(name: BPath, tag: string, ts: number): BPath {
  return `.${name}.${tag}.${ts}.bak`;
}

/** The name of an entry's sidecar. */
export function sidecarName(name: BPath, tag: string, ts: number): BPath {
  return `${payloadName(name, tag, ts)}${SIDECAR_SUFFIX}`;
}

/** What a sidecar's name adds to its payload's. */
export const SIDECAR_SUFFIX = ".meta.json";

/** Where an entry's two files are. */
export interface EntryPaths {
  payload: BPath;
  sidecar: BPath;
}

/** The payload and sidecar paths of the entry of `name` at `ts`, in entry directory `dir`. */
export function entryPaths(dir: BPath, name: BPath, tag: string, ts: number): EntryPaths {
  const payload = joinName(dir, payloadName(name, tag, ts));
  return { payload, sidecar: `${payload}${SIDECAR_SUFFIX}` };
}

let tempCounter = 0;
let threadTag = `${proc.pid()}`;

/** Sets the part of temp names that tells threads apart (workers call this with their id). */
export function setTempThread(threadId: number): void {
  threadTag = threadId === 0 ? `${proc.pid()}` : `${proc.pid()}_${threadId}`;
}

/** A fresh temp name for `final` (a sidecar or `.<name>.<tag>.<ts>.restore`). */
export function tempName(final: BPath): BPath {
  tempCounter += 1;
  return `${final}.tmp-${threadTag}-${tempCounter}`;
}

/** The base that restore temp names hang off. */
export function restoreBase(name: BPath, tag: string, ts: number): BPath {
  return `.${name}.${tag}.${ts}.restore`;
}

/** Length in bytes of the longest name an entry of `name` may create (its sidecar temp). */
export function longestEntryName(name: BPath, tag: string, ts: number): number {
  // ".tmp-" + pid_thread + "-" + counter: allow 24 bytes for the suffix.
  return sidecarName(name, tag, ts).length + 24;
}

/** What a directory entry of ours is. */
export type EntryFileKind = "payload" | "sidecar" | "sidecar_temp" | "restore_temp";

/** A parsed name of one of our files. */
export interface ParsedName {
  name: BPath;
  tag: string;
  ts: number;
  kind: EntryFileKind;
}

const SUFFIX = String
  .raw`(\d{1,16})\.(bak|bak\.meta\.json|bak\.meta\.json\.tmp-\d+(?:_\d+)?-\d+|restore\.tmp-\d+(?:_\d+)?-\d+)$`;
const ANY_RE = new RegExp(String.raw`^\.([\s\S]+)\.([A-Za-z0-9_-]{1,32})\.` + SUFFIX);

function kindOf(suffix: string): EntryFileKind {
  if (suffix === "bak") return "payload";
  if (suffix === "bak.meta.json") return "sidecar";
  if (suffix.startsWith("bak.meta.json.tmp-")) return "sidecar_temp";
  return "restore_temp";
}

/** Parses any name of ours (any target, any tag); undefined for other files. */
export function parseAnyName(fname: BPath): ParsedName | undefined {
  const m = ANY_RE.exec(fname);
  if (m === null) return undefined;
  return { name: m[1]!, tag: m[2]!, ts: Number(m[3]), kind: kindOf(m[4]!) };
}

const SIDECAR_END = `.bak${SIDECAR_SUFFIX}`;

/**
 * The target name and TS of sidecar name `fname` of tag `tag`, or undefined when it is not
 * one: what `parseAnyName` says of it (kind `sidecar`, that tag), read by position rather than
 * by pattern (an entry directory's listing parses thousands of them per run).
 */
export function parseSidecarName(
  fname: BPath,
  tag: string,
): { name: BPath; ts: number } | undefined {
  if (fname.charCodeAt(0) !== 46 /* . */ || !fname.endsWith(SIDECAR_END)) return undefined;
  const end = fname.length - SIDECAR_END.length;
  const dot = fname.lastIndexOf(".", end - 1);
  const digits = end - dot - 1;
  if (dot < 0 || digits < 1 || digits > 16) return undefined;
  for (let i = dot + 1; i < end; i++) {
    const c = fname.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  // `.<name>.<tag>.`: a tag holds no dot, so it is the component right before the TS.
  const tagDot = dot - tag.length - 1;
  if (tagDot < 2 || fname.charCodeAt(tagDot) !== 46 || !fname.startsWith(tag, tagDot + 1)) {
    return undefined;
  }
  return { name: fname.slice(1, tagDot), ts: Number(fname.slice(dot + 1, end)) };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/** A matcher for the files of exactly one target name and tag. */
export function nameMatcher(name: BPath, tag: string): (fname: BPath) => ParsedName | undefined {
  const re = new RegExp(
    String.raw`^\.` + escapeRe(name) + String.raw`\.` + escapeRe(tag) + String.raw`\.` + SUFFIX,
  );
  return (fname) => {
    const m = re.exec(fname);
    if (m === null) return undefined;
    return { name, tag, ts: Number(m[1]), kind: kindOf(m[2]!) };
  };
}

/** Whether a name is one of ours (any target, any tag): never taken as a target. */
export function isOwnName(fname: BPath): boolean {
  return fname.charCodeAt(0) === 46 /* . */ &&
    (ANY_RE.test(fname) || RUN_RECORD_RE.test(fname) || RUN_RECORD_TEMP_RE.test(fname) ||
      CACHE_RE.test(fname));
}

/** The directory that holds the entries of target `abs` (an absolute path). */
export function entryDir(abs: BPath, store: BPath | undefined): BPath {
  const dir = parentDir(abs);
  if (store === undefined) return dir;
  // The common case without posix.join's normalizing pass (store and dir are normalized).
  return dir === "/" || store === "/" ? posix.join(store, dir) : `${store}${dir}`;
}

/** The directory a target lives in, given the directory holding its entries. */
export function targetDirOf(entryDirPath: BPath, store: BPath | undefined): BPath {
  if (store === undefined) return entryDirPath;
  const rel = posix.relative(store, entryDirPath);
  return rel === "" ? "/" : "/" + rel;
}

/**
 * The name of a run record (lib/store/runs.ts): `.snapyard-run.<tag>.<ts>.json`, in the
 * entry directory that anchors each PATH of the run. Never a target, never an entry.
 */
export function runRecordName(tag: string, ts: number): BPath {
  return `.snapyard-run.${tag}.${ts}.json`;
}

const RUN_RECORD_RE = /^\.snapyard-run\.([A-Za-z0-9_-]{1,32})\.(\d{1,16})\.json$/;
const RUN_RECORD_TEMP_RE =
  /^\.snapyard-run\.([A-Za-z0-9_-]{1,32})\.(\d{1,16})\.json\.tmp-\d+(?:_\d+)?-\d+$/;

const CACHE_RE = /^\.snapyard-cache\.[A-Za-z0-9_-]{1,32}\.json(?:\.tmp-\d+(?:_\d+)?-\d+)?$/;
const CACHE_TEMP_RE = /^\.snapyard-cache\.([A-Za-z0-9_-]{1,32})\.json\.tmp-\d+(?:_\d+)?-\d+$/;

/**
 * Whether `fname` is the temp of a run record or of a version cache of `tag`: a crash
 * between its write and its rename left it (verify names it, prune removes it).
 */
export function isDirTempOf(fname: BPath, tag: string): boolean {
  if (fname.charCodeAt(0) !== 46 /* . */) return false;
  const m = RUN_RECORD_TEMP_RE.exec(fname) ?? CACHE_TEMP_RE.exec(fname);
  return m !== null && m[1] === tag;
}

/**
 * The name of an entry directory's version cache (lib/store/cache.ts):
 * `.snapyard-cache.<tag>.json`. Only a cache: never a target, never an entry.
 */
export function cacheName(tag: string): BPath {
  return `.snapyard-cache.${tag}.json`;
}

/** Parses a run record's name; undefined for any other name. */
export function parseRunRecordName(fname: BPath): { tag: string; ts: number } | undefined {
  const m = RUN_RECORD_RE.exec(fname);
  return m === null ? undefined : { tag: m[1]!, ts: Number(m[2]) };
}

/**
 * The entry directory that anchors PATH `abs` for run records: a directory PATH's own
 * entry directory (where its children's entries live), else its target's entry directory.
 */
export function anchorDir(abs: BPath, isDirectory: boolean, store: BPath | undefined): BPath {
  if (!isDirectory) return entryDir(abs, store);
  return store === undefined ? abs : posix.join(store, abs);
}
