/**
 * What the walk of a snapshot leaves out: `--exclude PATTERN` and the patterns of
 * `--exclude-file FILE` (globs matched by picomatch), and `--exclude-if-present NAME`.
 *
 * Anchoring, as restic and rsync do it (docs/cli.md, Selection):
 * - a pattern without `/` matches a name at any depth (`*.log`, `node_modules`);
 * - a pattern with `/` matches the path relative to the PATH given (`var/cache`);
 * - a pattern starting with `/` is an absolute path (`/var/log`).
 * A match excludes the path and, for a directory, everything below it. A trailing `/` is
 * dropped. `*` and `?` stay within a name, `**` crosses names, `[...]` is a class (`[!...]`
 * or `[^...]` negated), `{a,b}` expands, `\` makes the next character literal. A leading
 * `!` is literal (no negation) and there are no extglobs.
 *
 * Order: `checkPattern` validates a pattern where arguments are parsed (a bad one is a usage
 * error before any lock or store work); `Excludes` compiles them all once per run, is asked
 * about each name the walk finds, and at the end says which patterns matched nothing.
 * picomatch is loaded with the first pattern compiled (`loadPicomatch`): a run without
 * excludes does not evaluate it.
 */
import type picomatchType from "picomatch";
import { type BPath, toText } from "../fs/bpath.ts";

/** The picomatch options of every pattern: dot files match, `!` and `@(...)` are literal. */
const GLOB_OPTIONS: picomatchType.PicomatchOptions = {
  dot: true,
  nonegate: true,
  noextglob: true,
  // Throw for a pattern whose regular expression is invalid (`[z-a]`) instead of
  // silently matching nothing.
  debug: true,
};

/** The pattern as matched: a trailing `/` dropped, a leading `/` kept for absolute ones. */
function bodyOf(pattern: string): string {
  return pattern.length > 1 ? pattern.replace(/\/+$/, "") : pattern;
}

/**
 * The pattern in picomatch's words: a class `[!...]` becomes `[^...]` (picomatch would
 * read `!` as a member), and `(`, `)` outside a class are escaped (picomatch would make
 * them a regular-expression group even with extglobs off).
 */
function toPicomatch(body: string): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\\") {
      out += body.slice(i, i + 2);
      i++;
    } else if (c === "(" || c === ")") out += `\\${c}`;
    else if (c === "[") {
      // A class runs to the next `]` after its first member (`[]a]` holds `]`).
      const negated = body[i + 1] === "!" || body[i + 1] === "^";
      const first = i + (negated ? 2 : 1);
      const end = body.indexOf("]", first + 1);
      if (end < 0) out += "\\[";
      else {
        out += `[${negated ? "^" : ""}${body.slice(first, end)}]`;
        i = end;
      }
    } else out += c;
  }
  return out;
}

let picomatch: typeof picomatchType | undefined;

/**
 * picomatch, loaded on first use (Bun: ~10 ms to evaluate) and synchronously, for
 * `checkPattern` runs while arguments are parsed. Bun's bundler (`bun build --compile`)
 * bundles only a literal `require("picomatch")`; Deno has no `require` in a module, so
 * there a `createRequire` of this module's URL resolves it from node_modules.
 */
function loadPicomatch(): typeof picomatchType {
  return picomatch ??=
    (typeof require === "function"
      ? require("picomatch")
      : process.getBuiltinModule("node:module").createRequire(import.meta.url)(
        "picomatch",
      )) as typeof picomatchType;
}

function compile(pattern: string): RegExp {
  return loadPicomatch().makeRe(toPicomatch(bodyOf(pattern)), GLOB_OPTIONS);
}

/**
 * Why `pattern` cannot be an exclude pattern, or undefined when it can.
 * @returns a reason such as `not a valid glob: range out of order in character class`.
 */
export function checkPattern(pattern: string): string | undefined {
  if (pattern === "" || pattern === "/") return "matches nothing (empty)";
  try {
    compile(pattern);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return `not a valid glob: ${
      detail.replace(/^Invalid regular expression: (\/.*\/[a-z]*: )?/, "")
    }`;
  }
  return undefined;
}

/** How a pattern is matched: against a name, the path below the PATH, or the absolute path. */
type Anchor = "name" | "relative" | "absolute";

interface Rule {
  pattern: string;
  anchor: Anchor;
  re: RegExp;
  matched: boolean;
}

/** The exclude patterns of one run, compiled; remembers which ones matched. */
export class Excludes {
  readonly #rules: Rule[];
  readonly #absolute: boolean;

  /**
   * @throws Error for a pattern `checkPattern` refuses (the command line checked them).
   */
  constructor(patterns: readonly string[]) {
    this.#rules = [...new Set(patterns)].map((pattern) => {
      const body = bodyOf(pattern);
      const anchor: Anchor = body.startsWith("/")
        ? "absolute"
        : body.includes("/")
        ? "relative"
        : "name";
      return { pattern, anchor, re: compile(pattern), matched: false };
    });
    this.#absolute = this.#rules.some((r) => r.anchor === "absolute");
  }

  /** Whether there is no pattern at all. */
  get empty(): boolean {
    return this.#rules.length === 0;
  }

  /**
   * Whether the walk must leave out `path` (absolute, `rel` below the PATH given, base name
   * `name`). Every pattern is tried, so each one that matches is remembered.
   */
  excludes(path: BPath, rel: string, name: string): boolean {
    return this.#test(this.#absolute ? toText(path) : "", rel, name, true);
  }

  /**
   * Whether `path` (`rel` below the PATH given) or a directory above it, up to the PATH, is
   * excluded: whether a target that is gone was left out of the walk (no tombstone then).
   * Does not count as a match.
   */
  covers(path: BPath, rel: string): boolean {
    if (this.empty || rel === "") return false;
    const parts = rel.split("/");
    const abs = toText(path);
    const top = abs.slice(0, abs.length - rel.length);
    for (let k = 1; k <= parts.length; k++) {
      const below = parts.slice(0, k).join("/");
      if (this.#test(top + below, below, parts[k - 1]!, false)) return true;
    }
    return false;
  }

  /** `covers` of `target`, gone from walked directory `dir` (`rel` below the PATH given). */
  coversGone(target: BPath, dir: BPath, rel: string): boolean {
    if (this.empty) return false;
    const base = toText(dir);
    const tail = toText(target).slice(base === "/" ? 1 : base.length + 1);
    return this.covers(target, rel === "" ? tail : `${rel}/${tail}`);
  }

  #test(abs: string, rel: string, name: string, remember: boolean): boolean {
    let out = false;
    for (const r of this.#rules) {
      const subject = r.anchor === "name" ? name : r.anchor === "relative" ? rel : abs;
      if (!r.re.test(subject)) continue;
      if (!remember) return true;
      out = r.matched = true;
    }
    return out;
  }

  /** The patterns that matched nothing so far, as given. */
  unmatched(): string[] {
    return this.#rules.filter((r) => !r.matched).map((r) => r.pattern);
  }
}
