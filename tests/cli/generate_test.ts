/**
 * `snapyard generate` end to end (issue #11): it writes the man page and the completions, the
 * copies committed under contrib/ equal what it writes now, bash loads the completion and
 * completes from it, groff renders the man page without a warning, and a bad command line or
 * an unwritable file is reported.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { test } from "node:test";
import { jsonLines, ROOT, runCli, tempDir } from "../_helpers/helpers.ts";
import { bashCompletion, fishCompletion, zshCompletion } from "../../lib/cli/completions.ts";
import { manPage } from "../../lib/cli/man.ts";

const COPIES = {
  "contrib/man/snapyard.1": manPage,
  "contrib/completions/snapyard.bash": bashCompletion,
  "contrib/completions/_snapyard": zshCompletion,
  "contrib/completions/snapyard.fish": fishCompletion,
};

const REGENERATE = "deno run -A main.ts generate --man contrib/man " +
  "--bash-completion contrib/completions/snapyard.bash " +
  "--zsh-completion contrib/completions/_snapyard " +
  "--fish-completion contrib/completions/snapyard.fish";

test("generate writes the man page and the three completions, as rendered", async () => {
  await using dir = tempDir();
  const r = await runCli([
    "generate",
    "--json",
    "--man",
    dir.path,
    "--bash-completion",
    dir.join("b"),
    "--zsh-completion",
    dir.join("z"),
    "--fish-completion",
    dir.join("f"),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const files = [dir.join("snapyard.1"), dir.join("b"), dir.join("z"), dir.join("f")];
  assert.deepEqual(jsonLines(r.stdout), [
    { event: "summary", command: "generate", files, failed: 0, schema: 1 },
  ]);
  assert.equal(fs.readFileSync(files[0]!, "utf8"), manPage());
  assert.equal(fs.readFileSync(files[1]!, "utf8"), bashCompletion());
  assert.equal(fs.readFileSync(files[2]!, "utf8"), zshCompletion());
  assert.equal(fs.readFileSync(files[3]!, "utf8"), fishCompletion());
});

test("generate --bash-completion - writes the completion alone to stdout", async () => {
  const r = await runCli(["generate", "--bash-completion", "-"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, bashCompletion());
});

test("generate without an output, or with a PATH, is a usage error", async () => {
  for (const args of [["generate"], ["generate", "x", "--man", "/tmp"]]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /"generate" takes no PATH and needs --man DIR/);
  }
});

test("generate reports a file it cannot write (exit 3) and still writes the others", async () => {
  await using dir = tempDir();
  const r = await runCli([
    "generate",
    "--man",
    dir.join("missing"),
    "--fish-completion",
    dir.join("f"),
  ]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /Cannot write ".*\/missing\/snapyard\.1": .*ENOENT/);
  assert.equal(fs.readFileSync(dir.join("f"), "utf8"), fishCompletion());
});

test("contrib/ copies equal what generate writes now", () => {
  for (const [file, render] of Object.entries(COPIES)) {
    const committed = fs.readFileSync(`${ROOT}/${file}`, "utf8");
    assert.ok(committed === render(), `${file} is stale: run ${REGENERATE}`);
  }
});

test("bashCompletion() loads in bash and completes commands, options and choices", () => {
  const script = `source /dev/stdin <<'EOF'\n${bashCompletion()}EOF
complete -p snapyard
ask() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _snapyard; echo "\${COMPREPLY[*]}"; }
ask snapyard pr
ask snapyard prune --keep-w
ask snapyard snapshot --schema ""
ask snapyard --tag run ver`;
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split("\n"), [
    "complete -o bashdefault -o filenames -F _snapyard snapyard",
    "prune",
    "--keep-weekly --keep-within",
    "v2 v3",
    "verify",
    "",
  ]);
});

test("manPage() renders with groff without a warning", (t) => {
  const probe = spawnSync("groff", ["--version"]);
  if (probe.error !== undefined) {
    t.skip("groff is not installed");
    return;
  }
  const r = spawnSync("groff", ["-man", "-Tutf8", "-ww", "-z"], { input: manPage() });
  assert.equal(r.status, 0);
  assert.equal(r.stderr.toString(), "");
  // -P-cbou: plain text, no overstrikes for bold and underline.
  const out = spawnSync("groff", ["-man", "-Tutf8", "-P-cbou"], {
    input: manPage(),
    encoding: "utf8",
  });
  const text = out.stdout;
  assert.match(text, /^SYNOPSIS$/m);
  assert.match(text, /--keep-within DURATION/);
});
