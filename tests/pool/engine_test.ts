/** Unit tests of lib/pool/engine.ts: which commands run in Deno's engine worker. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CommandName } from "../../lib/cli/parse.ts";
import { runsInEngine } from "../../lib/pool/engine.ts";
import { RUNTIME } from "../_helpers/helpers.ts";

const COMMANDS: CommandName[] = ["snapshot", "restore", "verify", "list", "prune", "run", "demo"];

test("runsInEngine() on the main thread: snapshot, restore and verify on Deno only, never when the pool serves in thread", () => {
  const engine = COMMANDS.filter((c) => runsInEngine(c, () => false));
  assert.deepEqual(engine, RUNTIME === "deno" ? ["snapshot", "restore", "verify"] : []);
  assert.deepEqual(COMMANDS.filter((c) => runsInEngine(c, () => true)), []);
});

test("runsInEngine() asks whether a run is known small only for a heap-sized command on Deno", () => {
  const asked: CommandName[] = [];
  for (const c of COMMANDS) {
    runsInEngine(c, () => {
      asked.push(c);
      return false;
    });
  }
  assert.deepEqual(asked, RUNTIME === "deno" ? ["snapshot", "restore", "verify"] : []);
});
