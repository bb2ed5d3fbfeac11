/**
 * Options as text: each option's label (`--lock-timeout MS`, `--quiet, -q`) and its description
 * from the table (lib/cli/options.ts `SPEC` for the short form, lib/cli/option_docs.ts for the
 * words), and the aligned, wrapped options section of `--help`.
 */
import { OPTION_DOCS, type OptionDoc, textFor } from "./option_docs.ts";
import { type CommandName, SPEC } from "./options.ts";

/** Where descriptions start in `--help`, and where lines end. */
const COLUMN = 24;
const WIDTH = 92;

/**
 * The words of option `name`.
 * @throws Error when the option has none (a table edited without its docs: a bug)
 */
export function docOf(name: string): OptionDoc {
  const doc = OPTION_DOCS[name];
  if (doc === undefined) {
    throw new Error(`Option --${name} has no entry in OPTION_DOCS (lib/cli/option_docs.ts)`);
  }
  return doc;
}

/** The short form of option `name` (`q` for `--quiet`), if it has one. */
export function shortOf(name: string): string | undefined {
  const spec = (SPEC as Record<string, { short?: string }>)[name];
  return spec?.short;
}

/** `--name[, -s][ ARG]`. */
export function optionLabel(name: string): string {
  const s = shortOf(name);
  const arg = docOf(name).arg;
  return `--${name}${s === undefined ? "" : `, -${s}`}${arg === undefined ? "" : ` ${arg}`}`;
}

/** The whole description of `name` for `command`: its text, then any detail. */
export function optionDescription(name: string, command: CommandName | undefined): string {
  const doc = docOf(name);
  const text = textFor(doc, command);
  if (doc.detail === undefined) return text;
  return `${text}${doc.detail.startsWith("(") ? " " : "; "}${doc.detail}`;
}

/** `text` broken into lines of at most `width` characters (a longer word stays whole). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** The options section of `--help`: one aligned, wrapped block per option in `names`. */
export function optionLines(names: readonly string[], command: CommandName | undefined): string {
  const out: string[] = [];
  for (const name of names) {
    const label = `  ${optionLabel(name)}`;
    const [first = "", ...rest] = wrap(optionDescription(name, command), WIDTH - COLUMN);
    const pad = " ".repeat(COLUMN);
    if (label.length < COLUMN - 1) out.push(label.padEnd(COLUMN) + first);
    else out.push(label, pad + first);
    for (const l of rest) out.push(pad + l);
  }
  return out.join("\n");
}
