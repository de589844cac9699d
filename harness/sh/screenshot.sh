#!/bin/sh
# screenshot.sh HTML PNG: PNG as headless Chromium draws the file HTML
# (1280 px wide, 2000 px tall), with no network and a throwaway profile.
set -eu
html=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
png=$2
[ -f "$html" ] || { echo "screenshot.sh: no $html" >&2; exit 2; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT INT TERM HUP
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --screenshot="$png" --window-size=1280,2000 "file://$html" > "$profile/log" 2>&1 ||
    { cat "$profile/log" >&2; exit 1; }
[ -s "$png" ] || { echo "screenshot.sh: chromium wrote no $png" >&2; cat "$profile/log" >&2; exit 1; }
echo "screenshot: $png"
