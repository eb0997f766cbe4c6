#!/bin/bash
# Make the drag-to-Applications .dmg from the built .app (macOS only).
#   packaging/macos/make_dmg.sh ["dist/Mountsea Image Studio.app"]
# Uses dmgbuild (pip install dmgbuild==1.6.7 ds-store==1.3.3 mac-alias==2.2.3) for a laid-out window with an arrow
# background; without it, falls back to hdiutil: same contents (the app and an
# Applications link), default Finder layout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
app=${1:-"$root/dist/Mountsea Image Studio.app"}
version=$(/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$app/Contents/Info.plist")
arch=$(uname -m)
dmg="$root/dist/MountseaImageStudio-$version-macos-$arch.dmg"
volume="Mountsea Image Studio"

[ -d "$app" ] || { echo "make_dmg: no app at $app (run packaging/build.py first)" >&2; exit 1; }
rm -f "$dmg"

if command -v dmgbuild >/dev/null 2>&1; then
    dmgbuild -s "$here/dmg_settings.py" -D app="$app" "$volume" "$dmg"
else
    echo "make_dmg: dmgbuild not installed; using hdiutil (default Finder layout)"
    staging=$(mktemp -d)
    trap 'rm -rf "$staging"' EXIT
    ditto "$app" "$staging/$(basename "$app")"
    ln -s /Applications "$staging/Applications"
    hdiutil create -volname "$volume" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"
fi
hdiutil verify "$dmg"
echo "$dmg"
