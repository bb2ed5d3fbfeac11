/**
 * The option table: which options each command (lib/events.ts `COMMANDS`) takes, every option's parseArgs spec
 * and the validated `Options` a command line becomes. lib/cli/parse.ts reads it; adding an
 * option starts here (then its value in parse.ts, its words in option_docs.ts, from which
 * `--help`, the completions and the man page are rendered).
 */
import type { BPath } from "../fs/bpath.ts";
import type { CommandName } from "../events.ts";
import type { AtSpec } from "../store/selection.ts";
import type { SchemaChoice } from "../store/sidecar.ts";

export { type CommandName, COMMANDS } from "../events.ts";

/** Every option, validated, with defaults applied. */
export interface Options {
  json: boolean;
  quiet: boolean;
  lock: BPath | undefined;
  lockTimeoutMs: number;
  tag: string;
  store: BPath | undefined;
  /** `--workers`; undefined: one per available CPU (asked when a pool starts). */
  workers: number | undefined;
  schema: SchemaChoice;
  exclude: string[];
  /** `--exclude-if-present NAME`: directories holding NAME are left out. */
  excludeIfPresent: string[];
  /** `--one-file-system`, `-x`: stay on each PATH's device. */
  oneFileSystem: boolean;
  durable: boolean;
  /** `--full`: an entry for every target, changed or not. */
  full: boolean;
  /** `--ignore-inode`: compare without dev and ino. */
  ignoreInode: boolean;
  /** `restore --delete`: remove targets that did not exist at the selected run. */
  deleteNew: boolean;
  /** The first `--at` (default latest); restore takes one, diff up to two (`ats`). */
  at: AtSpec;
  /** Every `--at`, in order (diff: the older side, then the newer one). */
  ats: AtSpec[];
  /** `restore --target DIR`: write the targets under DIR instead of in place. */
  into: BPath | undefined;
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
  /** `--job NAME`: the config file's job whose options and paths apply. */
  job: string | undefined;
  /** `--metrics-file FILE`: the Prometheus textfile written when the command ends. */
  metricsFile: BPath | undefined;
  /** `generate`: where to write the man page (a directory) and each completion (`-`: stdout). */
  generate: Generate;
}

/** What `generate` writes, and where. */
export type Generate = Partial<Record<"man" | "bash" | "zsh" | "fish", string>>;

/** The options every command takes. */
export const GLOBAL = [
  "json",
  "quiet",
  "lock",
  "lock-timeout",
  "config",
  "metrics-file",
  "help",
  "version",
];
/** What a snapshot takes, as `snapshot` and as the snapshot `run` takes before COMMAND. */
const SNAPSHOT_OPTIONS = [
  "job",
  "tag",
  "store",
  "workers",
  "schema",
  "exclude",
  "exclude-file",
  "exclude-if-present",
  "one-file-system",
  "no-fsync",
  "init",
  "ignore-inode",
  "full",
];
/** The options each command takes besides `GLOBAL`. */
export const ALLOWED: Record<CommandName, string[]> = {
  snapshot: SNAPSHOT_OPTIONS,
  restore: [
    "job",
    "tag",
    "store",
    "workers",
    "at",
    "dry-run",
    "no-pre-snapshot",
    "allow-unverified",
    "no-fsync",
    "delete",
    "target",
  ],
  verify: ["job", "tag", "store", "workers"],
  list: ["job", "tag", "store"],
  prune: [
    "job",
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
  run: ["target", ...SNAPSHOT_OPTIONS],
  demo: ["workers", "no-fsync"],
  runs: ["job", "tag", "store"],
  diff: ["job", "tag", "store", "at", "exclude"],
  generate: ["man", "bash-completion", "zsh-completion", "fish-completion"],
};

/** Every option for node:util parseArgs (also the keys a `--config` file may set). */
export const SPEC = {
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  lock: { type: "string" },
  "lock-timeout": { type: "string" },
  config: { type: "string" },
  job: { type: "string" },
  "metrics-file": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
  tag: { type: "string" },
  store: { type: "string" },
  workers: { type: "string" },
  schema: { type: "string" },
  exclude: { type: "string", multiple: true },
  "exclude-file": { type: "string", multiple: true },
  "exclude-if-present": { type: "string", multiple: true },
  "one-file-system": { type: "boolean", short: "x" },
  "no-fsync": { type: "boolean" },
  full: { type: "boolean" },
  "ignore-inode": { type: "boolean" },
  delete: { type: "boolean" },
  at: { type: "string", multiple: true },
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
  man: { type: "string" },
  "bash-completion": { type: "string" },
  "zsh-completion": { type: "string" },
  "fish-completion": { type: "string" },
} as const;

/**
 * The negations: `--no-X` for each boolean option X a config file can set (`--no-quiet`,
 * `--no-dry-run`...), and `--X` for one named `no-X` (`--fsync`, `--pre-snapshot`); each
 * undoes its option, whatever the config says. Negation name → the option it undoes.
 */
export const NEGATIONS: Readonly<Record<string, string>> = negationsOf(SPEC);

function negationsOf(spec: Readonly<Record<string, { type: string }>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, opt] of Object.entries(spec)) {
    if (opt.type !== "boolean" || name === "help" || name === "version") continue;
    out[name.startsWith("no-") ? name.slice(3) : `no-${name}`] = name;
  }
  return out;
}
