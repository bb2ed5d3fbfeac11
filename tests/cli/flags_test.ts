/**
 * lib/cli/flags.ts `parseStrict` against `node:util` `parseArgs` (strict, positionals
 * allowed), which it stands in for: on generated command lines both throw, or both give the
 * same options (name and value, in order) and positionals. Error texts are ours.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { parseFlags, parseStrict } from "../../lib/cli/flags.ts";
import { SnapyardError } from "../../lib/errors.ts";

const SPEC = {
  quiet: { type: "boolean", short: "q" },
  x: { type: "boolean", short: "x" },
  json: { type: "boolean" },
  tag: { type: "string" },
  exclude: { type: "string", multiple: true },
  store: { type: "string", short: "s" },
} as const;

/** parseArgs's answer in parseStrict's shape, or "throws". */
function nodeAnswer(args: string[]) {
  try {
    const r = parseArgs({
      args,
      options: SPEC,
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
    const options = r.tokens.flatMap((t) =>
      t.kind === "option" ? [{ name: t.name, value: t.value }] : []
    );
    return { options, positionals: r.positionals };
  } catch (_e) {
    return "throws";
  }
}

function ourAnswer(args: string[]) {
  try {
    return parseStrict(args, SPEC);
  } catch (_e) {
    return "throws";
  }
}

const WORDS = [
  "--quiet",
  "-q",
  "-x",
  "-qx",
  "-xq",
  "--json",
  "--json=1",
  "--tag",
  "--tag=",
  "--tag=v",
  "--tag=-v",
  "--exclude",
  "--exclude=*.log",
  "--store",
  "-s",
  "-sdir",
  "-qs",
  "--nope",
  "-z",
  "-",
  "--",
  "p",
  "/etc",
  "-1",
  "--quiet=yes",
  "v",
  "---x",
  "--constructor",
];

test("parseStrict() answers as node:util parseArgs on generated command lines", () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...WORDS), { maxLength: 7 }), (args) => {
      assert.deepEqual(ourAnswer(args), nodeAnswer(args), JSON.stringify(args));
    }),
    { numRuns: 3000 },
  );
});

test("parseStrict() both answers and throws on the generated lines (the property is not vacuous)", () => {
  assert.notEqual(ourAnswer(["--tag", "v", "-qx", "p", "--", "--json"]), "throws");
  assert.deepEqual(ourAnswer(["--tag", "v", "-qx", "p", "--", "--json"]), {
    options: [{ name: "tag", value: "v" }, { name: "quiet", value: undefined }, {
      name: "x",
      value: undefined,
    }],
    positionals: ["p", "--json"],
  });
  for (const bad of [["--nope"], ["-z"], ["--tag"], ["--tag", "-v"], ["--quiet=yes"]]) {
    assert.equal(ourAnswer(bad), "throws", JSON.stringify(bad));
  }
});

test("parseFlags() reports each parse failure as a usage error naming the option", () => {
  const cases: [string[], RegExp][] = [
    [["--frobnicate"], /^Unknown option '--frobnicate'$/],
    [["-Z"], /^Unknown option '-Z'$/],
    [["--tag"], /^Option '--tag <value>' argument missing$/],
    [["--tag", "--quiet"], /^Option '--tag' argument is ambiguous: .*--tag=-VALUE\)$/],
    [["--quiet=1"], /^Option '--quiet' does not take an argument$/],
  ];
  for (const [args, message] of cases) {
    assert.throws(
      () => parseFlags(args),
      (e: unknown) => e instanceof SnapyardError && e.code === "USAGE" && message.test(e.message),
      JSON.stringify(args),
    );
  }
});
