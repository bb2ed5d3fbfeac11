/**
 * The selection options of a snapshot (and of `run`'s): `--exclude PATTERN`,
 * `--exclude-file FILE`, `--exclude-if-present NAME` and `--one-file-system` (`-x`), from
 * the flags and the `--config` values merged. Steps: read each exclude file (one pattern a
 * line; blank lines and `#` comments ignored, as restic), check every pattern
 * (lib/snapshot/exclude.ts), check each NAME is one name. Everything here is a usage error
 * (exit 2), found before any lock or store work.
 */
import { fs } from "../fs/sys.ts";
import { reasonOf, usage } from "../errors.ts";
import { checkPattern } from "../snapshot/exclude.ts";
import type { Raw } from "./config.ts";

/** What a snapshot leaves out, as `Options` holds it. */
export interface Selection {
  /** The `--exclude` patterns, then those of each `--exclude-file`. */
  exclude: string[];
  excludeIfPresent: string[];
  oneFileSystem: boolean;
}

function list(v: Raw[string]): string[] {
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

/**
 * The patterns of exclude file `file`: one a line, trimmed of a trailing CR and of
 * surrounding blanks; blank lines and lines starting with `#` are ignored.
 * @throws SnapyardError USAGE when the file cannot be read.
 */
export function readExcludeFile(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw usage(`Cannot read --exclude-file "${file}": ${reasonOf(e)}`);
  }
  return text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
}

/**
 * The selection options of `v`.
 * @throws SnapyardError USAGE for an unreadable exclude file, an invalid pattern, or a
 * NAME that is not one name.
 */
export function parseSelection(v: Raw): Selection {
  const exclude = list(v.exclude);
  for (const p of exclude) {
    const problem = checkPattern(p);
    if (problem !== undefined) throw usage(`Invalid --exclude "${p}": ${problem}`);
  }
  for (const file of list(v["exclude-file"])) {
    for (const p of readExcludeFile(file)) {
      const problem = checkPattern(p);
      if (problem !== undefined) {
        throw usage(`Invalid pattern "${p}" in --exclude-file "${file}": ${problem}`);
      }
      exclude.push(p);
    }
  }
  const excludeIfPresent = list(v["exclude-if-present"]);
  for (const name of excludeIfPresent) {
    if (name === "" || name === "." || name === ".." || name.includes("/")) {
      throw usage(`Invalid --exclude-if-present "${name}": expected a file name without /`);
    }
  }
  return { exclude, excludeIfPresent, oneFileSystem: v["one-file-system"] === true };
}
