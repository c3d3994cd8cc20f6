#!/usr/bin/env bash
# Makes assets/pinyin/words.txt.gz, the word list of the window's pinyin input, from jieba's
# extra_dict/dict.txt.small (https://github.com/fxsjy/jieba, MIT licence, see
# assets/pinyin/LICENSE.jieba): every entry of one to four Chinese characters with its frequency,
# most frequent first. The readings come from go-pinyin's character table at run time.
# Usage: build/pinyin-words.sh path/to/dict.txt.small
set -euo pipefail
src=${1:?usage: $0 path/to/jieba/extra_dict/dict.txt.small}
out=$(dirname "$0")/../assets/pinyin/words.txt.gz
LC_ALL=C.UTF-8 grep -P '^\p{Han}{1,4} [0-9]+ ' "$src" | awk '{print $1, $2}' | LC_ALL=C sort -k2,2nr -k1,1 -s | gzip -9n >"$out"
echo "wrote $out: $(zcat "$out" | wc -l) entries"
