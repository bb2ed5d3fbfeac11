/**
 * The words of the option table (lib/cli/options.ts `SPEC`): each option's metavar, its one-line
 * description and, where help and the man page say more, its detail. `--help` (lib/cli/help.ts),
 * the completions (lib/cli/completions.ts) and the man page (lib/cli/man.ts) all render from
 * here and from `ALLOWED`/`GLOBAL`, so they cannot drift from the parser.
 *
 * Adding an option: its spec in options.ts `SPEC`, the commands that take it in `ALLOWED`, then
 * its entry here (tests/cli/option_docs_test.ts fails, naming the option, until there is one).
 */
import type { CommandName } from "./options.ts";

/** How an option is described. */
export interface OptionDoc {
  /** The value's name (`FILE`, `DIR`, `PATH`, `N`, ...); none for a boolean. */
  arg?: string;
  /** The words a value may be, when they are a closed set (completed as such). */
  choices?: readonly string[];
  /** One line: what the option does (completions show only this). */
  text: string;
  /** More for `--help` and the man page, after `text`. */
  detail?: string;
  /** A command's own `text`, where the option means more there. */
  per?: Partial<Record<CommandName, string>>;
}

/** What a value names, for completion: files (FILE, PATH), directories (DIR) or neither. */
export function argKind(doc: OptionDoc): "file" | "dir" | "choice" | "word" | "none" {
  if (doc.arg === undefined) return "none";
  if (doc.choices !== undefined) return "choice";
  if (doc.arg === "FILE" || doc.arg === "PATH") return "file";
  return doc.arg === "DIR" ? "dir" : "word";
}

/** The description of `doc` for `command` (its own, else the common one). */
export function textFor(doc: OptionDoc, command: CommandName | undefined): string {
  return (command === undefined ? undefined : doc.per?.[command]) ?? doc.text;
}

const DURATION = "a duration: 90s, 90m, 12h, 30d, 2w, 1d12h";

/** Every option's words, keyed as `SPEC` is. */
export const OPTION_DOCS: Record<string, OptionDoc> = {
  json: {
    text: "one JSON object per line on stdout: events, then a summary",
    detail: "(or, when the command fails as a whole, an error event with its code and exit)",
  },
  quiet: { text: "print only errors" },
  lock: {
    arg: "FILE",
    text: "the lock file",
    detail: "(default: STORE/.snapyard.lock with --store; else /run/lock/snapyard.lock as " +
      "root, $TMPDIR/snapyard-UID.lock otherwise)",
  },
  "lock-timeout": {
    arg: "MS",
    text: "wait this long for the lock, then exit 30",
    detail: "milliseconds, or a duration such as 5s or 2m (default 5000)",
  },
  config: {
    arg: "FILE",
    text: "JSON defaults for any option, and named jobs; flags override it",
    detail: `e.g. {"store": "/var/backups/snapyard", "tag": "nightly", "keep": 7}. Default: ` +
      "$SNAPYARD_CONFIG, else /etc/snapyard.json, else $XDG_CONFIG_HOME/snapyard.json " +
      "(~/.config/snapyard.json), if it exists",
  },
  job: {
    arg: "NAME",
    text: "the config's job NAME: its options, and its paths when no PATH is given",
    detail: `e.g. "jobs": {"etc": {"paths": ["/etc"], "keep": 7}}. Precedence: flags, then ` +
      "$SNAPYARD_STORE, then the job, then the config",
  },
  "metrics-file": {
    arg: "FILE",
    text: "when the command ends, write its series to FILE (a Prometheus textfile)",
    detail: "per command and tag, atomically, for node_exporter's textfile collector",
  },
  help: { text: "this text (also: snapyard help [COMMAND])" },
  version: { text: "print the version" },
  tag: {
    arg: "T",
    text: "the tag of the entries",
    detail: "[A-Za-z0-9_-]{1,32} (default snapyard)",
  },
  store: {
    arg: "DIR",
    text: "keep entries under DIR/<absolute dir of target>/ instead of beside",
    detail: "DIR is created by snapshot and run when its parent exists (else exit 10)",
  },
  init: { text: "create a missing --store DIR with all its missing parents" },
  workers: {
    arg: "N",
    text: "copy+hash threads (default: number of cores)",
    per: { verify: "hashing threads (default: number of cores)" },
  },
  schema: {
    arg: "v2|v3",
    choices: ["v2", "v3"],
    text: "sidecar schema (default v3; v2 is byte-exact switchyard-fs)",
  },
  exclude: {
    arg: "GLOB",
    text: "leave out what GLOB matches; repeatable",
    detail: "No /: a name at any depth (*.log); with /: a path below PATH (var/cache); " +
      "leading /: an absolute path (/var/log). * ? ** [a-z] [!a-z] {tmp,log}; \\ escapes",
    per: { diff: "leave matching targets out (as for snapshot); repeatable" },
  },
  "exclude-file": {
    arg: "FILE",
    text: "GLOBs from FILE, one a line (# comments, blank lines ignored); repeatable",
  },
  "exclude-if-present": {
    arg: "NAME",
    text: "leave out every directory holding NAME (e.g. CACHEDIR.TAG); repeatable",
  },
  "one-file-system": { text: "do not enter other mounts (/proc, /sys) below a PATH" },
  full: {
    text: "write an entry for every target, changed or not",
    per: {
      run: "the snapshot before COMMAND writes an entry for every target, changed or not " +
        "(the rollback's own snapshots stay incremental)",
    },
  },
  "ignore-inode": {
    text: "leave device and inode numbers out of the unchanged check",
    detail: "(for filesystems that renumber inodes on every mount)",
  },
  "no-fsync": {
    text: "FOR TESTS AND BENCHMARKS ONLY: skip the flushes",
    detail: "exit 0 then does NOT mean the entries survive a power cut",
  },
  at: {
    arg: "latest|previous|TS",
    choices: ["latest", "previous"],
    text: "which entry (default latest; TS: newest at or before TS)",
    per: {
      diff: "the older side (default latest), then the newer (default the live tree); " +
        "at most two",
    },
  },
  "dry-run": {
    text: "run every check, print the plan, change nothing",
    per: { prune: "print what would go; change nothing (takes no lock)" },
  },
  "no-pre-snapshot": { text: "do not snapshot the current state first" },
  "allow-unverified": { text: "restore v1 file entries that have no hash (switchyard-fs)" },
  delete: { text: "with --at TS: remove targets created after that run" },
  keep: { arg: "N", text: "keep the N newest runs" },
  "keep-hourly": { arg: "N", text: "keep the newest run of each of the N newest hours" },
  "keep-daily": { arg: "N", text: "keep the newest run of each of the N newest days" },
  "keep-weekly": { arg: "N", text: "keep the newest run of each of the N newest ISO weeks" },
  "keep-monthly": { arg: "N", text: "keep the newest run of each of the N newest months" },
  "keep-yearly": { arg: "N", text: "keep the newest run of each of the N newest years" },
  "keep-within": {
    arg: "DURATION",
    text: "keep every run within DURATION of the newest",
    detail: DURATION,
  },
  "max-age": {
    arg: "DURATION",
    text: "then drop the runs older than DURATION",
    detail: DURATION,
  },
  target: {
    arg: "PATH",
    text: "a target to snapshot and roll back; repeatable, at least one",
    per: { restore: "write each target under the directory PATH instead of in place" },
  },
  man: { arg: "DIR", text: "write the man page DIR/snapyard.1" },
  "bash-completion": { arg: "FILE", text: "write the bash completion to FILE (- for stdout)" },
  "zsh-completion": { arg: "FILE", text: "write the zsh completion to FILE (- for stdout)" },
  "fish-completion": { arg: "FILE", text: "write the fish completion to FILE (- for stdout)" },
};
