#!/usr/bin/env bash
# Wrap posdesk.app in a compressed disk image with an /Applications shortcut to drag onto.
# Usage: packaging/macos/make_dmg.sh dist/posdesk.app dist/posdesk-0.1.0-macos-arm64.dmg
# Run by scripts/build_bundle.py --installer on macOS. Sign the .app BEFORE this step and
# notarise the .dmg AFTER it (packaging/README.md, "macOS").
set -euo pipefail
app=${1:?path to posdesk.app}
dmg=${2:?path of the .dmg to write}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
ditto "$app" "$stage/$(basename "$app")"   # ditto keeps symlinks, xattrs and signatures
ln -s /Applications "$stage/Applications"
rm -f "$dmg"
# hdiutil now and then fails with "Resource busy" on CI runners: try a few times.
for attempt in 1 2 3; do
  if hdiutil create -volname posdesk -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"; then
    break
  fi
  [ "$attempt" = 3 ] && exit 1
  sleep 10
done
if [ -n "${POSDESK_CODESIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$POSDESK_CODESIGN_IDENTITY" "$dmg"
fi
echo "wrote $dmg"
