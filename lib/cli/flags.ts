/**
 * The flags of a command line, before any config: parseArgs over the option table and its
 * negations (lib/cli/options.ts `NEGATIONS`). Steps: parse with tokens, then replay the option
 * tokens in order, so the last of `--quiet` and `--no-quiet` wins (as restic's flags do) and a
 * negation leaves its option `false`, which a config file's `true` cannot override.
 */
import { parseArgs } from "node:util";
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

/**
 * Parses the arguments before `--`.
 * @throws SnapyardError USAGE for an unknown option or a missing value.
 */
export function parseFlags(head: readonly string[]): Flags {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(head, FULL_SPEC),
      options: FULL_SPEC,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (e) {
    throw usage(e instanceof Error ? e.message.replace(/\. To specify.*$/s, "") : String(e));
  }
  const values: Raw = {};
  const given = new Set<string>();
  for (const t of parsed.tokens) {
    if (t.kind !== "option") continue;
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
