#!/bin/bash
# Sign the .app, and sign + notarise + staple the .dmg -- or skip cleanly without credentials.
#
#   packaging/macos/sign_and_notarize.sh app "dist/Mountsea Image Studio.app"   (before make_dmg.sh)
#   packaging/macos/sign_and_notarize.sh dmg dist/MountseaImageStudio-<v>-macos-<arch>.dmg
#
# Credentials come from the environment (the release workflow maps them from secrets):
#   MACOS_CERTIFICATE_P12_BASE64  Developer ID Application certificate + key, .p12, base64
#   MACOS_CERTIFICATE_PASSWORD    its password
#   MACOS_SIGN_IDENTITY           e.g. "Developer ID Application: Mountsea Ltd (TEAMID1234)"
# and for notarisation, either an App Store Connect API key:
#   APPLE_API_KEY_ID, APPLE_API_ISSUER_ID, APPLE_API_KEY_P8_BASE64
# or an Apple ID with an app-specific password:
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD
# Without a signing identity nothing is signed (PyInstaller's ad-hoc signature stays; users
# open the app with right-click > Open). Without notarisation credentials the dmg is signed
# but not notarised. Both cases print what was skipped and exit 0.
set -euo pipefail

mode=${1:?usage: sign_and_notarize.sh app|dmg PATH}
target=${2:?usage: sign_and_notarize.sh app|dmg PATH}
here=$(cd "$(dirname "$0")" && pwd)

have_signing() { [ -n "${MACOS_SIGN_IDENTITY:-}" ] && [ -n "${MACOS_CERTIFICATE_P12_BASE64:-}" ]; }
have_api_key() { [ -n "${APPLE_API_KEY_ID:-}" ] && [ -n "${APPLE_API_ISSUER_ID:-}" ] && [ -n "${APPLE_API_KEY_P8_BASE64:-}" ]; }
have_apple_id() { [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; }

if ! have_signing; then
    echo "sign_and_notarize: no MACOS_SIGN_IDENTITY / MACOS_CERTIFICATE_P12_BASE64: skipping signing and notarisation of $target"
    exit 0
fi

# A throwaway keychain for this job, so the certificate never lands in the login keychain.
keychain="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mountsea-signing.keychain-db"
if [ ! -f "$keychain" ]; then
    keychain_password=$(openssl rand -hex 16)
    security create-keychain -p "$keychain_password" "$keychain"
    security set-keychain-settings -lut 3600 "$keychain"
    security unlock-keychain -p "$keychain_password" "$keychain"
    p12="$(dirname "$keychain")/mountsea-signing.p12"
    printf '%s' "$MACOS_CERTIFICATE_P12_BASE64" | base64 --decode > "$p12"
    security import "$p12" -k "$keychain" -P "${MACOS_CERTIFICATE_PASSWORD:-}" -T /usr/bin/codesign
    rm -f "$p12"
    security set-key-partition-list -S apple-tool:,apple: -s -k "$keychain_password" "$keychain" >/dev/null
    security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')
fi

sign() {
    codesign --force --timestamp --options runtime --keychain "$keychain" \
        --entitlements "$here/entitlements.plist" --sign "$MACOS_SIGN_IDENTITY" "$@"
}

case "$mode" in
app)
    # Inside out: every Mach-O file (Python extensions, Qt libraries and plugins), then the
    # bundle itself, which seals the rest. Apple advises against --deep for signing.
    while IFS= read -r -d '' file; do
        if file -b "$file" | grep -q "Mach-O"; then
            sign "$file"
        fi
    done < <(find "$target/Contents" -type f \( -perm -u+x -o -name "*.so" -o -name "*.dylib" \) -print0)
    # Qt comes as .framework bundles: seal each one (deepest first) before the app.
    while IFS= read -r framework; do
        sign "$framework"
    done < <(find "$target/Contents" -type d -name "*.framework" | awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2-)
    sign "$target"
    codesign --verify --strict --deep --verbose=2 "$target"
    echo "sign_and_notarize: signed $target"
    ;;
dmg)
    codesign --force --timestamp --keychain "$keychain" --sign "$MACOS_SIGN_IDENTITY" "$target"
    if have_api_key; then
        key="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/AuthKey_${APPLE_API_KEY_ID}.p8"
        printf '%s' "$APPLE_API_KEY_P8_BASE64" | base64 --decode > "$key"
        auth=(--key "$key" --key-id "$APPLE_API_KEY_ID" --issuer "$APPLE_API_ISSUER_ID")
    elif have_apple_id; then
        auth=(--apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD")
    else
        echo "sign_and_notarize: no notarisation credentials: $target is signed, not notarised"
        exit 0
    fi
    # notarytool can exit 0 with status "Invalid": read the status, show Apple's log if bad.
    result=$(xcrun notarytool submit "$target" "${auth[@]}" --wait --timeout 30m --output-format json)
    echo "$result"
    status=$(printf '%s' "$result" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("status", ""))')
    if [ "$status" != "Accepted" ]; then
        submission=$(printf '%s' "$result" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("id", ""))')
        [ -n "$submission" ] && xcrun notarytool log "$submission" "${auth[@]}" || true
        echo "sign_and_notarize: notarisation status '$status'" >&2
        exit 1
    fi
    [ -n "${key:-}" ] && rm -f "$key"
    xcrun stapler staple "$target"
    xcrun stapler validate "$target"
    spctl --assess --type open --context context:primary-signature --verbose=2 "$target" || true
    echo "sign_and_notarize: signed, notarised and stapled $target"
    ;;
*)
    echo "usage: sign_and_notarize.sh app|dmg PATH" >&2
    exit 2
    ;;
esac
