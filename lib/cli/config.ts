/**
 * The config file (`--config FILE`, `SNAPYARD_CONFIG`, or a default path: lib/cli/settings.ts
 * finds it): a JSON object of option defaults, and named jobs. Steps: read and parse the file,
 * check it is an object, then map each key (`_` or `-`) to an option of the table and check its
 * value is a string, number, boolean or list of strings; `jobs` is a map of job names to objects
 * of the same option keys plus `paths` (absolute PATHs) and `schedule` (a hint for packaging).
 */
import { fs } from "../fs/sys.ts";
import { posix } from "../fs/posix.ts";
import { errnoOf, reasonOf, usage } from "../errors.ts";
import { SPEC } from "./options.ts";

/** Option values by name, as parseArgs gives them (and a config file supplies them). */
export type Raw = Record<string, string | boolean | string[] | undefined>;

/** A named job of a config file: options, and what it snapshots. */
export interface Job {
  /** Option values, keyed as on the command line. */
  options: Raw;
  /** Absolute PATHs: the command's PATHs (run's `--target`s) when the command line names none. */
  paths: string[];
  /** When the job is meant to run (`hourly`, `daily`, a cron line...): read by packaging only. */
  schedule: string | undefined;
}

/** A config file, read and checked. */
export interface Config {
  file: string;
  /** The top-level options: defaults for every command. */
  defaults: Raw;
  jobs: ReadonlyMap<string, Job>;
}

/** Keys that are not options of a config file (the command line's own). */
const NOT_CONFIG = ["config", "help", "version", "job"];
/** A job's name: what `--job` takes. */
const JOB_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Reads and checks the config file `file`; undefined when it does not exist and is `optional`
 * (a default path).
 * @throws SnapyardError USAGE when the file cannot be read, is not a JSON object, or has an
 * unknown key, a value of the wrong type or a malformed job.
 */
export function readConfig(file: string, optional = false): Config | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    // A default path may be absent; any other failure (EACCES, bad JSON) is the operator's.
    if (optional && errnoOf(e) === "ENOENT") return undefined;
    throw usage(`Cannot read config "${file}": ${reasonOf(e)}`);
  }
  const bad = (what: string) => usage(`Cannot read config "${file}": ${what}`);
  if (!isObject(raw)) throw bad("not a JSON object");
  const { jobs, ...top } = raw;
  const out: Config = { file, defaults: optionsOf(top, "", bad), jobs: new Map() };
  if (jobs === undefined) return out;
  if (!isObject(jobs)) throw bad(`"jobs" is not an object of named jobs`);
  const named = new Map<string, Job>();
  for (const [name, job] of Object.entries(jobs)) {
    if (!JOB_NAME.test(name)) {
      throw bad(`invalid job name "${name}": expected [A-Za-z0-9_.-]{1,64}`);
    }
    if (!isObject(job)) throw bad(`job "${name}" is not an object`);
    named.set(name, jobOf(name, job, bad));
  }
  return { ...out, jobs: named };
}

function jobOf(name: string, job: Record<string, unknown>, bad: (w: string) => Error): Job {
  const { paths, schedule, ...options } = job;
  if (schedule !== undefined && (typeof schedule !== "string" || schedule === "")) {
    throw bad(`bad value for "jobs.${name}.schedule": expected a non-empty string`);
  }
  const list = paths ?? [];
  if (!Array.isArray(list) || !list.every((p) => typeof p === "string" && posix.isAbsolute(p))) {
    throw bad(`bad value for "jobs.${name}.paths": expected a list of absolute paths`);
  }
  return { options: optionsOf(options, `jobs.${name}.`, bad), paths: list, schedule };
}

/** The options of an object of the file (`where`: its place, for messages). */
function optionsOf(obj: Record<string, unknown>, where: string, bad: (w: string) => Error): Raw {
  const out: Raw = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = k.replace(/_/g, "-");
    if (!(key in SPEC) || NOT_CONFIG.includes(key)) throw bad(`unknown key "${where}${k}"`);
    if (typeof v === "number") out[key] = String(v);
    else if (typeof v === "string" || typeof v === "boolean") out[key] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === "string")) out[key] = v as string[];
    else throw bad(`bad value for "${where}${k}"`);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
