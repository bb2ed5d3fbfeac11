/**
 * Command-line parsing: turns argv into a validated `Invocation`, or throws a usage
 * error (exit 2) that names the bad argument. Global options are accepted before or
 * after the command; `--config FILE` (JSON) supplies defaults that flags override.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { posix } from "node:path";
import { parseArgs } from "node:util";
import { type BPath, fromText } from "../fs/bpath.ts";
import { reasonOf, usage } from "../errors.ts";
import type { AtSpec } from "../store/entries.ts";
import { DEFAULT_TAG, validateTag } from "../store/layout.ts";
import type { SchemaChoice } from "../store/sidecar.ts";
import { joinNegativeValues, parseDuration, parseLockTimeout } from "./values.ts";

export { parseDuration };

/** The commands. */
export type CommandName =
  | "snapshot"
  | "restore"
  | "verify"
  | "list"
  | "prune"
  | "run"
  | "demo"
  | "runs";
export const COMMANDS: readonly CommandName[] = [
  "snapshot",
  "restore",
  "verify",
  "list",
  "prune",
  "run",
  "demo",
  "runs",
];

/** Every option, validated, with defaults applied. */
export interface Options {
  json: boolean;
  quiet: boolean;
  lock: BPath | undefined;
  lockTimeoutMs: number;
  tag: string;
  store: BPath | undefined;
  workers: number;
  schema: SchemaChoice;
  exclude: string[];
  durable: boolean;
  /** `--full`: an entry for every target, changed or not. */
  full: boolean;
  /** `--ignore-inode`: compare without dev and ino. */
  ignoreInode: boolean;
  /** `restore --delete`: remove targets that did not exist at the selected run. */
  deleteNew: boolean;
  at: AtSpec;
  dryRun: boolean;
  preSnapshot: boolean;
  allowUnverified: boolean;
  keep: number | undefined;
  maxAgeMs: number | undefined;
  /** prune: `--keep-hourly/daily/weekly/monthly/yearly N` and `--keep-within DURATION`. */
  keepHourly: number | undefined;
  keepDaily: number | undefined;
  keepWeekly: number | undefined;
  keepMonthly: number | undefined;
  keepYearly: number | undefined;
  keepWithinMs: number | undefined;
  /** `--init`: create the whole path of a missing `--store`, not only its last directory. */
  init: boolean;
}

/** A parsed command line. */
export type Invocation =
  | { kind: "help"; command: CommandName | undefined }
  | { kind: "version" }
  | {
    kind: "command";
    command: CommandName;
    /** Absolute byte paths (for `run`: the `--target`s). */
    paths: BPath[];
    /** `run` only: COMMAND and its arguments. */
    argv: string[];
    options: Options;
  };

const GLOBAL = ["json", "quiet", "lock", "lock-timeout", "config", "help", "version"];
const ALLOWED: Record<CommandName, string[]> = {
  snapshot: [
    "tag",
    "store",
    "workers",
    "schema",
    "exclude",
    "no-fsync",
    "init",
    "full",
    "ignore-inode",
  ],
  restore: [
    "tag",
    "store",
    "workers",
    "at",
    "dry-run",
    "no-pre-snapshot",
    "allow-unverified",
    "no-fsync",
    "delete",
  ],
  verify: ["tag", "store", "workers"],
  list: ["tag", "store"],
  prune: [
    "tag",
    "store",
    "keep",
    "max-age",
    "dry-run",
    "no-fsync",
    "keep-hourly",
    "keep-daily",
    "keep-weekly",
    "keep-monthly",
    "keep-yearly",
    "keep-within",
  ],
  run: [
    "target",
    "tag",
    "store",
    "workers",
    "schema",
    "exclude",
    "no-fsync",
    "init",
    "ignore-inode",
  ],
  demo: ["workers", "no-fsync"],
  runs: ["tag", "store"],
};

const SPEC = {
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  lock: { type: "string" },
  "lock-timeout": { type: "string" },
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
  tag: { type: "string" },
  store: { type: "string" },
  workers: { type: "string" },
  schema: { type: "string" },
  exclude: { type: "string", multiple: true },
  "no-fsync": { type: "boolean" },
  full: { type: "boolean" },
  "ignore-inode": { type: "boolean" },
  delete: { type: "boolean" },
  at: { type: "string" },
  "dry-run": { type: "boolean" },
  "no-pre-snapshot": { type: "boolean" },
  "allow-unverified": { type: "boolean" },
  keep: { type: "string" },
  "max-age": { type: "string" },
  target: { type: "string", multiple: true },
  "keep-hourly": { type: "string" },
  "keep-daily": { type: "string" },
  "keep-weekly": { type: "string" },
  "keep-monthly": { type: "string" },
  "keep-yearly": { type: "string" },
  "keep-within": { type: "string" },
  init: { type: "boolean" },
} as const;

function parseWhole(name: string, s: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(s) || Number(s) < min || Number(s) > max) {
    throw usage(`Invalid --${name} "${s}": expected a whole number from ${min} to ${max}`);
  }
  return Number(s);
}

function parseAt(s: string): AtSpec {
  if (s === "latest") return { kind: "latest" };
  if (s === "previous") return { kind: "previous" };
  if (/^\d{1,16}$/.test(s)) return { kind: "ts", ts: Number(s) };
  throw usage(`Invalid --at "${s}": expected latest, previous or a run's TS (milliseconds)`);
}

type Raw = Record<string, string | boolean | string[] | undefined>;

function readConfig(file: string): Raw {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw usage(`Cannot read config "${file}": ${reasonOf(e)}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw usage(`Cannot read config "${file}": not a JSON object`);
  }
  const out: Raw = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const key = k.replace(/_/g, "-");
    if (!(key in SPEC) || ["config", "help", "version"].includes(key)) {
      throw usage(`Cannot read config "${file}": unknown key "${k}"`);
    }
    if (typeof v === "number") out[key] = String(v);
    else if (typeof v === "string" || typeof v === "boolean") out[key] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === "string")) out[key] = v as string[];
    else throw usage(`Cannot read config "${file}": bad value for "${k}"`);
  }
  return out;
}

function absolute(p: string): BPath {
  return posix.resolve(fromText(p));
}

/**
 * Parses argv (without the runtime and script).
 * @throws SnapyardError USAGE for anything malformed.
 */
export function parseCommandLine(argv: readonly string[]): Invocation {
  const dd = argv.indexOf("--");
  const head = dd < 0 ? [...argv] : argv.slice(0, dd);
  const tail = dd < 0 ? [] : argv.slice(dd + 1);
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(head, SPEC),
      options: SPEC,
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw usage(e instanceof Error ? e.message.replace(/\. To specify.*$/s, "") : String(e));
  }
  const flags = parsed.values as Raw;
  const [cmdWord, ...positionals] = parsed.positionals;
  if (flags.version) return { kind: "version" };
  if (cmdWord === "help") return helpOf(positionals[0]);
  if (cmdWord !== undefined && !COMMANDS.includes(cmdWord as CommandName)) {
    throw usage(`Unknown command "${cmdWord}" (see snapyard --help)`);
  }
  const command = cmdWord as CommandName | undefined;
  if (flags.help || command === undefined) return { kind: "help", command };
  for (const k of Object.keys(flags)) {
    if (!GLOBAL.includes(k) && !ALLOWED[command].includes(k)) {
      throw usage(`Option --${k} does not apply to "${command}"`);
    }
  }
  const config = typeof flags.config === "string" ? readConfig(flags.config) : {};
  // Config values apply only where the command takes them; flags win.
  const v: Raw = {};
  for (const [k, val] of Object.entries(config)) {
    if (GLOBAL.includes(k) || ALLOWED[command].includes(k)) v[k] = val;
  }
  Object.assign(v, flags);
  const str = (
    k: string,
  ): string | undefined => (typeof v[k] === "string" ? v[k] as string : undefined);
  const bool = (k: string): boolean => v[k] === true;
  const keepCount = (k: string): number | undefined =>
    str(k) === undefined ? undefined : parseWhole(k, str(k)!, 0, 1_000_000);

  const schema = str("schema") ?? "v3";
  if (schema !== "v2" && schema !== "v3") {
    throw usage(`Invalid --schema "${schema}": expected v2 or v3`);
  }
  const options: Options = {
    json: bool("json"),
    quiet: bool("quiet"),
    lock: str("lock") === undefined ? undefined : absolute(str("lock")!),
    lockTimeoutMs: str("lock-timeout") === undefined
      ? 5000
      : parseLockTimeout(str("lock-timeout")!),
    tag: validateTag(str("tag") ?? DEFAULT_TAG),
    store: str("store") === undefined ? undefined : absolute(str("store")!),
    workers: str("workers") === undefined
      ? defaultWorkers()
      : parseWhole("workers", str("workers")!, 1, 256),
    schema,
    exclude: Array.isArray(v.exclude) ? v.exclude : [],
    durable: !bool("no-fsync"),
    full: bool("full"),
    ignoreInode: bool("ignore-inode"),
    deleteNew: bool("delete"),
    at: str("at") === undefined ? { kind: "latest" } : parseAt(str("at")!),
    dryRun: bool("dry-run"),
    preSnapshot: !bool("no-pre-snapshot"),
    allowUnverified: bool("allow-unverified"),
    keep: str("keep") === undefined ? undefined : parseWhole("keep", str("keep")!, 0, 1_000_000),
    maxAgeMs: str("max-age") === undefined ? undefined : parseDuration(str("max-age")!),
    keepHourly: keepCount("keep-hourly"),
    keepDaily: keepCount("keep-daily"),
    keepWeekly: keepCount("keep-weekly"),
    keepMonthly: keepCount("keep-monthly"),
    keepYearly: keepCount("keep-yearly"),
    keepWithinMs: str("keep-within") === undefined ? undefined : parseDuration(str("keep-within")!),
    init: bool("init"),
  };
  let paths = positionals.map(absolute);
  let rest: string[] = [];
  if (command === "run") {
    if (positionals.length > 0) {
      throw usage(`"run" takes targets as --target PATH, not "${positionals[0]}"`);
    }
    paths = (Array.isArray(v.target) ? v.target : []).map(absolute);
    if (paths.length === 0) throw usage(`"run" needs at least one --target PATH`);
    if (tail.length === 0) throw usage(`"run" needs a command after --`);
    rest = tail;
  } else {
    paths.push(...tail.map(absolute));
  }
  const needsPaths = command === "snapshot" || command === "restore" || command === "list" ||
    command === "prune";
  if (needsPaths && paths.length === 0) throw usage(`"${command}" needs at least one PATH`);
  if (command === "verify" && paths.length === 0 && options.store === undefined) {
    throw usage(`"verify" needs PATHs or --store DIR`);
  }
  const rules = [
    options.keep,
    options.maxAgeMs,
    options.keepHourly,
    options.keepDaily,
    options.keepWeekly,
    options.keepMonthly,
    options.keepYearly,
    options.keepWithinMs,
  ];
  if (command === "prune" && rules.every((r) => r === undefined)) {
    throw usage(
      `"prune" needs a rule: --keep N, --keep-hourly/daily/weekly/monthly/yearly N, ` +
        `--keep-within DURATION and/or --max-age DURATION`,
    );
  }
  if (command === "runs" && paths.length === 0 && options.store === undefined) {
    throw usage(`"runs" needs PATHs or --store DIR`);
  }
  return { kind: "command", command, paths, argv: rest, options };
}

/** `snapyard help [COMMAND]`: the same as `--help`. */
function helpOf(word: string | undefined): Invocation {
  if (word !== undefined && !COMMANDS.includes(word as CommandName)) {
    throw usage(`Unknown command "${word}" (see snapyard --help)`);
  }
  return { kind: "help", command: word as CommandName | undefined };
}

function defaultWorkers(): number {
  return Math.max(1, os.availableParallelism());
}
