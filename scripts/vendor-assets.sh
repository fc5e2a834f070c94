#!/usr/bin/env bash
# Vendor the front-end assets CommonBeat serves (USWDS, htmx, Leaflet) into
# crates/web/assets/vendor/. The result is committed, so building the product
# never needs npm; run this script only to bump a version.
#
# Idempotent: the vendor directory is deleted and recreated on every run.
# Needs: npm (registry access), tar, grep, sed, du.
set -euo pipefail

USWDS_VERSION="3.14.0"    # @uswds/uswds, latest 3.x
HTMX_VERSION="2.0.11"     # htmx.org, latest 2.x
LEAFLET_VERSION="1.9.4"   # leaflet, latest 1.9.x

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/crates/web/assets/vendor"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# fetch NAME VERSION DIR: download the npm tarball and unpack it into DIR
# (tarball contents live under DIR/package/).
fetch() {
  local name="$1" version="$2" dir="$3" tgz
  mkdir -p "$TMP/$dir"
  tgz="$(cd "$TMP" && npm pack --silent "$name@$version" | tail -n 1)"
  tar -xzf "$TMP/$tgz" -C "$TMP/$dir"
  echo "fetched $name@$version"
}

fetch "@uswds/uswds" "$USWDS_VERSION" uswds
fetch "htmx.org" "$HTMX_VERSION" htmx
fetch "leaflet" "$LEAFLET_VERSION" leaflet

rm -rf "$VENDOR"
mkdir -p "$VENDOR"

# ---------------------------------------------------------------- USWDS
U="$TMP/uswds/package/dist"
UO="$VENDOR/uswds"
mkdir -p "$UO/css" "$UO/js" "$UO/img" "$UO/fonts"
cp "$U/css/uswds.min.css" "$UO/css/"
cp "$U/js/uswds.min.js" "$U/js/uswds-init.min.js" "$UO/js/"
cp "$TMP/uswds/package/LICENSE.md" "$UO/LICENSE.md"

# Every ../img/* and ../fonts/* file the stylesheet references (relative to
# css/), so the url() paths keep resolving. The default build only declares
# @font-face for Source Sans Pro, Merriweather and Roboto Mono (woff2).
refs="$(grep -oE 'url\(["'"'"']?\.\./(img|fonts)/[^)"'"'"'?#]+' "$U/css/uswds.min.css" \
        | sed -E 's/^url\(["'"'"']?\.\.\///' | sort -u)"
if [ -z "$refs" ]; then
  echo "error: found no ../img or ../fonts references in uswds.min.css" >&2
  exit 1
fi

# Images used from HTML rather than CSS: the icon sprite (<svg><use>), the
# "official website" banner images, and favicons.
extra_img="img/sprite.svg img/us_flag_small.png img/us_flag.svg img/icon-dot-gov.svg
img/icon-https.svg img/lock.svg img/circle-124.png img/loader.gif img/logo-img.png"

for rel in $refs $extra_img; do
  if [ ! -f "$U/$rel" ]; then
    echo "error: USWDS file $rel not found in package" >&2
    exit 1
  fi
  mkdir -p "$UO/$(dirname "$rel")"
  cp "$U/$rel" "$UO/$rel"
done
cp -r "$U/img/favicons" "$UO/img/favicons"

# ---------------------------------------------------------------- htmx
mkdir -p "$VENDOR/htmx"
cp "$TMP/htmx/package/dist/htmx.min.js" "$VENDOR/htmx/"
cp "$TMP/htmx/package/LICENSE" "$VENDOR/htmx/LICENSE"

# ---------------------------------------------------------------- Leaflet
L="$TMP/leaflet/package"
mkdir -p "$VENDOR/leaflet/images"
cp "$L/dist/leaflet.js" "$L/dist/leaflet.css" "$VENDOR/leaflet/"
cp "$L/dist/images/"* "$VENDOR/leaflet/images/"
cp "$L/LICENSE" "$VENDOR/leaflet/LICENSE"

# ---------------------------------------------------------------- versions
cat > "$VENDOR/VERSIONS.txt" <<EOF
@uswds/uswds@$USWDS_VERSION
htmx.org@$HTMX_VERSION
leaflet@$LEAFLET_VERSION
EOF

echo "vendored into ${VENDOR#"$ROOT"/} ($(du -sh "$VENDOR" | cut -f1), $(find "$VENDOR" -type f | wc -l) files)"
