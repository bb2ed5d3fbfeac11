/**
 * Command-line parsing: turns argv into a validated `Invocation`, or throws a usage
 * error (exit 2) that names the bad argument. Steps: the flags (lib/cli/flags.ts: global
 * options before or after the command, `--no-X` negations), the command, the layered option
 * values (lib/cli/settings.ts: flags over `SNAPYARD_STORE` over the `--job` over the config
 * file), then each value checked (lib/cli/values.ts) and the PATHs (a job's when none given).
 * The option table is lib/cli/options.ts.
 */
import { resolveIn } from "../fs/posix.ts";
import { type BPath, fromText } from "../fs/bpath.ts";
import { usage } from "../errors.ts";
import { DEFAULT_TAG, validateTag } from "../store/layout.ts";
import type { Raw } from "./config.ts";
import { optionOfFlag, parseFlags } from "./flags.ts";
import { parseSelection } from "./selection.ts";
import { type CliEnv, layeredValues, NO_ENV } from "./settings.ts";
import {
  ALLOWED,
  type CommandName,
  COMMANDS,
  type Generate,
  GLOBAL,
  type Options,
} from "./options.ts";
import { parseAt, parseDuration, parseLockTimeout, parseWhole } from "./values.ts";
import { proc } from "../fs/sys.ts";

export { parseDuration };
export { type CommandName, COMMANDS, type Options } from "./options.ts";
export { type CliEnv, NO_ENV, processEnv } from "./settings.ts";

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

/** `posix.resolve` of one path, as a byte path: the working directory converted too. */
function absolute(p: string): BPath {
  return resolveIn(fromText(proc.cwd()), fromText(p));
}

/**
 * Parses argv (without the runtime and script), its config file and environment from `env`
 * (main.ts passes the process's: lib/cli/settings.ts `processEnv`).
 * @throws SnapyardError USAGE for anything malformed.
 */
export function parseCommandLine(argv: readonly string[], env: CliEnv = NO_ENV): Invocation {
  const dd = argv.indexOf("--");
  const head = dd < 0 ? [...argv] : argv.slice(0, dd);
  const tail = dd < 0 ? [] : argv.slice(dd + 1);
  const flags = parseFlags(head);
  const [cmdWord, ...positionals] = flags.positionals;
  if (flags.values.version) return { kind: "version" };
  if (cmdWord === "help") return helpOf(positionals[0]);
  if (cmdWord !== undefined && !COMMANDS.includes(cmdWord as CommandName)) {
    throw usage(`Unknown command "${cmdWord}" (see snapyard --help)`);
  }
  const command = cmdWord as CommandName | undefined;
  if (flags.values.help || command === undefined) return { kind: "help", command };
  for (const name of flags.given) {
    const k = optionOfFlag(name);
    if (!GLOBAL.includes(k) && !ALLOWED[command].includes(k)) {
      throw usage(`Option --${name} does not apply to "${command}"`);
    }
  }
  const { values: v, jobPaths } = layeredValues(command, flags.values, env);
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
  // `--at` is repeatable for diff (two runs); a config file may give one as a string.
  const ats = (typeof v.at === "string" ? [v.at] : Array.isArray(v.at) ? v.at : []).map(parseAt);
  if (ats.length > (command === "diff" ? 2 : 1)) {
    throw usage(`"${command}" takes at most ${command === "diff" ? "two --at" : "one --at"}`);
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
      ? undefined
      : parseWhole("workers", str("workers")!, 1, 256),
    schema,
    ...parseSelection(v),
    durable: !bool("no-fsync"),
    full: bool("full"),
    ignoreInode: bool("ignore-inode"),
    deleteNew: bool("delete"),
    at: ats[0] ?? { kind: "latest" },
    ats,
    into: intoOf(command, flags.values),
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
    job: str("job"),
    metricsFile: str("metrics-file") === undefined ? undefined : absolute(str("metrics-file")!),
    generate: generateOf(str),
  };
  // A job's PATHs apply when the command line names none (restic's profiles alike).
  const fromJob = (given: string[]) => given.length === 0 ? jobPaths ?? [] : given;
  let paths: BPath[];
  let rest: string[] = [];
  if (command === "run") {
    if (positionals.length > 0) {
      throw usage(`"run" takes targets as --target PATH, not "${positionals[0]}"`);
    }
    paths = fromJob(Array.isArray(v.target) ? v.target : []).map(absolute);
    if (paths.length === 0) throw usage(`"run" needs at least one --target PATH`);
    if (tail.length === 0) throw usage(`"run" needs a command after --`);
    rest = tail;
  } else {
    paths = fromJob([...positionals, ...tail]).map(absolute);
  }
  const needsPaths = command === "snapshot" || command === "restore" || command === "list" ||
    command === "prune" || command === "diff";
  if (options.into !== undefined && options.deleteNew) {
    throw usage(`"restore --target" does not take --delete (nothing in place is touched)`);
  }
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

/**
 * `restore --target DIR`, from the command line only: a config file's `target` list is
 * `run`'s, and must not send every restore elsewhere.
 * @throws SnapyardError USAGE when given twice.
 */
function intoOf(command: CommandName, flags: Raw): BPath | undefined {
  if (command !== "restore" || !Array.isArray(flags.target)) return undefined;
  if (flags.target.length !== 1) throw usage(`"restore" takes one --target DIR`);
  return absolute(flags.target[0]!);
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
