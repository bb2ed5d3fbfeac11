/**
 * The flags of a command line, before any config: a strict parse over the option table and its
 * negations (lib/cli/options.ts `NEGATIONS`). Steps: parse into option tokens, then replay them
 * in order, so the last of `--quiet` and `--no-quiet` wins (as restic's flags do) and a
 * negation leaves its option `false`, which a config file's `true` cannot override.
 *
 * The parse is `node:util` `parseArgs`'s (strict, positionals allowed), written out: on Deno,
 * evaluating `node:util` costs every start ~12 ms. tests/cli/flags_test.ts compares the two.
 */
import { usage } from "../errors.ts";
import type { Raw } from "./config.ts";
import { NEGATIONS, SPEC } from "./options.ts";
import { joinNegativeValues } from "./values.ts";

/** The option table as parseArgs takes it, negations included. */
const FULL_SPEC: Record<
  string,
  { type: "string" | "boolean"; multiple?: boolean; short?: string }
> = {
  ...SPEC,
  ...Object.fromEntries(Object.keys(NEGATIONS).map((n) => [n, { type: "boolean" as const }])),
};

/** A command line's flags (keyed by the option they set) and its positionals. */
export interface Flags {
  values: Raw;
  /** The long names of the flags given, negations as written (for messages). */
  given: string[];
  positionals: string[];
}

/** One option as given: its long name and its value (none for a boolean). */
interface OptionToken {
  name: string;
  value: string | undefined;
}

type Spec = Readonly<Record<string, { type: "string" | "boolean"; short?: string }>>;

/**
 * `parseArgs({ args, options: spec, strict: true, allowPositionals: true })`'s answer: the
 * options in order, and the positionals (everything after `--` among them).
 * @throws Error for an unknown option, a boolean given a value, a missing value, or a
 * value that looks like an option (`--tag -x`: write `--tag=-x`).
 */
export function parseStrict(
  args: readonly string[],
  spec: Spec,
): { options: OptionToken[]; positionals: string[] } {
  const shorts = new Map<string, string>();
  for (const [name, o] of Object.entries(spec)) {
    if (o.short !== undefined) shorts.set(o.short, name);
  }
  const options: OptionToken[] = [];
  const positionals: string[] = [];
  /** The value of string option `flag` (as written) from the next argument. */
  const next = (i: number, flag: string): string => {
    const v = args[i];
    if (v === undefined) throw new Error(`Option '${flag} <value>' argument missing`);
    if (v.length > 1 && v.startsWith("-")) {
      throw new Error(
        `Option '${flag}' argument is ambiguous: did you forget its value? (a value that ` +
          `starts with a dash is written ${flag}=-VALUE)`,
      );
    }
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const o = Object.hasOwn(spec, name) ? spec[name] : undefined;
      if (o === undefined) throw new Error(`Unknown option '--${name}'`);
      if (o.type === "boolean" && eq >= 0) {
        throw new Error(`Option '--${name}' does not take an argument`);
      }
      const value = o.type === "boolean" ? undefined : eq >= 0 ? a.slice(eq + 1) : next(++i, a);
      options.push({ name, value });
    } else if (a.length > 1 && a.startsWith("-")) {
      // A group of short options (-qx); a string one takes the rest of the group, or the next.
      for (let j = 1; j < a.length; j++) {
        const name = shorts.get(a[j]!);
        if (name === undefined) throw new Error(`Unknown option '-${a[j]}'`);
        if (spec[name]!.type === "boolean") {
          options.push({ name, value: undefined });
          continue;
        }
        options.push({ name, value: j + 1 < a.length ? a.slice(j + 1) : next(++i, `-${a[j]}`) });
        break;
      }
    } else positionals.push(a);
  }
  return { options, positionals };
}

/**
 * Parses the arguments before `--`.
 * @throws SnapyardError USAGE for an unknown option or a missing value.
 */
export function parseFlags(head: readonly string[]): Flags {
  let parsed;
  try {
    parsed = parseStrict(joinNegativeValues(head, FULL_SPEC), FULL_SPEC);
  } catch (e) {
    throw usage(e instanceof Error ? e.message : String(e));
  }
  const values: Raw = {};
  const given = new Set<string>();
  for (const t of parsed.options) {
    given.add(t.name);
    const undoes = NEGATIONS[t.name];
    if (undoes !== undefined) values[undoes] = false;
    else if (FULL_SPEC[t.name]?.multiple) {
      values[t.name] = [...(values[t.name] as string[] | undefined ?? []), t.value ?? ""];
    } else values[t.name] = t.value ?? true;
  }
  return { values, given: [...given], positionals: parsed.positionals };
}

/** The option a flag name sets: its own, or the one it negates. */
export function optionOfFlag(name: string): string {
  return NEGATIONS[name] ?? name;
}
