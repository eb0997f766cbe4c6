#!/bin/sh
# Put Mountsea Image Studio in your application menu (for you only, no root needed).
#   ./install-desktop-entry.sh              add the menu entry and icons
#   ./install-desktop-entry.sh --uninstall  remove them again (the folder itself stays)
# Run it from the unpacked folder; run it again if you move the folder.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-"$HOME/.local/share"}
id=mountsea-image-studio
entry="$data/applications/$id.desktop"

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$entry"
    for icon in "$data"/icons/hicolor/*/apps/"$id".png; do
        [ -e "$icon" ] && rm -f "$icon"
    done
    echo "Removed the menu entry for Mountsea Image Studio."
else
    for dir in "$here"/icons/hicolor/*/apps; do
        size=$(basename "$(dirname "$dir")")
        mkdir -p "$data/icons/hicolor/$size/apps"
        cp "$dir/$id.png" "$data/icons/hicolor/$size/apps/$id.png"
    done
    mkdir -p "$data/applications"
    # Exec gets the absolute path, quoted and escaped as the Desktop Entry spec asks.
    EXEC_PATH=$(printf '%s' "$here/MountseaImageStudio" | sed 's/[\\"`$]/\\\\&/g')
    export EXEC_PATH
    awk '/^Exec=/ { print "Exec=\"" ENVIRON["EXEC_PATH"] "\""; next } { print }' \
        "$here/$id.desktop" > "$entry.tmp"
    mv "$entry.tmp" "$entry"
    echo "Added Mountsea Image Studio to your application menu ($entry)."
fi

command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" 2>/dev/null || true
exit 0
