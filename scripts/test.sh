#!/usr/bin/env bash
# Runs every test of cuakhau, as CI does: checks formatting and go vet, then
# `go test -race` over every package, the store suite against SQLite and a
# throwaway PostgreSQL cluster that the tests start themselves, and the web
# pages in a headless Chromium.
#
# On a fresh Debian/Ubuntu machine it first installs what the tests need:
# the PostgreSQL server binaries (as root, or through sudo).
#   CUAKHAU_TEST_POSTGRES=postgres://…  use that server instead of a throwaway one
#   TEST_FLAGS="-run Store -count=1"      extra flags for go test
#   CUAKHAU_ARTIFACTS=out/screens         where the browser tests write their screenshots
#   FUZZ_TIME=200000x                     inputs each fuzz target runs (0: none)
set -euo pipefail
cd "$(dirname "$0")/.."

have_postgres() {
	compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null
}

if [ -z "${CUAKHAU_TEST_POSTGRES:-}" ] && ! have_postgres; then
	echo "== installing the PostgreSQL server (tests start a throwaway cluster)"
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
fi

# The web pages' browser tests drive Debian's Chromium headless; they skip,
# loudly, only where it cannot be installed.
if ! command -v chromium >/dev/null && [ ! -x /usr/lib/chromium/chromium ]; then
	echo "== installing Chromium (the web pages' browser tests)"
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	{ $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null; } ||
		echo "!! Chromium could not be installed: the browser tests will be SKIPPED"
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test -race"
# shellcheck disable=SC2086
go test -race -count=1 -timeout 30m ${TEST_FLAGS:-} ./...

echo "== fuzz (each target for ${FUZZ_TIME:-50000x})"
# Every Fuzz function of the repository, found rather than listed, so that a
# new parser's fuzz target runs here as soon as it is written. FUZZ_TIME=0
# skips them. The budget is a count of inputs, not a duration: Go 1.26's fuzz
# coordinator can report a spurious "context deadline exceeded" when a
# duration runs out while a worker is mid-input (golang/go#75804), and a
# count has no deadline to race. 50,000 inputs take 1-3 s per target here.
if [ "${FUZZ_TIME:-50000x}" != 0 ]; then
	out=$(mktemp)
	trap 'rm -f "$out"' EXIT
	grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r file; do
		dir=$(dirname "$file")
		for name in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$file" | cut -d' ' -f2); do
			echo "-- $dir $name"
			go test -run '^$' -fuzz "^${name}\$" -fuzztime "${FUZZ_TIME:-50000x}" "$dir" >"$out" 2>&1 ||
				{ cat "$out"; exit 1; }
		done
	done
fi
