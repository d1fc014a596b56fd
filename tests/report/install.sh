#!/bin/sh
# install.sh BUILD_DIR PAGEREPLAY - `meson install --destdir` puts the
# binary in bin/ (and nothing generically named beside it: the sendfile
# server goes to libexec/pagereplay/), a man page for pagereplay and each
# subcommand (when scdoc is found), bash completion and the docs; every
# long option a subcommand's --help prints is in its man page, and each
# option line's options are described (bold) in the page's OPTIONS.
set -u
. "$(dirname "$0")/../lib.sh"
BUILD=$1
PR=$2
CMDS="record info synth replay sweep merge plot report footprint simulate"

prefix=$(meson introspect --buildoptions "$BUILD" |
    python3 -c 'import json,sys; print({o["name"]: o["value"] for o in json.load(sys.stdin)}["prefix"])') ||
    fail "no prefix from meson introspect"
meson install -C "$BUILD" --destdir "$T/d" --no-rebuild >"$T/log" 2>&1 ||
    { tail -20 "$T/log"; fail "meson install"; }
D=$T/d$prefix
[ -x "$D/bin/pagereplay" ] || fail "no bin/pagereplay"
[ "$(ls "$D/bin")" = pagereplay ] || fail "bin/ holds more than pagereplay: $(ls "$D/bin")"
[ -x "$D/libexec/pagereplay/sfserver" ] || fail "no libexec/pagereplay/sfserver"
[ -s "$D/share/bash-completion/completions/pagereplay" ] ||
    fail "no bash completion"
bash -n "$D/share/bash-completion/completions/pagereplay" ||
    fail "bash completion: syntax"
for f in README.md user-guide.md csv.md sweep-cluster.md trace-format.md; do
	[ -s "$D/share/doc/pagereplay/$f" ] || fail "no doc $f"
done
"$D/bin/pagereplay" --version >/dev/null || fail "installed binary does not run"

# Completion offers the subcommands and a command's options.
bash -c '. "$1"; COMP_WORDS=(pagereplay rep); COMP_CWORD=1; _pagereplay
    printf "%s\n" "${COMPREPLY[@]}"' sh \
    "$D/share/bash-completion/completions/pagereplay" >"$T/c1"
grep -qx replay "$T/c1" && grep -qx report "$T/c1" || fail "completion: commands"
PATH=$D/bin:$PATH bash -c '. "$1"; COMP_WORDS=(pagereplay plot --ba); COMP_CWORD=2
    _pagereplay; printf "%s\n" "${COMPREPLY[@]}"' sh \
    "$D/share/bash-completion/completions/pagereplay" >"$T/c2"
grep -qx -- --baseline "$T/c2" || fail "completion: plot --baseline"

command -v scdoc >/dev/null 2>&1 || {
	echo "SKIP: man pages not checked: scdoc is not installed (Debian: scdoc)"
	exit 77; }
M=$D/share/man/man1
[ -s "$M/pagereplay.1" ] || fail "no pagereplay.1"
for c in $CMDS; do
	page=$M/pagereplay-$c.1
	[ -s "$page" ] || fail "no man page pagereplay-$c.1"
	# The page's text without roff font escapes and backslashes.
	sed 's/\\f[BIR]//g; s/\\//g' "$page" >"$T/page"
	sed 's/\\fB\(-[-a-z0-9]*\)/@BOLD\1@/g' "$page" >"$T/bold"
	"$PR" "$c" --help >"$T/help" 2>&1 || fail "$c --help"
	for o in $(grep -o -- '--[a-z][a-z0-9-]*' "$T/help" | sort -u); do
		grep -q -- "$o\\([^a-z0-9-]\\|\$\\)" "$T/page" ||
		    fail "pagereplay-$c.1 does not mention $o (in $c --help)"
	done
	for o in $(grep -E '^ {1,6}-' "$T/help" |
	    grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		grep -q -- "@BOLD$o@" "$T/bold" ||
		    fail "pagereplay-$c.1 does not describe option $o"
	done
done
exit 0
