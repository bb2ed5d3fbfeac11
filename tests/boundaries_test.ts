/**
 * Import boundaries of main.ts, workers/ and lib/ (in the spirit of restic's depguard).
 * Steps: read every .ts file, take its import and export-from statements (static and
 * literal dynamic ones), resolve relative specifiers to repo paths, then check the rules
 * below and look for an import cycle with a depth-first search. A failure lists every
 * offending import as `file:line imports target (rule)`.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import { ROOT } from "./_helpers/helpers.ts";

/**
 * Engines that still import lib/cli/ or lib/commands/ (the Reporter, `Outcome`), tolerated
 * until that dependency is removed. Empty it as files are fixed: the test fails for an entry
 * that no longer violates, so the list cannot outlive the violations.
 */
const PENDING_ENGINE_CLI: readonly string[] = [];

/** One import statement of a file. */
interface Import {
  /** The file that imports (repo-relative). */
  from: string;
  /** The imported file (repo-relative) for a relative specifier, else the bare specifier. */
  to: string;
  /** `import type`, `export type`, or braces whose every name is `type`. */
  typeOnly: boolean;
  line: number;
}

type Rule =
  | "lib-no-entry"
  | "store-fs-below-engines"
  | "engine-no-cli"
  | "protocol-leaf";

const RULE_TEXT: Record<Rule, string> = {
  "lib-no-entry": "lib/ must not import workers/ or main.ts",
  "store-fs-below-engines":
    "lib/store/ and lib/fs/ must not import an engine, lib/commands/ or lib/cli/",
  "engine-no-cli": "an engine must not import lib/cli/ or lib/commands/",
  "protocol-leaf":
    "lib/pool/protocol.ts may import only types from lib/fs/bpath.ts, lib/errors.ts and lib/store/sidecar.ts",
};

interface Violation {
  rule: Rule;
  imp: Import;
}

const STATIC_IMPORT =
  /^(import|export)\s+(type\s+)?((?:[\w$]+\s*,\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?)|[\w$]+)\s+from\s+["']([^"']+)["']/gm;
const SIDE_EFFECT_IMPORT = /^import\s+["']([^"']+)["']/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/**
 * The imports of one module's source, in order of appearance: top-level `import`/`export ...
 * from` statements (deno fmt puts them at column 0), side-effect imports, and `import("...")`
 * with a literal specifier outside comment lines. Specifiers are returned as written.
 */
function importsOf(source: string): { specifier: string; typeOnly: boolean; line: number }[] {
  const lineAt = (index: number) => source.slice(0, index).split("\n").length;
  const found: { specifier: string; typeOnly: boolean; line: number; index: number }[] = [];
  for (const m of source.matchAll(STATIC_IMPORT)) {
    const clause = m[3]!;
    const braces = /^\{([^}]*)\}$/.exec(clause.trim());
    const names = (braces?.[1] ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
    const allTypes = braces !== null && names.length > 0 && names.every((n) => /^type\s/.test(n));
    found.push({
      specifier: m[4]!,
      typeOnly: m[2] !== undefined || allTypes,
      line: lineAt(m.index),
      index: m.index,
    });
  }
  for (const m of source.matchAll(SIDE_EFFECT_IMPORT)) {
    found.push({ specifier: m[1]!, typeOnly: false, line: lineAt(m.index), index: m.index });
  }
  for (const m of source.matchAll(DYNAMIC_IMPORT)) {
    const lineStart = source.lastIndexOf("\n", m.index) + 1;
    if (/^\s*(\/\/|\/\*|\*)/.test(source.slice(lineStart, m.index))) continue;
    found.push({ specifier: m[1]!, typeOnly: false, line: lineAt(m.index), index: m.index });
  }
  return found.sort((a, b) => a.index - b.index).map(({ index: _, ...rest }) => rest);
}

/** Every import of `files` (repo path → source), relative specifiers resolved to repo paths. */
function importGraph(files: ReadonlyMap<string, string>): Import[] {
  const all: Import[] = [];
  for (const [from, source] of files) {
    for (const { specifier, typeOnly, line } of importsOf(source)) {
      const to = specifier.startsWith(".")
        ? posix.normalize(posix.join(posix.dirname(from), specifier))
        : specifier;
      all.push({ from, to, typeOnly, line });
    }
  }
  return all;
}

/** Whether `path` is an engine: a module that does one command's work. */
function isEngine(path: string): boolean {
  return path.startsWith("lib/snapshot/") || path.startsWith("lib/restore/") ||
    ["lib/verify.ts", "lib/list.ts", "lib/prune.ts", "lib/run.ts"].includes(path);
}

function isEntry(path: string): boolean {
  return path === "main.ts" || path.startsWith("workers/");
}

function isUi(path: string): boolean {
  return path.startsWith("lib/cli/") || path.startsWith("lib/commands/");
}

/** The rules an import breaks (a cycle is checked separately). */
function rulesBroken(imp: Import): Rule[] {
  const { from, to } = imp;
  const broken: Rule[] = [];
  if (from.startsWith("lib/") && isEntry(to)) broken.push("lib-no-entry");
  if (
    (from.startsWith("lib/store/") || from.startsWith("lib/fs/")) && (isEngine(to) || isUi(to))
  ) {
    broken.push("store-fs-below-engines");
  }
  if (isEngine(from) && isUi(to)) broken.push("engine-no-cli");
  const leafOk = imp.typeOnly &&
    (to === "lib/fs/bpath.ts" || to === "lib/errors.ts" || to === "lib/store/sidecar.ts");
  if (from === "lib/pool/protocol.ts" && !leafOk) {
    broken.push("protocol-leaf");
  }
  return broken;
}

/** Every broken rule of `imports`, in file order. */
function violations(imports: readonly Import[]): Violation[] {
  return imports.flatMap((imp) => rulesBroken(imp).map((rule) => ({ rule, imp })));
}

/**
 * The import cycles among `imports`, each as the files along it with the first repeated at
 * the end (`a → b → a`). A depth-first search: an edge to a file still on the stack closes a
 * cycle. Type-only imports count too: a cycle of types still ties the two modules together.
 */
function findCycles(imports: readonly Import[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const { from, to } of imports) edges.set(from, [...(edges.get(from) ?? []), to]);
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (onStack.has(next)) cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!done.has(next)) visit(next);
    }
    stack.pop();
    onStack.delete(node);
    done.add(node);
  };
  for (const node of [...edges.keys()].sort()) if (!done.has(node)) visit(node);
  return cycles;
}

function describe(v: Violation): string {
  const kind = v.imp.typeOnly ? "imports type from" : "imports";
  return `${v.imp.from}:${v.imp.line} ${kind} ${v.imp.to} (${v.rule}: ${RULE_TEXT[v.rule]})`;
}

/** main.ts and every .ts file under lib/ and workers/, by repo path. */
function sourceTree(): Map<string, string> {
  const files = new Map<string, string>();
  files.set("main.ts", readFileSync(posix.join(ROOT, "main.ts"), "utf8"));
  for (const dir of ["lib", "workers"]) {
    const names = readdirSync(posix.join(ROOT, dir), { recursive: true }) as string[];
    for (const name of names.filter((n) => n.endsWith(".ts")).sort()) {
      const path = posix.join(dir, name);
      files.set(path, readFileSync(posix.join(ROOT, path), "utf8"));
    }
  }
  return files;
}

/** A synthetic import for the unit tests of the rules. */
function imp(from: string, to: string, typeOnly = false): Import {
  return { from, to, typeOnly, line: 1 };
}

test("importsOf() reads static, multi-line, type-only, re-export, side-effect and dynamic imports", () => {
  const source = [
    "/**",
    ' * import { fake } from "./in_comment.ts";  (a comment: ignored)',
    ' * also ignored: import("./doc.ts")',
    " */",
    'import assert from "node:assert/strict";',
    'import { type A, b } from "./mixed.ts";',
    "import {",
    "  type C,",
    "  type D,",
    '} from "../types.ts";',
    'import type { E } from "./e.ts";',
    'import * as ns from "./ns.ts";',
    'export { f } from "./f.ts";',
    'export type { G } from "./g.ts";',
    'import "./side.ts";',
    "function later() {",
    '  // await import("./commented.ts");',
    '  return import("./lazy.ts");',
    "}",
  ].join("\n");
  assert.deepEqual(importsOf(source), [
    { specifier: "node:assert/strict", typeOnly: false, line: 5 },
    { specifier: "./mixed.ts", typeOnly: false, line: 6 },
    { specifier: "../types.ts", typeOnly: true, line: 7 },
    { specifier: "./e.ts", typeOnly: true, line: 11 },
    { specifier: "./ns.ts", typeOnly: false, line: 12 },
    { specifier: "./f.ts", typeOnly: false, line: 13 },
    { specifier: "./g.ts", typeOnly: true, line: 14 },
    { specifier: "./side.ts", typeOnly: false, line: 15 },
    { specifier: "./lazy.ts", typeOnly: false, line: 18 },
  ]);
});

test("importGraph() resolves relative specifiers to repo paths and keeps bare ones", () => {
  const files = new Map([
    ["lib/snapshot/run.ts", 'import { x } from "../cli/report.ts";\nimport "node:fs";\n'],
    ["main.ts", 'import { y } from "./lib/errors.ts";\n'],
  ]);
  assert.deepEqual(importGraph(files), [
    imp("lib/snapshot/run.ts", "lib/cli/report.ts"),
    { ...imp("lib/snapshot/run.ts", "node:fs"), line: 2 },
    imp("main.ts", "lib/errors.ts"),
  ]);
});

test("violations() flags each rule and allows what the layout allows", () => {
  const broken = (i: Import) => violations([i]).map((v) => v.rule);
  assert.deepEqual(broken(imp("lib/pool/pool.ts", "workers/snap_worker.ts")), ["lib-no-entry"]);
  assert.deepEqual(broken(imp("lib/errors.ts", "main.ts")), ["lib-no-entry"]);
  assert.deepEqual(broken(imp("lib/store/entries.ts", "lib/verify.ts")), [
    "store-fs-below-engines",
  ]);
  assert.deepEqual(broken(imp("lib/fs/io.ts", "lib/snapshot/commit.ts")), [
    "store-fs-below-engines",
  ]);
  assert.deepEqual(broken(imp("lib/fs/io.ts", "lib/cli/report.ts", true)), [
    "store-fs-below-engines",
  ]);
  assert.deepEqual(broken(imp("lib/store/check.ts", "lib/commands/context.ts")), [
    "store-fs-below-engines",
  ]);
  assert.deepEqual(broken(imp("lib/restore/plan.ts", "lib/cli/report.ts", true)), [
    "engine-no-cli",
  ]);
  assert.deepEqual(broken(imp("lib/prune.ts", "lib/commands/context.ts")), ["engine-no-cli"]);
  assert.deepEqual(broken(imp("lib/pool/protocol.ts", "lib/fs/bpath.ts")), ["protocol-leaf"]);
  assert.deepEqual(broken(imp("lib/pool/protocol.ts", "lib/errors.ts", true)), []);
  assert.deepEqual(broken(imp("lib/pool/protocol.ts", "lib/store/layout.ts", true)), [
    "protocol-leaf",
  ]);
  assert.deepEqual(broken(imp("lib/pool/protocol.ts", "node:fs", true)), ["protocol-leaf"]);

  assert.deepEqual(broken(imp("lib/pool/protocol.ts", "lib/fs/bpath.ts", true)), []);
  assert.deepEqual(broken(imp("lib/commands/run.ts", "lib/run.ts")), []);
  assert.deepEqual(broken(imp("lib/run.ts", "lib/snapshot/run.ts")), []);
  assert.deepEqual(broken(imp("lib/snapshot/run.ts", "lib/store/layout.ts")), []);
  assert.deepEqual(broken(imp("main.ts", "lib/commands/dispatch.ts")), []);
  assert.deepEqual(broken(imp("workers/snap_worker.ts", "lib/pool/serve.ts")), []);
});

test("findCycles() finds every cycle through a file on the stack, and none in a DAG", () => {
  const dag = [imp("a", "b"), imp("a", "c"), imp("b", "c"), imp("c", "d")];
  assert.deepEqual(findCycles(dag), []);
  const cyclic = [...dag, imp("d", "b"), imp("e", "e", true)];
  assert.deepEqual(findCycles(cyclic), [["b", "c", "d", "b"], ["e", "e"]]);
});

test("importGraph() of the real tree sees its static, dynamic and type-only imports", () => {
  const edges = importGraph(sourceTree()).map((i) =>
    `${i.from} -> ${i.to}${i.typeOnly ? " (type)" : ""}`
  );
  // A parser that missed imports would make every rule below pass for nothing.
  for (
    const edge of [
      "main.ts -> lib/commands/dispatch.ts",
      "workers/snap_worker.ts -> lib/pool/serve.ts",
      "lib/pool/in_thread.ts -> lib/pool/serve.ts",
      "lib/pool/protocol.ts -> lib/fs/bpath.ts (type)",
      "lib/snapshot/staging.ts -> lib/snapshot/commit.ts",
    ]
  ) {
    assert.ok(edges.includes(edge), `missing ${edge}`);
  }
});

test("main.ts, workers/ and lib/ keep their import boundaries", () => {
  const pending = new Set(PENDING_ENGINE_CLI);
  const found = violations(importGraph(sourceTree()))
    .filter((v) => !(v.rule === "engine-no-cli" && pending.has(v.imp.from)));
  assert.deepEqual(
    found.map(describe),
    [],
    `imports that break a boundary:\n${found.map((v) => `  ${describe(v)}`).join("\n")}`,
  );
});

test("main.ts, workers/ and lib/ have no import cycle", () => {
  const cycles = findCycles(importGraph(sourceTree()));
  assert.deepEqual(
    cycles,
    [],
    `import cycles:\n${cycles.map((c) => `  ${c.join(" → ")}`).join("\n")}`,
  );
});

test("PENDING_ENGINE_CLI names only engines that still import lib/cli/ or lib/commands/", () => {
  const stillBroken = new Set(
    violations(importGraph(sourceTree()))
      .filter((v) => v.rule === "engine-no-cli")
      .map((v) => v.imp.from),
  );
  const stale = PENDING_ENGINE_CLI.filter((path) => !stillBroken.has(path));
  assert.deepEqual(stale, [], `remove from PENDING_ENGINE_CLI (no longer violates): ${stale}`);
});
