/**
 * The exposition-format parser the tests read `--metrics-file` with (parse-prometheus-text-format,
 * a real parser, not ours), typed.
 */
import parse from "parse-prometheus-text-format";

/** One metric family as the parser gives it. */
export interface Family {
  name: string;
  help: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

/** Parses exposition text into metric families. */
export function parseExposition(text: string): Family[] {
  return parse(text) as Family[];
}
