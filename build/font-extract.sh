#!/usr/bin/env bash
# Re-creates assets/fonts/NotoSansCJKsc-Regular.otf from Debian's fonts-noto-cjk collection.
# Fyne cannot load .ttc collections, so the Simplified Chinese face is taken out of the collection
# and the glyphs that only the JP/KR/TC/HK faces reach are dropped. Not part of the build: the
# result is committed. Needs: apt-get install fonts-noto-cjk python3-fonttools
set -euo pipefail
out=${1:-assets/fonts/NotoSansCJKsc-Regular.otf}
src=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$src" "$tmp/sc.otf" <<'PY'
import sys
from fontTools.ttLib import TTCollection
c = TTCollection(sys.argv[1])
face = [f for f in c.fonts if f['name'].getDebugName(4) == 'Noto Sans CJK SC'][0]
face.save(sys.argv[2])
PY
/usr/bin/python3 -m fontTools.subset "$tmp/sc.otf" --unicodes='*' --layout-features='*' \
  --name-IDs='*' --name-languages='*' --notdef-outline --glyph-names --output-file="$out"
ls -l "$out"
