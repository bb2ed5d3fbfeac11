/**
 * One source of truth for options (issue #11): every option of the parser's table
 * (lib/cli/options.ts SPEC, ALLOWED, GLOBAL) has words (lib/cli/option_docs.ts), and `--help`,
 * the man page and the bash, zsh and fish completions list for each command exactly the options
 * it takes. Each failure names the option, the command and the file to edit.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ALLOWED, type CommandName, COMMANDS, GLOBAL, SPEC } from "../../lib/cli/options.ts";
import { OPTION_DOCS } from "../../lib/cli/option_docs.ts";
import { helpText, OVERVIEW } from "../../lib/cli/help.ts";
import { bashCompletion, fishCompletion, zshCompletion } from "../../lib/cli/completions.ts";
import { manPage } from "../../lib/cli/man.ts";

const TABLE = "lib/cli/options.ts";
const DOCS = "lib/cli/option_docs.ts";

/** What `command` takes: its options and the global ones, sorted. */
function takes(command: CommandName): string[] {
  return [...ALLOWED[command], ...GLOBAL].sort();
}

/** Asserts `found` (the options a rendering lists for `command`) is exactly what it takes. */
function assertSame(found: string[], command: CommandName, where: string): void {
  const want = takes(command);
  const have = [...new Set(found)].sort();
  const missing = want.filter((o) => !have.includes(o)).map((o) => `--${o}`);
  const unknown = have.filter((o) => !want.includes(o)).map((o) => `--${o}`);
  assert.deepEqual(
    { missing, unknown },
    { missing: [], unknown: [] },
    `${where} for "${command}" differs from ALLOWED/GLOBAL in ${TABLE}: missing ` +
      `[${missing.join(", ")}], not taken [${unknown.join(", ")}]; it is rendered from the ` +
      `table, so fix the table (and ${DOCS}), then run: snapyard generate (see contrib/README.md)`,
  );
}

/** The lines of `text` from the one matching `start` up to the first matching `end`. */
function section(text: string, start: RegExp, end: RegExp): string[] {
  const lines = text.split("\n");
  const from = lines.findIndex((l) => start.test(l));
  assert.ok(from >= 0, `no line matching ${start}`);
  const to = lines.findIndex((l, i) => i > from && end.test(l));
  return lines.slice(from + 1, to < 0 ? undefined : to);
}

test("OPTION_DOCS has words for every option of SPEC, and for nothing else", () => {
  const spec = Object.keys(SPEC);
  const undocumented = spec.filter((o) => OPTION_DOCS[o] === undefined);
  assert.deepEqual(
    undocumented,
    [],
    `options in SPEC (${TABLE}) without an entry in OPTION_DOCS (${DOCS}): ` +
      `${undocumented.map((o) => `--${o}`).join(", ")}; add { arg?, text, detail? } for each`,
  );
  const stale = Object.keys(OPTION_DOCS).filter((o) => !spec.includes(o));
  assert.deepEqual(stale, [], `OPTION_DOCS (${DOCS}) describes options SPEC lacks: ${stale}`);
  for (const [name, doc] of Object.entries(OPTION_DOCS)) {
    const isString = (SPEC as Record<string, { type: string }>)[name]?.type === "string";
    assert.equal(
      doc.arg !== undefined,
      isString,
      `--${name} in ${DOCS}: a string option needs its arg (metavar), a boolean none`,
    );
    assert.ok(!doc.text.includes("\n"), `--${name} in ${DOCS}: text must be one line`);
  }
});

test("ALLOWED and GLOBAL name only options of SPEC, and every SPEC option is taken somewhere", () => {
  const spec = Object.keys(SPEC);
  const used = new Set([...GLOBAL, ...Object.values(ALLOWED).flat()]);
  assert.deepEqual([...used].filter((o) => !spec.includes(o)), [], `${TABLE}: not in SPEC`);
  assert.deepEqual(spec.filter((o) => !used.has(o)), [], `${TABLE}: in SPEC, taken by none`);
});

test("helpText() lists for each command exactly the options it takes, and mentions no other", () => {
  for (const c of COMMANDS) {
    const help = helpText(c);
    const opts = section(help, /^Options:$/, /^Global options/).concat(
      section(help, /^Global options/, /^$/),
    );
    const labels = opts.flatMap((l) => /^ {2}--([a-z-]+)/.exec(l)?.[1] ?? []);
    assertSame(labels, c, "--help");
    // The prose and the command's own options (the global ones' words may name others).
    const own = help.slice(0, help.indexOf("\nGlobal options"));
    const mentioned = [...own.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]!);
    const foreign = mentioned.filter((o) => !takes(c).includes(o));
    assert.deepEqual(foreign, [], `"${c} --help" mentions options "${c}" does not take`);
  }
});

test("OVERVIEW.usage names for each command only options it takes", () => {
  let command: CommandName | undefined;
  for (const line of OVERVIEW.usage.split("\n")) {
    const word = /^snapyard (\w+)/.exec(line)?.[1];
    if (word !== undefined) command = COMMANDS.find((c) => c === word);
    if (command === undefined) continue;
    for (const m of line.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)) {
      assert.ok(takes(command).includes(m[1]!), `usage of "${command}" shows --${m[1]}`);
    }
  }
});

test("bashCompletion() offers for each command exactly the options it takes", () => {
  const bash = bashCompletion();
  for (const c of COMMANDS) {
    const line = bash.split("\n").find((l) => l.startsWith(`    ${c}) opts="`));
    assert.ok(line !== undefined, `no case for "${c}" in the bash completion`);
    assertSame([...line.matchAll(/--([a-z-]+)/g)].map((m) => m[1]!), c, "the bash completion");
  }
});

test("zshCompletion() offers for each command exactly the options it takes", () => {
  const zsh = zshCompletion();
  for (const c of COMMANDS) {
    const block = section(zsh, new RegExp(`^ {4}${c}\\)$`), /;;$/).join("\n");
    const names = [...block.matchAll(/'\*?--([a-z-]+)\[|,--([a-z-]+)\}/g)].map((m) =>
      m[1] ?? m[2]!
    );
    assertSame(names, c, "the zsh completion");
  }
});

test("fishCompletion() offers for each command exactly the options it takes", () => {
  const fish = fishCompletion();
  for (const c of COMMANDS) {
    const re = new RegExp(`__fish_seen_subcommand_from ${c}" -l ([a-z-]+)`, "g");
    assertSame([...fish.matchAll(re)].map((m) => m[1]!), c, "the fish completion");
  }
});

test("manPage() documents for each command exactly the options it takes", () => {
  const man = manPage();
  const labels = (lines: string[]) =>
    lines.flatMap((l) => /^\\fB\\-\\-([a-z\\-]+)\\fR/.exec(l)?.[1]?.replace(/\\-/g, "-") ?? []);
  const global = labels(section(man, /^\.SH GLOBAL OPTIONS$/, /^\.SH /));
  for (const c of COMMANDS) {
    const own = labels(section(man, new RegExp(`^\\.SS ${c}$`), /^\.S[SH] /));
    assertSame([...own, ...global], c, "the man page");
  }
});
