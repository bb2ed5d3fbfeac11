/**
 * Where a command's option values come from, highest first: the command line's flags, the
 * environment (`SNAPYARD_STORE`), the `--job`'s options, the config file's top-level options.
 * Steps: find the config file (`--config FILE`, else `SNAPYARD_CONFIG`, else the first default
 * path that exists: `/etc/snapyard.json`, `$XDG_CONFIG_HOME/snapyard.json` or
 * `~/.config/snapyard.json`), read it (lib/cli/config.ts), pick the job, then lay the layers
 * over each other, each keeping only the options the command takes.
 * The environment comes in as a `CliEnv`, so tests point the default paths at temp files.
 */
import { posix } from "../fs/posix.ts";
import { usage } from "../errors.ts";
import { type Config, type Raw, readConfig } from "./config.ts";
import { ALLOWED, type CommandName, GLOBAL } from "./options.ts";
import { proc } from "../fs/sys.ts";

/** What a command line runs in: environment variables and the system-wide config path. */
export interface CliEnv {
  vars: Readonly<Record<string, string | undefined>>;
  /** The system-wide config file, tried first of the defaults; undefined: none. */
  systemConfig: string | undefined;
}

/** No environment at all: no default config file, no variables (parsing alone, in tests). */
export const NO_ENV: CliEnv = { vars: {}, systemConfig: undefined };

/** The system-wide config file. */
export const SYSTEM_CONFIG = "/etc/snapyard.json";

/** The process's environment, as main.ts passes it. */
export function processEnv(): CliEnv {
  return { vars: proc.env(), systemConfig: SYSTEM_CONFIG };
}

/** A command's option values, layered, and the job's PATHs (when a job was named). */
export interface Layered {
  values: Raw;
  jobPaths: string[] | undefined;
}

/**
 * Lays config, job, environment and `flags` over each other for `command`.
 * @throws SnapyardError USAGE for a config file named but unreadable or malformed, a `--job`
 * without a config file, or a job the file does not define.
 */
export function layeredValues(command: CommandName, flags: Raw, env: CliEnv): Layered {
  const config = findConfig(typeof flags.config === "string" ? flags.config : undefined, env);
  const name = typeof flags.job === "string" ? flags.job : undefined;
  const job = name === undefined ? undefined : jobOf(name, config, env);
  const takes = (k: string) => GLOBAL.includes(k) || ALLOWED[command].includes(k);
  const values: Raw = {};
  for (const layer of [config?.defaults ?? {}, job?.options ?? {}, envOptions(env), flags]) {
    for (const [k, v] of Object.entries(layer)) if (takes(k) && v !== undefined) values[k] = v;
  }
  return { values, jobPaths: job?.paths };
}

/** The options the environment sets: `SNAPYARD_STORE` (empty: unset). */
function envOptions(env: CliEnv): Raw {
  const store = env.vars.SNAPYARD_STORE;
  return store === undefined || store === "" ? {} : { store };
}

function jobOf(name: string, config: Config | undefined, env: CliEnv) {
  if (config === undefined) {
    throw usage(
      `Cannot use --job "${name}": no config file (--config FILE, SNAPYARD_CONFIG, or one of ` +
        `${defaultConfigs(env).map((p) => `"${p}"`).join(", ")})`,
    );
  }
  const job = config.jobs.get(name);
  if (job !== undefined) return job;
  const known = [...config.jobs.keys()];
  throw usage(
    `Unknown job "${name}" in config "${config.file}" ` +
      (known.length === 0 ? "(it defines no jobs)" : `(jobs: ${known.join(", ")})`),
  );
}

/**
 * The config file: the one named (`--config`, else `SNAPYARD_CONFIG`), which must exist, else
 * the first default path that exists, else none.
 * @throws SnapyardError USAGE when the file named or found cannot be read or is malformed.
 */
export function findConfig(flag: string | undefined, env: CliEnv): Config | undefined {
  const named = flag ?? nonEmpty(env.vars.SNAPYARD_CONFIG);
  if (named !== undefined) return readConfig(named);
  for (const file of defaultConfigs(env)) {
    const config = readConfig(file, true);
    if (config !== undefined) return config;
  }
  return undefined;
}

/** The default config paths, in the order tried. */
export function defaultConfigs(env: CliEnv): string[] {
  const out = env.systemConfig === undefined ? [] : [env.systemConfig];
  // The XDG base directory spec: a relative $XDG_CONFIG_HOME is invalid and ignored.
  const xdg = nonEmpty(env.vars.XDG_CONFIG_HOME);
  const home = nonEmpty(env.vars.HOME);
  if (xdg !== undefined && posix.isAbsolute(xdg)) out.push(posix.join(xdg, "snapyard.json"));
  else if (home !== undefined) out.push(posix.join(home, ".config", "snapyard.json"));
  return out;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}
