# dmgbuild settings for the drag-to-Applications disk image (used by make_dmg.sh).
# dmgbuild writes the Finder layout (.DS_Store) itself, so no Finder/AppleScript is needed
# and the layout is the same on a headless CI runner.
#   dmgbuild -s packaging/macos/dmg_settings.py -D app="dist/Mountsea Image Studio.app" \
#            "Mountsea Image Studio" dist/MountseaImageStudio-<v>-macos.dmg
import os.path

application = defines.get("app", "dist/Mountsea Image Studio.app")  # noqa: F821 (dmgbuild injects `defines`)
appname = os.path.basename(application)

format = "UDZO"  # zlib-compressed, readable on every supported macOS
filesystem = "HFS+"
size = None  # computed from the contents
files = [application]
symlinks = {"Applications": "/Applications"}
icon = os.path.join(
    os.path.dirname(os.path.abspath(application)), appname, "Contents", "Resources", "app.icns"
)
if not os.path.exists(icon):
    icon = None

# Window: the app on the left, the Applications folder on the right, nothing else.
background = "builtin-arrow"
show_status_bar = False
show_tab_view = False
show_toolbar = False
show_pathbar = False
show_sidebar = False
window_rect = ((200, 120), (640, 360))
default_view = "icon-view"
show_icon_preview = False
include_icon_view_settings = "auto"
arrange_by = None
icon_size = 128
text_size = 13
icon_locations = {appname: (160, 170), "Applications": (480, 170)}
