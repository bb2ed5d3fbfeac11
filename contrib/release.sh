#!/usr/bin/env bash
# The release: dist/snapyard-linux-x64 and dist/snapyard-linux-arm64 (bun build --compile, the
# worker an extra entrypoint, as the build task), each checked to be an ELF for its machine,
# the native one run once (--version), then dist/SHA256SUMS over both.
# Cross-compiling embeds Bun's runtime for the other target: Bun downloads it once (then keeps
# it in ~/.bun/install/cache); where it cannot, the release fails, naming the target.
set -euo pipefail
cd "$(dirname "$0")/.."
bun=./node_modules/.bin/bun
version=$(sed -n 's/^export const VERSION = "\(.*\)";$/\1/p' lib/version.ts)
mkdir -p dist
declare -A machine=([linux-x64]=3e [linux-arm64]=b7) # ELF e_machine: x86-64, AArch64
for target in linux-x64 linux-arm64; do
  out=dist/snapyard-$target
  rm -f "$out"
  if ! "$bun" build --compile --target="bun-$target" main.ts workers/snap_worker.ts \
    --outfile "$out"; then
    echo "release: cannot build $out: bun could not compile for bun-$target" \
      "(its runtime for that target is neither cached in ~/.bun/install/cache nor downloadable)" >&2
    exit 1
  fi
  # Bytes 18-19 of an ELF header: the machine, little-endian.
  got=$(od -An -tx1 -j18 -N1 "$out" | tr -d ' ')
  if [ "$(head -c4 "$out" | od -An -c | tr -d ' ')" != "177ELF" ] || [ "$got" != "${machine[$target]}" ]; then
    echo "release: $out is not an ELF binary for $target (machine 0x$got)" >&2
    exit 1
  fi
done
ran=$(./dist/snapyard-linux-x64 --version)
if [ "$ran" != "snapyard $version" ]; then
  echo "release: dist/snapyard-linux-x64 --version printed \"$ran\", not \"snapyard $version\"" >&2
  exit 1
fi
(cd dist && sha256sum snapyard-linux-x64 snapyard-linux-arm64 >SHA256SUMS)
cat dist/SHA256SUMS
