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
# What residents' names, addresses and the catalog need: Latin and general punctuation, symbols
# (①, ⓘ, arrows), CJK punctuation, radicals, enclosed CJK, Extension A, the Unified Ideographs,
# compatibility ideographs and full-width forms. Hangul, kana and bopomofo are left out, and so are
# layout features and hints, which Chinese text on a kiosk does not use: every glyph less is
# parse time and memory at start-up (build/bench-startup.sh).
ranges='U+0020-007E,U+00A0-00FF,U+2000-206F,U+20A0-20CF,U+2100-21FF,U+2200-22FF,U+2300-23FF,'\
'U+2460-24FF,U+2500-257F,U+25A0-25FF,U+2600-26FF,U+2E80-2FDF,U+3000-303F,U+3200-33FF,'\
'U+3400-4DBF,U+4E00-9FFF,U+F900-FAFF,U+FE10-FE1F,U+FE30-FE4F,U+FF00-FFEF'
/usr/bin/python3 -m fontTools.subset "$tmp/sc.otf" --unicodes="$ranges" --layout-features='' \
  --no-hinting --name-IDs='*' --name-languages='*' --notdef-outline --output-file="$out"
ls -l "$out"
