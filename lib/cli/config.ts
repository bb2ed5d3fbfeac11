/**
 * `--config FILE`: reads a JSON object of option defaults. Steps: read and parse the file,
 * check it is an object, then map each key (`_` or `-`) to an option of the table and check
 * its value is a string, number, boolean or list of strings.
 */
import * as fs from "node:fs";
import { reasonOf, usage } from "../errors.ts";
import { SPEC } from "./options.ts";

/** Option values by name, as parseArgs gives them (and a config file supplies them). */
export type Raw = Record<string, string | boolean | string[] | undefined>;

/**
 * The options a config file sets, keyed as on the command line.
 * @throws SnapyardError USAGE when the file cannot be read, is not a JSON object, or has an
 * unknown key or a value of the wrong type.
 */
export function readConfig(file: string): Raw {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw usage(`Cannot read config "${file}": ${reasonOf(e)}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw usage(`Cannot read config "${file}": not a JSON object`);
  }
  const out: Raw = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const key = k.replace(/_/g, "-");
    if (!(key in SPEC) || ["config", "help", "version"].includes(key)) {
      throw usage(`Cannot read config "${file}": unknown key "${k}"`);
    }
    if (typeof v === "number") out[key] = String(v);
    else if (typeof v === "string" || typeof v === "boolean") out[key] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === "string")) out[key] = v as string[];
    else throw usage(`Cannot read config "${file}": bad value for "${k}"`);
  }
  return out;
}
