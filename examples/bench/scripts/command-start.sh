#!/usr/bin/env bash
# How fast the installed `contacts` command answers (docs/command-start.md): wall and CPU time,
# medians of 7 runs each, of status / secrets list / secrets set on PostgreSQL and on the
# embedded database, and of the workspace entry points. Run `pnpm build` first.
#
#   examples/bench/scripts/command-start.sh [ADMIN_URL]   # default postgres://postgres@127.0.0.1:5432/test
#
# Makes a database `contacts_cmdstart` next to ADMIN_URL and a temporary data directory, and
# drops both at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
admin="${1:-postgres://postgres@127.0.0.1:5432/test}"
pg="${admin%/*}/contacts_cmdstart"
dir="$(mktemp -d)"
bin="node packages/butler-module/dist/cli/bin.js"
[ -f packages/butler-module/dist/cli/bin.js ] || { echo "run pnpm build first" >&2; exit 2; }
cleanup() { psql -q "$admin" -c "drop database if exists contacts_cmdstart" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
psql -q "$admin" -c "drop database if exists contacts_cmdstart" -c "create database contacts_cmdstart" >/dev/null 2>&1
$bin --database-url "$pg" migrate >/dev/null
$bin --data-dir "$dir/pgl" migrate >/dev/null

run() { # LABEL COMMAND...
  local label="$1"; shift
  for _ in 1 2 3 4 5 6 7; do
    /usr/bin/time -f "%e %U %S" -a -o "$dir/times" "$@" >/dev/null 2>&1 </dev/null || true
  done
  python3 - "$label" "$dir/times" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[2]) if line.strip()]
wall = statistics.median(r[0] for r in rows); cpu = statistics.median(r[1] + r[2] for r in rows)
print(f"{sys.argv[1]}: wall {wall:.2f} s (min {min(r[0] for r in rows):.2f}), cpu {cpu:.2f} s")
PY
  rm -f "$dir/times"
}
run "status, PostgreSQL" $bin --database-url "$pg" status
run "secrets list, PostgreSQL" $bin --database-url "$pg" secrets list
run "secrets set, PostgreSQL" $bin --database-url "$pg" secrets set BENCH_KEY value
run "status, embedded" $bin --data-dir "$dir/pgl" status
run "secrets list, embedded" $bin --data-dir "$dir/pgl" secrets list
run "secrets set, embedded" $bin --data-dir "$dir/pgl" secrets set BENCH_KEY value
run "status, no such data dir" $bin --data-dir "$dir/none" status
run "--version" $bin --version
run "pnpm contacts status, PostgreSQL" pnpm contacts --database-url "$pg" status
run "node bin/contacts.mjs status, PostgreSQL (dist when current)" node packages/butler-module/bin/contacts.mjs --database-url "$pg" status
run "node bin/contacts.mjs status, PostgreSQL (from source, tsx)" env CONTACTS_FROM_SOURCE=1 node packages/butler-module/bin/contacts.mjs --database-url "$pg" status
