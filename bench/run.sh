#!/usr/bin/env bash
# snapyard's benchmark on Deno and Bun: `deno task bench [flags]`, `npm run bench -- [flags]` or
# `bash bench/run.sh [flags]`.
# Flags go to bench/bench.ts: --runtime deno|bun|both, --rounds N, --quick, --no-huge,
# --huge-rounds N, --keep, --work DIR, --no-incremental, --incremental-only, --against REV.
# Needs GNU time for peak RSS (Debian/Ubuntu: apt-get install -y time).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ ! -x /usr/bin/time ]]; then
  echo "bench: /usr/bin/time is missing: install it with \"apt-get install -y time\"" >&2
  exit 2
fi
if [[ ! -x "$repo/node_modules/.bin/deno" || ! -x "$repo/node_modules/.bin/bun" ]]; then
  echo "bench: deno or bun is missing: run \"npm install\" in $repo" >&2
  exit 2
fi
export PATH="$repo/node_modules/.bin:$PATH" NO_COLOR=1
cd "$repo"
exec deno run -A bench/bench.ts "$@"
