/**
 * Runs main.ts with this process's arguments and reports what it loaded lazily, for
 * tests/cli/startup_test.ts: each member read of a module asked for through
 * `process.getBuiltinModule` (`node:worker_threads.Worker`), and each picomatch file in the
 * CommonJS module cache (filled on both runtimes whether picomatch is imported or required).
 * The report is the last line on stderr: `load-spy: {"members":[...],"picomatch":[...]}`.
 */
import { writeSync } from "node:fs";
import { createRequire } from "node:module";

/** The prefix of the report line. */
export const SPY_PREFIX = "load-spy: ";

/** What a run loaded lazily. */
export interface SpyReport {
  /** `module.member`, in order of first read. */
  members: string[];
  /** picomatch's files in the CommonJS module cache. */
  picomatch: string[];
}

if (import.meta.main) {
  const members = new Set<string>();
  const original = process.getBuiltinModule.bind(process);
  const spied = (id: string): object =>
    new Proxy(original(id as "node:fs"), {
      get(target, key, receiver) {
        members.add(`${id}.${String(key)}`);
        return Reflect.get(target, key, receiver);
      },
    });
  process.getBuiltinModule = spied as typeof process.getBuiltinModule;
  const main = new URL("../../main.ts", import.meta.url);
  await import(main.href);
  const cache = createRequire(main).cache;
  const report: SpyReport = {
    members: [...members],
    picomatch: Object.keys(cache).filter((k) => k.includes("/picomatch/")),
  };
  writeSync(2, SPY_PREFIX + JSON.stringify(report) + "\n");
}
