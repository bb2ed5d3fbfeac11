/** `--help` texts. */
import type { CommandName } from "./parse.ts";
import { VERSION } from "../version.ts";

export { VERSION };

const GLOBALS = `Global options (before or after COMMAND):
  --json              one JSON object per line on stdout: events, then a summary (or, when
                      the command fails as a whole, an error event with its code and exit)
  --quiet, -q         print only errors
  --lock FILE         lock file (default: STORE/.snapyard.lock with --store; else
                      /run/lock/snapyard.lock as root, $TMPDIR/snapyard-UID.lock otherwise)
  --lock-timeout MS   wait this long for the lock, then exit 30: milliseconds, or a
                      duration such as 5s or 2m (default 5000)
  --config FILE       JSON defaults for any option, e.g. {"store": "/var/backups/snapyard",
                      "tag": "nightly", "keep": 7}, and named jobs; flags override it.
                      Default: $SNAPYARD_CONFIG, else /etc/snapyard.json, else
                      $XDG_CONFIG_HOME/snapyard.json (~/.config/snapyard.json), if it exists
  --job NAME          (all but demo) the config's job NAME: its options, and its paths when
                      no PATH is given, e.g. "jobs": {"etc": {"paths": ["/etc"], "keep": 7}}.
                      Precedence: flags, then $SNAPYARD_STORE, then the job, then the config
  --no-X              undo a boolean option X a config sets (--no-quiet, --no-json,
                      --no-dry-run...); --fsync and --pre-snapshot undo --no-fsync and
                      --no-pre-snapshot; the last of --X and --no-X wins
  --metrics-file FILE when the command ends, write its series (per command and tag) to FILE,
                      a Prometheus textfile for node_exporter, atomically
  --help, -h          this text (also: snapyard help [COMMAND]);  --version, -V  the version`;

const MAIN = `snapyard ${VERSION}: snapshots of files before they change, and of trees on a schedule

Usage:
  snapyard snapshot PATH...   [--tag T] [--store DIR] [--init] [--workers N] [--schema v2|v3]
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
  snapyard COMMAND --help     (or snapyard help COMMAND)

Layout: entries live beside each target as .<name>.<tag>.<TS>.bak (payload) and
.<name>.<tag>.<TS>.bak.meta.json (sidecar), or under --store DIR/<absolute dir>/.
Compatible with switchyard-fs 1.0 (use --tag switchyard for its entries).
Runs are incremental: a target unchanged since its newest entry (kind, size, mode, owner,
inode, mtime, ctime) costs stats and no bytes; --full writes everything again.

Exit codes: 0 ok · 1 internal error (a bug) · 2 usage · 3 partial (some targets or removals
failed, the rest done) · 10 store unusable (missing, not a directory, not writable) ·
30 lock not acquired · 60 backup missing · 70 restore failed (I/O) · 71 integrity failure ·
80 run: command failed, targets rolled back

${GLOBALS}`;

const COMMAND_HELP: Record<CommandName, string> = {
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
Warnings (exit unchanged): a PATH that does not exist (recorded as absent), a directory
PATH with nothing to snapshot, an exclude that matched nothing.
Exit 0 means every reported entry is durable on disk.

Options:
  --tag T             [A-Za-z0-9_-]{1,32} (default snapyard)
  --store DIR         keep entries under DIR/<absolute dir of target>/ instead of beside;
                      DIR is created when its parent exists (else exit 10)
  --init              create a missing --store DIR with all its missing parents
  --workers N         copy+hash threads (default: number of cores)
  --schema v2|v3      sidecar schema (default v3; v2 is byte-exact switchyard-fs)
  --exclude GLOB      leave out what GLOB matches; repeatable. No /: a name at any depth
                      (*.log); with /: a path below PATH (var/cache); leading /: an
                      absolute path (/var/log). * ? ** [a-z] [!a-z] {tmp,log}; \\ escapes
  --exclude-file FILE GLOBs from FILE, one a line (# comments, blank lines ignored)
  --exclude-if-present NAME   leave out every directory holding NAME (CACHEDIR.TAG)
  --one-file-system, -x       do not enter other mounts (/proc, /sys) below a PATH
  --full              write an entry for every target, changed or not
  --ignore-inode      leave device and inode numbers out of the unchanged check (for
                      filesystems that renumber inodes on every mount)
  --no-fsync          FOR TESTS AND BENCHMARKS ONLY: skip the flushes; exit 0 then does
                      NOT mean the entries survive a power cut`,
  restore: `snapyard restore PATH... — put each PATH back as it was in an entry

Every selected entry is verified (sidecar valid, payload present, SHA-256 equal) before
any target is touched; one failure aborts with nothing changed (exit 60 or 71; 70 for a
directory in a target's place). Never a fallback to another entry. Targets are replaced
atomically (temp, fsync, rename, directory fsync); payloads are kept; a target already
identical (kind, content hash, link text, mode) is unchanged (counted, no line).
A directory PATH restores every target below it that has an entry. With --at TS, a
target below it that was created after that run (all its entries newer, the oldest
one recorded as new) is left alone and reported, or removed with --delete; any other
target without a version at TS is missing (exit 60).
The targets about to change are snapshotted first and the restored ones after, so a
second restore changes nothing and --at previous (or --at the pre-restore TS printed)
undoes it. A failure while replacing exits 70 naming what was and was not restored.

Options:
  --at latest|previous|TS   which entry (default latest; TS: newest at or before TS)
  --tag T, --store DIR      as for snapshot
  --dry-run                 run every check, print the plan, change nothing
  --no-pre-snapshot         do not snapshot the current state first
  --allow-unverified        restore v1 file entries that have no hash (switchyard-fs)
  --delete                  with --at TS: remove targets created after that run
  --target DIR              write each target under DIR instead of in place (/etc/app.conf
                            → DIR/etc/app.conf, missing directories created), to inspect or
                            copy it out: same checks, nothing in place touched, no pre- or
                            post-snapshot; an entry of an absent target writes nothing;
                            files already under DIR are replaced atomically; not with
                            --delete`,
  verify: `snapyard verify [PATH...] — check every entry under PATHs (directories: every
target below), or the whole --store without PATH. File payloads are hashed in parallel
(SHA-256 against payload_hash); a symlink payload must carry the recorded link text; a
tombstone must be an empty file. Each problem is reported with its path and reason:
hash mismatch, payload mismatch, payload missing, orphan sidecar (a tombstone lost),
sidecar corrupt, orphan payload, leftover temp file, unreadable, or unverified (a v1
switchyard-fs file entry has no hash: it cannot be verified). Takes no lock.
Exit 0 when every entry is ok, 71 otherwise; 60 when PATHs were given and no entry at all
was found (a forgotten --store?), naming the directories searched.

Options:
  --tag T, --store DIR   as for snapshot
  --workers N            hashing threads (default: number of cores)`,
  list: `snapyard list PATH... — each target's entries, newest first: TS, local time, kind,
size, short hash, state (complete, PAYLOAD MISSING, SIDECAR CORRUPT, ORPHAN PAYLOAD) and
a count of leftover temp files. Nothing is hashed (that is verify). Takes no lock.
Exit 3 when a directory could not be read.

Options:
  --tag T, --store DIR   as for snapshot`,
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
exit 3. Durations: 90s, 90m, 12h, 30d, 2w, 1d12h.

Options:
  --keep N, --keep-hourly N, --keep-daily N, --keep-weekly N, --keep-monthly N,
  --keep-yearly N, --keep-within DURATION, --max-age DURATION   the rules (at least one)
  --dry-run                      print what would go; change nothing (takes no lock)
  --tag T, --store DIR           as for snapshot
  --no-fsync                     FOR TESTS ONLY: skip the directory fsyncs`,
  runs: `snapyard runs [PATH...] — the runs that concern PATHs, newest first: TS, local
time, tag, outcome, new / unchanged / deleted targets, bytes added, PATHs (and what made
the run when not a snapshot: pre-restore, post-restore, run). A run of a directory
above a PATH covers it and is listed; so are runs of PATHs below it. With --store and no
PATH: every run in the store. A run over several PATHs is listed once. A run record that
does not parse is reported with its file, and makes the exit 3. Takes no lock.

Options:
  --tag T, --store DIR   as for snapshot`,
  run: `snapyard run --target PATH... -- COMMAND [ARGS...]

Snapshots every target (one run), runs COMMAND with inherited stdio (SIGINT and SIGTERM
are forwarded to it), and if it exits non-zero, is killed or cannot start, restores every
target to its version at that run (unchanged ones included) and exits 80 (70 if the
rollback fails). The broken state is saved first, as a run of its own. Files COMMAND
creates under a directory target are left in place (the run has no entry for them).
If the snapshot fails, COMMAND is not run (exit 3).
--tag, --store, --init, --workers, --schema, --exclude, --exclude-file,
--exclude-if-present, -x, --ignore-inode and --no-fsync: as for snapshot.`,
  diff: `snapyard diff PATH... [--at TS1] [--at TS2] — what changed between two versions

Without --at: each target's newest entry against the live tree; with one --at: the
version at that run against the live tree; with two: the first run against the second.
Directory PATHs cover every target below them. One line per target that differs, as
restic's diff: "+ PATH" added (no version on the older side), "- PATH" removed,
"M PATH (content, mode, owner, link, kind)" changed. Unchanged targets print nothing,
only a count. Content is compared by size and SHA-256; a live file whose size, mode,
owner, inode, mtime and ctime are those its entry recorded is not read. Reads only;
takes no lock. Exit 0 with or without differences; 60 when an --at selects no entry at
all; 3 when a target could not be read.

Options:
  --at latest|previous|TS   the older side (default latest), then the newer (default the
                            live tree); at most two
  --tag T, --store DIR      as for snapshot
  --exclude GLOB            leave matching targets out (as for snapshot); repeatable`,
  demo: `snapyard demo — build a small demo tree in a temp directory, snapshot it, and list it.`,
};

/** Help for one command, or the overview. */
export function helpText(command: CommandName | undefined): string {
  return command === undefined ? MAIN : `${COMMAND_HELP[command]}\n\n${GLOBALS}`;
}
