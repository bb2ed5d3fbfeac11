/** `snapyard restore` (issue #4). */
import type { CommandContext, Outcome } from "./context.ts";
import { SnapyardError } from "./errors.ts";

/** Placeholder until issue #4 lands. */
export function restoreCommand(_ctx: CommandContext): Promise<Outcome> {
  return Promise.reject(new SnapyardError("INTERNAL", "restore is not implemented yet (issue #4)"));
}
