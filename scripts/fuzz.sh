#!/usr/bin/env bash
# Runs every fuzz target in the module for $1 (default 20s) each; the seed
# corpora live in each package's testdata/fuzz/<Target>. A crasher stops the
# run (go test writes it to testdata/fuzz/<Target>/ to become a regression seed).
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-20s}"
n=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo "== $pkg $f ($t)"
    go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg"
    n=$((n + 1))
  done
done
if [ "$n" -eq 0 ]; then
  echo "fuzz: no fuzz targets found" >&2
  exit 1
fi
echo "fuzz: $n targets ran clean for $t each"
