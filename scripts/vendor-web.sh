#!/bin/sh
# vendor-web.sh fetches the web pages' front-end libraries from npm at pinned
# versions and copies their minified files and licences into web/static/vendor
# (served by the binary) and web/testdata/vendor (tests only). The copies are
# committed, so a build needs no network; run this only to change a version.
set -eu

HTMX=2.0.11     # htmx 2.x: 4.x is not compatible with 2.x pages
ECHARTS=6.1.0   # its common build (common charts, SVG renderer, mark lines): 240 KB gzipped against the full 368 KB
AXE=4.14.1      # accessibility checks of the browser tests only

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() { # name version: unpack the npm tarball into $tmp/name
	(cd "$tmp" && npm pack --silent "$1@$2" >/dev/null)
	mkdir -p "$tmp/$1"
	tar -xzf "$tmp/$(echo "$1" | tr -d @ | tr / -)-$2.tgz" -C "$tmp/$1" --strip-components=1
}

fetch htmx.org "$HTMX"
fetch echarts "$ECHARTS"
fetch axe-core "$AXE"

out="$root/web/static/vendor"
rm -rf "$out" "$root/web/testdata/vendor"
mkdir -p "$out/htmx" "$out/echarts" "$root/web/testdata/vendor/axe-core"
cp "$tmp/htmx.org/dist/htmx.min.js" "$tmp/htmx.org/LICENSE" "$out/htmx/"
cp "$tmp/echarts/dist/echarts.common.min.js" "$tmp/echarts/LICENSE" "$tmp/echarts/NOTICE" "$out/echarts/"
cp "$tmp/axe-core/axe.min.js" "$tmp/axe-core/LICENSE" "$root/web/testdata/vendor/axe-core/"
cat >"$out/VERSIONS" <<V
htmx.org $HTMX (0BSD, htmx/LICENSE)
echarts $ECHARTS, common build (Apache-2.0, echarts/LICENSE, echarts/NOTICE)
V
echo "axe-core $AXE (MPL-2.0, LICENSE)" >"$root/web/testdata/vendor/axe-core/VERSION"
echo "vendored htmx.org $HTMX, echarts $ECHARTS, axe-core $AXE"
