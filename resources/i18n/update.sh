#!/usr/bin/env bash
# Refresh the .ts sources from desktop/ and compile the .qm files. Run from the repository root:
#   resources/i18n/update.sh            (uses .venv/bin/pyside6-lupdate and -lrelease)
# Then translate the new entries of chipcommons_ko.ts (Qt Linguist: pyside6-linguist) and run
# it again. tests/desktop/test_i18n.py fails while a Korean entry is unfinished.
set -euo pipefail
bin=${PYSIDE_BIN:-.venv/bin}
here=resources/i18n
mapfile -t sources < <(find desktop -name '*.py' | sort)
"$bin/pyside6-lupdate" "${sources[@]}" -no-obsolete -locations none \
    -ts "$here/chipcommons_ko.ts" "$here/chipcommons_en.ts"
for lang in ko en; do
    "$bin/pyside6-lrelease" "$here/chipcommons_$lang.ts" -qm "$here/chipcommons_$lang.qm"
done
