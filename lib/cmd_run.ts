/** `snapyard run` (issue #4). */
import type { CommandContext, Outcome } from "./context.ts";
import { SnapyardError } from "./errors.ts";

/** Placeholder until issue #4 lands. */
export function runCommand(_ctx: CommandContext): Promise<Outcome> {
  return Promise.reject(new SnapyardError("INTERNAL", "run is not implemented yet (issue #4)"));
}
