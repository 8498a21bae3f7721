#!/bin/sh
# Extract the UI's translatable strings into po/guanxi.pot and merge them into
# po/zh_CN.po and po/en.po (gettext tools: the Debian package "gettext").
# msgids are the English texts; en.po repeats them (msgen) so it is always
# complete. Prints how many Chinese translations are missing; with --check,
# fails when any is.
set -e
cd "$(dirname "$0")/.."
xgettext --language=C --from-code=UTF-8 --keyword=T:2 --keyword=N_ --keyword=ui_tr:2 \
    --no-wrap --sort-by-file --package-name=guanxi --msgid-bugs-address=dev@guanxi.local \
    -o po/guanxi.pot src/ui/*.c
sed -i 's/^"Content-Type: text\/plain; charset=CHARSET\\n"/"Content-Type: text\/plain; charset=UTF-8\\n"/' po/guanxi.pot
if [ -f po/zh_CN.po ]; then
    msgmerge --quiet --update --backup=none --no-wrap --no-fuzzy-matching po/zh_CN.po po/guanxi.pot
    msgattrib --no-obsolete --no-wrap -o po/zh_CN.po po/zh_CN.po
else
    msginit --no-translator --no-wrap --locale=zh_CN.UTF-8 -i po/guanxi.pot -o po/zh_CN.po
fi
# English: the msgids are English, so every msgstr is its msgid.
msgen --no-wrap --lang=en -o po/en.po po/guanxi.pot
msgfmt --check -o /dev/null po/zh_CN.po
msgfmt --check -o /dev/null po/en.po
missing=$(msgattrib --untranslated --no-obsolete po/zh_CN.po | grep -c '^msgid ' || true)
[ "$missing" -gt 0 ] && missing=$((missing - 1))  # the header
echo "po/zh_CN.po: $missing untranslated"
if [ "$1" = "--check" ] && [ "$missing" -gt 0 ]; then exit 1; fi
exit 0
