/**
 * Start-up cost: what a run that copies nothing loads. An unchanged snapshot (and
 * `--version`) must not evaluate node:worker_threads, node:tty, node:crypto, node:os,
 * node:child_process, picomatch or the help texts. Two checks: the static imports main.ts and the snapshot command's module
 * evaluate (a parse of their sources), and a run of main.ts under tests/_helpers/load_spy.ts
 * (what is loaded lazily, and picomatch however it is loaded).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import { makeTree, NO_CONFIG, ROOT, runCmd, RUNTIME, tempDir } from "../_helpers/helpers.ts";
import { SPY_PREFIX, type SpyReport } from "../_helpers/load_spy.ts";

/**
 * Modules the unchanged snapshot path must not evaluate. On Deno the first `node:` module
 * costs the start ~15 ms and node:fs with `process` ~45 ms: lib/fs/sys.ts loads node:fs only
 * on Bun, or on Deno for a call its FFI does not make; lib/fs/posix.ts, lib/fs/bpath.ts and
 * lib/cli/flags.ts stand in for node:path, node:buffer and node:util.
 */
const HEAVY = [
  "node:fs",
  "node:path",
  "node:buffer",
  "node:util",
  "node:worker_threads",
  "node:tty",
  "node:crypto",
  "node:os",
  "node:child_process",
  "picomatch",
  "lib/cli/help.ts",
];

/**
 * `import ... from "x"`, `export ... from "x"` and `import "x"` at the start of a line (deno
 * fmt puts them there); group 1 is `type ` for an import erased at run time.
 */
const IMPORT = /^(?:import|export)\s+(type\s+)?(?:[^;]*?\s+from\s+)?["']([^"']+)["']/gm;

/**
 * Every module evaluated by importing `roots` (repo paths), following the static imports
 * that are not type-only: repo paths for relative specifiers, bare ones as written.
 */
function staticClosure(roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length > 0) {
    const path = todo.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    if (!path.endsWith(".ts")) continue;
    for (const m of readFileSync(posix.join(ROOT, path), "utf8").matchAll(IMPORT)) {
      if (m[1] !== undefined) continue;
      const spec = m[2]!;
      todo.push(spec.startsWith(".") ? posix.join(posix.dirname(path), spec) : spec);
    }
  }
  return seen;
}

/** Runs main.ts with `args` under the load spy: its exit code and report. */
async function spied(args: readonly string[]): Promise<{ code: number | null; report: SpyReport }> {
  const spy = posix.join(ROOT, "tests", "_helpers", "load_spy.ts");
  const argv = RUNTIME === "deno" ? ["run", "-A", "--no-check", spy, ...args] : [spy, ...args];
  const r = await runCmd(process.execPath, argv, { env: { SNAPYARD_CONFIG: NO_CONFIG } });
  const line = r.stderr.split("\n").find((l) => l.startsWith(SPY_PREFIX));
  assert.ok(line !== undefined, `no load-spy report; stderr: ${r.stderr}`);
  return { code: r.code, report: JSON.parse(line.slice(SPY_PREFIX.length)) as SpyReport };
}

/**
 * `report` without what is loaded on purpose: on Bun, `node:fs` (lib/fs/sys.ts) and
 * `node:path` (lib/fs/posix.ts), asked for as they load. On Deno nothing is left out: a
 * read of either is a miss.
 */
function lazyLoads(report: SpyReport): SpyReport {
  if (RUNTIME === "deno") return report;
  const own = (m: string) => m.startsWith("node:fs.") || m.startsWith("node:path.");
  return { ...report, members: report.members.filter((m) => !own(m)) };
}

test("staticClosure() of main.ts and the snapshot command holds none of the heavy modules", () => {
  const closure = staticClosure(["main.ts", "lib/commands/snapshot.ts"]);
  // A parser that missed imports would pass for nothing.
  for (const m of ["lib/commands/dispatch.ts", "lib/pool/pool.ts", "lib/snapshot/run.ts"]) {
    assert.ok(closure.has(m), `closure misses ${m}`);
  }
  // Nor bare specifiers: load_spy.ts imports node:fs and node:module.
  assert.ok(staticClosure(["tests/_helpers/load_spy.ts"]).has("node:fs"), "misses node:fs");
  assert.deepEqual(HEAVY.filter((m) => closure.has(m)), []);
});

test("an unchanged snapshot reads no worker, tty, crypto or (Deno) fs member and loads no picomatch", async () => {
  await using dir = tempDir();
  // More than 8 targets: a tree too big to copy in the calling thread (lib/pool/in_thread.ts).
  makeTree(dir.path, [
    { kind: "file", path: "tree/a.txt", content: "a" },
    { kind: "file", path: "tree/b.log", content: "b" },
    ...Array.from({ length: 8 }, (_, i) => ({
      kind: "file" as const,
      path: `tree/c${i}.txt`,
      content: "c",
    })),
  ]);
  const args = ["snapshot", dir.join("tree"), "--store", dir.join("store"), "-q"];
  const first = await spied(args);
  assert.equal(first.code, 0);
  // The spy sees what it must: the first run starts workers.
  assert.ok(
    first.report.members.includes("node:worker_threads.Worker"),
    `first run: ${first.report.members.join(", ")}`,
  );
  const again = await spied(args);
  assert.equal(again.code, 0);
  assert.deepEqual(lazyLoads(again.report), { members: [], picomatch: [] });
  const excluding = await spied([...args, "--exclude", "*.log"]);
  assert.equal(excluding.code, 0);
  assert.ok(excluding.report.picomatch.length > 0, "an --exclude run loaded no picomatch");
});

test("--version reads no worker, tty, crypto or (Deno) fs member and loads no picomatch", async () => {
  const { code, report } = await spied(["--version"]);
  assert.equal(code, 0);
  assert.deepEqual(lazyLoads(report), { members: [], picomatch: [] });
});
