/**
 * `--help` texts: the overview and each command's prose, written by hand; the options sections
 * are rendered from the option table (lib/cli/options.ts) and its words (lib/cli/option_docs.ts).
 * The man page (lib/cli/man.ts) is made of the same pieces.
 */
import { ALLOWED, type CommandName, GLOBAL } from "./options.ts";
import { optionLines } from "./option_text.ts";
import { VERSION } from "../version.ts";

export { VERSION };

/** The overview's pieces: what snapyard is, the usage lines, the paragraphs after them. */
export const OVERVIEW = {
  title: "snapshots of files before they change, and of trees on a schedule",
  usage:
    `snapyard snapshot PATH...   [--tag T] [--store DIR] [--init] [--workers N] [--schema v2|v3]
                            [--exclude GLOB]... [--full] [--ignore-inode] [--no-fsync]
                            [--exclude-file FILE]... [--exclude-if-present NAME]... [-x]
snapyard restore  PATH...   [--tag T] [--store DIR] [--at latest|previous|TS] [--dry-run]
                            [--no-pre-snapshot] [--allow-unverified] [--delete]
                            [--target DIR]
snapyard verify   [PATH...] [--tag T] [--store DIR]
snapyard list     PATH...   [--tag T] [--store DIR]
snapyard runs     [PATH...] [--tag T] [--store DIR]
snapyard diff     PATH...   [--at TS1] [--at TS2] [--tag T] [--store DIR] [--exclude GLOB]...
snapyard prune    PATH...   [--tag T] [--store DIR] [--keep N] [--keep-daily N]...
                            [--keep-within DURATION] [--max-age DURATION] [--dry-run]
snapyard run      --target PATH [--target PATH]... [--tag T] [--store DIR] -- COMMAND [ARGS...]
snapyard demo     build a demo tree in a temp dir, snapshot it, list it
snapyard generate [--man DIR] [--bash-completion FILE] [--zsh-completion FILE]
                  [--fish-completion FILE]
snapyard COMMAND --help     (or snapyard help COMMAND)`,
  paragraphs: [
    `Layout: entries live beside each target as .<name>.<tag>.<TS>.bak (payload) and
.<name>.<tag>.<TS>.bak.meta.json (sidecar), or under --store DIR/<absolute dir>/.
Compatible with switchyard-fs 1.0 (use --tag switchyard for its entries).
Runs are incremental: a target unchanged since its newest entry (kind, size, mode, owner,
inode, mtime, ctime) costs stats and no bytes; --full writes everything again.`,
    `Configuration: --config FILE (else $SNAPYARD_CONFIG, else /etc/snapyard.json, else
$XDG_CONFIG_HOME/snapyard.json, if it exists) holds defaults for any option and named
jobs ("jobs": {"etc": {"paths": ["/etc"], "keep_daily": 7}}), run as --job etc.
Precedence: flags, then $SNAPYARD_STORE, then the job, then the config. Each boolean
option X a config can set has --no-X (--fsync and --pre-snapshot undo --no-fsync and
--no-pre-snapshot); the last of --X and --no-X wins.`,
    `Exit codes: 0 ok · 1 internal error (a bug) · 2 usage · 3 partial (some targets or removals
failed, the rest done) · 10 store unusable (missing, not a directory, not writable) ·
30 lock not acquired · 60 backup missing · 70 restore failed (I/O) · 71 integrity failure ·
80 run: command failed, targets rolled back`,
  ],
} as const;

const MAIN = `snapyard ${VERSION}: ${OVERVIEW.title}

Usage:
${OVERVIEW.usage.replace(/^/gm, "  ")}

${OVERVIEW.paragraphs.join("\n\n")}`;

/** Each command in a few words (the completions' menus). */
export const COMMAND_SUMMARY: Record<CommandName, string> = {
  snapshot: "save the current state of each PATH as one run",
  restore: "put each PATH back as it was in an entry",
  verify: "check every entry under PATHs, or the whole store",
  list: "each target's entries, newest first",
  prune: "remove the runs the rules do not keep",
  run: "snapshot targets, run COMMAND, roll back if it fails",
  demo: "snapshot and list a demo tree in a temp directory",
  runs: "the runs that concern PATHs, newest first",
  diff: "what changed between two runs, or a run and the live tree",
  generate: "write the man page and the shell completions",
};

/** Each command's prose; its options are rendered from the table. */
export const COMMAND_HELP: Record<CommandName, string> = {
  snapshot: `snapyard snapshot PATH... — save the current state of each PATH as one run

Each PATH is a regular file (bytes + mode), a symlink (its link text; never followed),
an absent path (a tombstone), or a directory (every file and symlink below it).
FIFOs, sockets and devices are skipped with a reason and never opened. Every entry
of one invocation carries the same TS, so a tree can be restored to a run.
Runs are incremental: a target equal to its newest complete entry (same kind; a file's
size, mode, owner, inode, mtime and ctime to the nanosecond; a symlink's text and owner)
gets no new entry and no output line, only a count in the summary (and an unchanged
event with --json). A file modified too close to its last run counts as changed.
Below a directory PATH, a target that had entries and is gone gets a tombstone
(deleted), unless an exclude left it out. Each run leaves a run record (see snapyard runs).
Excludes: a GLOB without / matches a name at any depth (*.log); with /, a path below
PATH (var/cache); with a leading /, an absolute path (/var/log). * ? ** [a-z] [!a-z]
{tmp,log}; \\ escapes. Warnings (exit unchanged): a PATH that does not exist (recorded
as absent), a directory PATH with nothing to snapshot, an exclude that matched nothing.
Exit 0 means every reported entry is durable on disk.`,
  restore: `snapyard restore PATH... — put each PATH back as it was in an entry

Every selected entry is verified (sidecar valid, payload present, SHA-256 equal) before
any target is touched; one failure aborts with nothing changed (exit 60 or 71; 70 for a
directory in a target's place). Never a fallback to another entry. Targets are replaced
atomically (temp, fsync, rename, directory fsync); payloads are kept; a target already
identical (kind, content hash, link text, mode) is unchanged (counted, no line).
A directory PATH restores every target below it that has an entry. With --at TS, a
target below it that was created after that run (all its entries newer, the oldest
one recorded as new) is left alone and reported, or removed with --delete; any other
target without a version at TS is missing (exit 60). A directory PATH with no entry
below it is an empty tree when a run covered it then (nothing to restore, exit 0),
else missing (exit 60).
The targets about to change are snapshotted first and the restored ones after, so a
second restore changes nothing and --at previous (or --at the pre-restore TS printed)
undoes it. A failure while replacing exits 70 naming what was and was not restored.
With --target DIR, each target is written under DIR instead (/etc/app.conf →
DIR/etc/app.conf, missing directories created), to inspect or copy it out: same checks,
nothing in place touched, no pre- or post-snapshot; an entry of an absent target writes
nothing; files already under DIR are replaced atomically; not with --delete.`,
  verify: `snapyard verify [PATH...] — check every entry under PATHs (directories: every
target below), or the whole --store without PATH. File payloads are hashed in parallel
(SHA-256 against payload_hash); a symlink payload must carry the recorded link text; a
tombstone must be an empty file. Each problem is reported with its path and reason:
hash mismatch, payload mismatch, payload missing, orphan sidecar (a tombstone lost),
sidecar corrupt, orphan payload, leftover temp file, unreadable, or unverified (a v1
switchyard-fs file entry has no hash: it cannot be verified). Takes no lock.
Exit 0 when every entry is ok, 71 otherwise; 60 when PATHs were given and no entry at all
was found (a forgotten --store?), naming the directories searched, unless the latest
complete run of each such PATH saved an empty tree (a warning, exit 0).`,
  list: `snapyard list PATH... — each target's entries, newest first: TS, local time, kind,
size, short hash, state (complete, PAYLOAD MISSING, SIDECAR CORRUPT, ORPHAN PAYLOAD) and
a count of leftover temp files. Nothing is hashed (that is verify). Takes no lock.
Exit 3 when a directory could not be read.`,
  prune: `snapyard prune PATH... — remove the runs the rules do not keep

The rules select RUNS (as restic's forget, in local time; a run is kept when any rule
keeps it): --keep N (the N newest), --keep-hourly/daily/weekly/monthly/yearly N (the
newest run of each of the N newest such periods that have one), --keep-within DURATION
(runs within DURATION of the newest); --max-age DURATION then drops older runs.
Per target and tag, every version a kept run needs stays (the newest entry at or before
the run's TS, for each kept run that covers the target), and so does the newest complete
entry (valid sidecar, payload present); every other entry goes, its sidecar before its
payload, then the records of the runs not kept. An entry TS without a run record (older
entries, switchyard-fs's) counts as a run of just the targets with an entry at that TS.
A run record that does not parse is reported (exit 3) and its TS kept. Orphan payloads
and temp files left by a crashed run are removed too. One fsync per directory changed.
A removal that fails is reported with its path and reason, is not counted, and makes the
exit 3. Durations: 90s, 90m, 12h, 30d, 2w, 1d12h.`,
  runs: `snapyard runs [PATH...] — the runs that concern PATHs, newest first: TS, local
time, tag, outcome, new / unchanged / deleted targets, bytes added, PATHs (and what made
the run when not a snapshot: pre-restore, post-restore, run). A run of a directory
above a PATH covers it and is listed; so are runs of PATHs below it. With --store and no
PATH: every run in the store. A run over several PATHs is listed once. A run record that
does not parse is reported with its file, and makes the exit 3. Takes no lock.`,
  run: `snapyard run --target PATH... -- COMMAND [ARGS...]

Snapshots every target (one run), runs COMMAND with inherited stdio (SIGINT and SIGTERM
are forwarded to it), and if it exits non-zero, is killed or cannot start, restores every
target to its version at that run (unchanged ones included) and exits 80 (70 if the
rollback fails). The broken state is saved first, as a run of its own. Files COMMAND
creates under a directory target are left in place (the run has no entry for them) and
listed in the summary.
If the snapshot fails, COMMAND is not run (exit 3). --full makes the snapshot before
COMMAND write every target again; the rollback's snapshots (of the broken state, and of
the restored one) stay incremental, as restore's are.`,
  diff: `snapyard diff PATH... [--at TS1] [--at TS2] — what changed between two versions

Without --at: each target's newest entry against the live tree; with one --at: the
version at that run against the live tree; with two: the first run against the second.
Directory PATHs cover every target below them. One line per target that differs, as
restic's diff: "+ PATH" added (no version on the older side), "- PATH" removed,
"M PATH (content, mode, owner, link, kind)" changed. Unchanged targets print nothing,
only a count. Content is compared by size and SHA-256; a live file whose size, mode,
owner, inode, mtime and ctime are those its entry recorded is not read. Reads only;
takes no lock. Exit 0 with or without differences; 60 when an --at selects no entry at
all (and no run covered the PATH then: that would be an empty tree); 3 when a target
could not be read.`,
  demo: `snapyard demo — build a small demo tree in a temp directory, snapshot it, and list it.`,
  generate: `snapyard generate — write the man page and the shell completions

Like restic generate: the man page (DIR/snapyard.1) and the bash, zsh and fish completions
are rendered from the option table and these help texts, so they list exactly the options
the parser takes. Copies are in contrib/man/ and contrib/completions/.`,
};

/** Help for one command, or the overview. */
export function helpText(command: CommandName | undefined): string {
  if (command === undefined) return `${MAIN}\n\n${globalsText()}`;
  return `${COMMAND_HELP[command]}\n\nOptions:\n${optionLines(ALLOWED[command], command)}\n\n` +
    globalsText();
}

function globalsText(): string {
  return `Global options (before or after COMMAND):\n${optionLines(GLOBAL, undefined)}\n\n` +
    NEGATIONS_TEXT;
}

const NEGATIONS_TEXT = `Each boolean option X a config can set has --no-X (--no-quiet, --no-json,
--no-dry-run...) to undo it; --fsync and --pre-snapshot undo --no-fsync and
--no-pre-snapshot. The last of --X and --no-X wins.`;
