#!/usr/bin/env bash
# Peak RSS and time of the installed command's first full sync on the embedded database, against
# the Google emulator with N generated people (docs/benchmarks.md, "The embedded database's
# memory"). Run `pnpm build` first. Extra arguments go to node (V8 flags, for comparison).
#
#   examples/bench/scripts/command-rss.sh 25000 [--max-old-space-size=192 ...]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
n="${1:?usage: command-rss.sh PEOPLE [node flags...]}"; shift
[ -f packages/butler-module/dist/cli/bin.js ] || { echo "run pnpm build first" >&2; exit 2; }
dir="$(mktemp -d)"
port=$((4600 + RANDOM % 300))
node --conditions=@contacts/source --import tsx examples/quickstart/src/emulator-main.ts \
  --people "$n" --port "$port" --data-dir "$dir/data" >"$dir/emulator.log" 2>&1 &
emulator=$!
trap 'kill $emulator 2>/dev/null; wait $emulator 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 120); do grep -q Serving "$dir/emulator.log" && break; sleep 1; done
grep -q Serving "$dir/emulator.log" || { cat "$dir/emulator.log" >&2; exit 1; }
rc=0
/usr/bin/time -f "%e %U %S %M" -o "$dir/time" node "$@" packages/butler-module/dist/cli/bin.js --data-dir "$dir/data" sync >"$dir/sync.out" 2>&1 || rc=$?
if [ "$rc" != 0 ]; then echo "the sync failed (exit $rc):" >&2; tail -5 "$dir/sync.out" >&2; exit "$rc"; fi
read -r wall user sys kb < <(tail -1 "$dir/time")
python3 -c "print(f'N=$n ${*:-(no flags)} (node $(node -v)): wall {$wall:.1f} s, cpu {$user + $sys:.1f} s, peak RSS {$kb // 1024} MB')"
