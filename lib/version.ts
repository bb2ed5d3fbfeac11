/**
 * The program's version: the one place it is written. `--version` and `--help` print it;
 * package.json's "version" must equal it (tests/version_test.ts).
 */

/** The program's version. */
export const VERSION = "0.1.0";
