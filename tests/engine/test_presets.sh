#!/bin/sh
# test_presets.sh PAGEREPLAY - --preset end to end (issue 12 item 5):
# footprint's header names each preset's five families as docs/presets.md
# does; a family option after --preset overrides it and one before it is
# replaced; `--preset help` lists every preset; an unknown preset is one
# line and exit 2; replay and sweep take --preset (and --free) and their
# CSV rows carry the preset's designs.
set -u
. "$(dirname "$0")/../lib.sh"
PR=$1

header() {
	"$PR" footprint "$@" | head -1
}

while IFS='|' read -r preset want; do
	got=$(header --preset "$preset")
	[ "$got" = "# $want" ] || fail "$preset: $got"
done <<'EOF'
freebsd10|page pagelock:256, queue locked, pv hashed:256:global, pvchunk global, free global
freebsd12|page pagelock:256, queue batch:31:trylock-full, pv hashed:256:di-locked, pvchunk global, free pgcache
freebsd13|page refcount, queue astate:31, pv superpage:di, pvchunk domain:1, free pgcache
freebsd14|page refcount, queue astate:63:trylock, pv superpage:di, pvchunk domain:1, free pgcache
dragonfly56|page dfly, queue colored:1024, pv dfly, pvchunk domain:1, free colored
d24217|page refcount, queue astate:63:trylock, pv perpage:di, pvchunk pmaps, free pgcache
EOF
# No preset: the defaults, unchanged.
[ "$(header)" = "# page refcount, queue astate:63, pv hashed:256, pvchunk global, free pgcache" ] ||
    fail "defaults: $(header)"

# Override order: later wins.
[ "$(header --preset freebsd14 --pv hashed:128 --free global)" = "# page refcount, queue astate:63:trylock, pv hashed:128, pvchunk domain:1, free global" ] ||
    fail "override after --preset"
[ "$(header --pv hashed:128 --preset freebsd14)" = "$(header --preset freebsd14)" ] ||
    fail "--preset after a family option does not replace it"

"$PR" footprint --preset help >"$T/list" || fail "--preset help"
[ "$(wc -l <"$T/list")" -eq 6 ] || fail "--preset help: not 6 presets"
for p in freebsd10 freebsd12 freebsd13 freebsd14 dragonfly56 d24217; do
	grep -q "^$p " "$T/list" || fail "--preset help lacks $p"
done
"$PR" footprint --help | grep -q -- '--preset NAME' || fail "footprint --help"
"$PR" replay --help | grep -q -- '--preset NAME' || fail "replay --help"
"$PR" sweep --help | grep -q -- '--preset LIST' || fail "sweep --help"

expect_error 2 "$PR" footprint --preset freebsd11
grep -q 'freebsd14' "$T/err" || fail "unknown preset: the list not named"
expect_error 2 "$PR" footprint --preset freebsd14 --free slab

# replay and sweep: the CSV rows carry the preset's designs.
"$PR" synth build --seed 1 --events 4000 -o "$T/b.prt" >/dev/null ||
    fail "synth build"
"$PR" replay "$T/b.prt" --threads 2 --cpus 0 --check --no-hwc \
    --preset freebsd10 --csv "$T/r10.csv" >/dev/null 2>"$T/err" ||
    { cat "$T/err"; fail "replay --preset freebsd10"; }
[ "$(csv_col "$T/r10.csv" freequeue queue)" = locked ] || fail "replay freebsd10 queue"
[ "$(csv_col "$T/r10.csv" freequeue page)" = pagelock:256 ] || fail "replay freebsd10 page"
[ "$(csv_col "$T/r10.csv" freequeue pv)" = hashed:256:global ] || fail "replay freebsd10 pv"
[ "$(csv_col "$T/r10.csv" freequeue check_violations)" = 0 ] || fail "replay freebsd10 check"
"$PR" replay "$T/b.prt" --threads 2 --cpus 0 --no-hwc \
    --preset freebsd12 --queue astate:8 --csv "$T/r12.csv" >/dev/null \
    2>"$T/err" || { cat "$T/err"; fail "replay --preset freebsd12 --queue"; }
[ "$(csv_col "$T/r12.csv" freequeue queue)" = astate:8 ] || fail "replay override queue"
[ "$(csv_col "$T/r12.csv" freequeue page)" = pagelock:256 ] || fail "replay override page"
"$PR" sweep "$T/b.prt" --threads 1 --cpus 0 --no-hwc --preset freebsd14 \
    --pv hashed,superpage --csv "$T/s.csv" >/dev/null 2>"$T/err" ||
    { cat "$T/err"; fail "sweep --preset freebsd14"; }
[ "$(csv_col "$T/s.csv" freequeue queue | sort -u)" = astate:63:trylock ] ||
    fail "sweep freebsd14 queue"
[ "$(csv_col "$T/s.csv" freequeue pv | paste -sd, -)" = hashed:256,superpage ] ||
    fail "sweep: the pv list does not override the preset"
echo "presets: ok"
