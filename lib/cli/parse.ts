/**
 * Command-line parsing: turns argv into a validated `Invocation`, or throws a usage
 * error (exit 2) that names the bad argument. Global options are accepted before or
 * after the command; `--config FILE` (JSON) supplies defaults that flags override.
 * The option table is lib/cli/options.ts, the value parsers lib/cli/values.ts, the
 * config file reader lib/cli/config.ts.
 */
import * as os from "node:os";
import { posix } from "node:path";
import { parseArgs } from "node:util";
import { type BPath, fromText } from "../fs/bpath.ts";
import { usage } from "../errors.ts";
import { DEFAULT_TAG, validateTag } from "../store/layout.ts";
import { type Raw, readConfig } from "./config.ts";
import {
  ALLOWED,
  type CommandName,
  COMMANDS,
  type Generate,
  GLOBAL,
  type Options,
  SPEC,
} from "./options.ts";
import {
  joinNegativeValues,
  parseAt,
  parseDuration,
  parseLockTimeout,
  parseWhole,
} from "./values.ts";

export { parseDuration };
export { type CommandName, COMMANDS, type Options } from "./options.ts";

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
    generate: generateOf(str),
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
  if (command === "generate" && (paths.length > 0 || Object.keys(options.generate).length === 0)) {
    throw usage(
      `"generate" takes no PATH and needs --man DIR, --bash-completion FILE, ` +
        `--zsh-completion FILE and/or --fish-completion FILE`,
    );
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

/** The flag of each `generate` output. */
const GENERATE_FLAGS = {
  man: "man",
  bash: "bash-completion",
  zsh: "zsh-completion",
  fish: "fish-completion",
} as const;

/** `generate`'s outputs: absolute paths; `-` (stdout) for a completion kept as it is. */
function generateOf(str: (k: string) => string | undefined): Generate {
  const out: Generate = {};
  for (const key of ["man", "bash", "zsh", "fish"] as const) {
    const v = str(GENERATE_FLAGS[key]);
    if (v !== undefined) out[key] = v === "-" && key !== "man" ? v : absolute(v);
  }
  return out;
}

function defaultWorkers(): number {
  return Math.max(1, os.availableParallelism());
}
