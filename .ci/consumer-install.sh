#!/usr/bin/env bash
# Installs the packages as a host does: packs every package (after `pnpm build`), creates a
# throwaway host project outside the repository, installs the tarballs there with npm next to
# OTHER versions of drizzle-orm, postgres, PGlite and the MCP SDK than the workspace pins, checks
# that npm kept one copy of each (the host's), typechecks .ci/consumer-host/host.ts with
# skipLibCheck: false, and runs it: a full sync from the Google emulator through the module's
# `contacts_sync_now` tool on PGlite (and on PostgreSQL when CONTACTS_TEST_DATABASE_URL is set),
# asserting the contacts were written. Then the installed `contacts` bin migrates an embedded
# database. Any failure stops the script with a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
started=$SECONDS

# The host's versions: the LOWEST of each peer range the packages declare (the workspace's own
# tests run the pinned, newer versions), so both ends of every range are exercised; they must
# differ from the workspace's (checked below). A version outside a range fails `npm install`
# with ERESOLVE.
declare -A host_versions=(
  [drizzle-orm]=0.44.0
  [postgres]=3.4.0
  [@modelcontextprotocol/sdk]=1.30.0
  [@electric-sql/pglite]=0.5.0
)

fail() { printf 'consumer-install: %s\n' "$*" >&2; exit 1; }

for name in "${!host_versions[@]}"; do
  workspace_version="$(node -e 'const p = require(process.argv[1]); console.log(p.devDependencies[process.argv[2]] ?? "")' \
    "$root/packages/butler-module/package.json" "$name")"
  [ "$workspace_version" != "${host_versions[$name]}" ] ||
    fail "$name ${host_versions[$name]} is the workspace's own version: pick another patch or minor"
done

work="$(mktemp -d "${TMPDIR:-/tmp}/contacts-consumer.XXXXXX")"
trap '[ -n "${KEEP_CONSUMER:-}" ] || rm -rf "$work"' EXIT
mkdir -p "$work/packs" "$work/host"

echo "packing into $work/packs"
for dir in packages/*/; do
  [ -f "$dir/dist/index.js" ] || fail "$dir has no dist/: run pnpm build first"
  (cd "$dir" && pnpm pack --pack-destination "$work/packs" >/dev/null)
done

# What was packed must reach only shipped files: every path its exports, bin, main and types
# name is in the tarball; no @contacts/source condition; no workspace: or catalog: range; no
# exact-pinned peer; license, repository (with directory) and engines present.
for tarball in "$work/packs"/*.tgz; do
  tar -tzf "$tarball" >"$work/files.txt"
  tar -xzOf "$tarball" package/package.json >"$work/manifest.json"
  # A relative link in a README is dead on the registry's page.
  if tar -xzOf "$tarball" package/README.md | grep -nE '\]\((\.\./|\./)?(docs|src|\.\.)/' >&2; then
    fail "$(basename "$tarball"): README.md links relatively (above): use https://github.com/... links"
  fi
  node - "$work/manifest.json" "$work/files.txt" "$(basename "$tarball")" <<'NODE' || exit 1
const { readFileSync } = require('node:fs');
const [manifestPath, filesPath, tarball] = process.argv.slice(2);
const pkg = JSON.parse(readFileSync(manifestPath, 'utf8'));
const shipped = new Set(readFileSync(filesPath, 'utf8').split('\n').map((line) => line.replace(/^package\//, './')));
const problems = [];
const walk = (value, where) => {
  if (typeof value === 'string') {
    if (!shipped.has(value)) problems.push(`${where} -> ${value} is not in the tarball`);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '@contacts/source') problems.push(`${where} keeps the @contacts/source condition`);
      walk(inner, `${where}[${JSON.stringify(key)}]`);
    }
  }
};
for (const field of ['exports', 'bin', 'main', 'module', 'types']) if (pkg[field]) walk(pkg[field], field);
if (!pkg.license) problems.push('no license');
if (!pkg.repository?.url || !pkg.repository?.directory) problems.push('no repository with url and directory');
if (!pkg.engines?.node) problems.push('no engines.node');
const exact = /^\d+\.\d+\.\d+$/;
for (const [name, range] of Object.entries(pkg.peerDependencies ?? {})) {
  if (exact.test(range)) problems.push(`peer ${name} is pinned to ${range}: give it a range`);
}
for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
  for (const [name, range] of Object.entries(pkg[field] ?? {})) {
    if (/^(workspace|catalog):/.test(range)) problems.push(`${field}.${name} is ${range}`);
  }
}
if (problems.length > 0) {
  process.stderr.write(`consumer-install: ${tarball}:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
NODE
done

cp .ci/consumer-host/host.ts .ci/consumer-host/tsconfig.json "$work/host/"
node - "$work" "$root" "$(declare -p host_versions)" <<'NODE'
const { readdirSync, writeFileSync } = require('node:fs');
const [work, root, declared] = process.argv.slice(2);
const versions = Object.fromEntries([...declared.matchAll(/\[([^\]]+)\]="([^"]+)"/g)].map((m) => [m[1], m[2]]));
const packs = Object.fromEntries(
  readdirSync(`${work}/packs`).map((file) => [file.replace(/^contacts-(.*)-\d+\.\d+\.\d+\.tgz$/, '@contacts/$1'), `file:${work}/packs/${file}`]),
);
const rootPkg = require(`${root}/package.json`);
const pkg = {
  name: 'contacts-consumer-host',
  private: true,
  type: 'module',
  dependencies: { ...packs, ...versions },
  devDependencies: {
    typescript: rootPkg.devDependencies.typescript,
    '@types/node': rootPkg.devDependencies['@types/node'],
  },
};
writeFileSync(`${work}/host/package.json`, `${JSON.stringify(pkg, null, 2)}\n`);
NODE

cd "$work/host"
echo "[$((SECONDS - started)) s] npm install (host pins: $(for n in "${!host_versions[@]}"; do printf '%s@%s ' "$n" "${host_versions[$n]}"; done))"
npm install --no-audit --no-fund --loglevel=error

# One copy of each peer, the host's: a second copy would make the host's db and McpServer
# incompatible with the module's types.
for name in "${!host_versions[@]}"; do
  copies="$(find node_modules -path "*node_modules/$name/package.json" -not -path "*node_modules/$name/*/package.json" | wc -l)"
  [ "$copies" = 1 ] || fail "$copies copies of $name installed (expected the host's only)"
  installed="$(node -p "require('./node_modules/$name/package.json').version")"
  [ "$installed" = "${host_versions[$name]}" ] || fail "$name $installed installed, the host pins ${host_versions[$name]}"
done

# Our declarations (node_modules/@contacts/*) and the host's code are checked in full
# (skipLibCheck: false). drizzle-orm's and PGlite's own declarations do not pass a full check
# (drizzle's reference every dialect's driver, PGlite's the Emscripten globals): their errors are
# counted, not fatal; every other error is.
echo "[$((SECONDS - started)) s] tsc (skipLibCheck: false for our declarations and the host)"
# (tsc writes out/ even when it reports errors: what counts is the filter below.)
npx --no-install tsc -p tsconfig.json >"$work/tsc.txt" 2>&1 || true
third_party='^node_modules/(drizzle-orm|@electric-sql/pglite)/[^(]+\([0-9]+,[0-9]+\): error '
if grep -E ': error |^error ' "$work/tsc.txt" | grep -vqE "$third_party"; then
  grep -E ': error |^error ' "$work/tsc.txt" | grep -vE "$third_party" >&2
  fail "the host or our declarations do not typecheck (above)"
fi
echo "  $(grep -cE "$third_party" "$work/tsc.txt" || true) errors inside drizzle-orm's and PGlite's own declarations, ignored"
[ -f out/host.js ] || fail "tsc wrote no out/host.js"

echo "[$((SECONDS - started)) s] run the host"
node out/host.js

echo "[$((SECONDS - started)) s] the installed contacts bin"
npx --no-install contacts --help >/dev/null
npx --no-install contacts migrate --data-dir "$work/host/.contacts" >/dev/null

echo "consumer-install: ok in $((SECONDS - started)) s"
