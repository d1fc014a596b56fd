# bash completion for pagereplay(1); installed as
# share/bash-completion/completions/pagereplay.  Options are read from
# `pagereplay COMMAND --help`, so they never fall behind the binary.

_pagereplay()
{
	local cur prev cmd opts i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "record info synth replay sweep plot
		    report footprint simulate help --help --version" -- "$cur"))
		return
	fi
	case $prev in
	--kind|-k)
		[ "$cmd" = plot ] && { COMPREPLY=($(compgen -W "throughput
		    speedup wait hold" -- "$cur")); return; } ;;
	--page)
		COMPREPLY=($(compgen -W "pagelock refcount" -- "$cur"))
		return ;;
	--queue)
		COMPREPLY=($(compgen -W "locked batch:8 batch:63
		    batch:63:trylock astate:63" -- "$cur"))
		return ;;
	--pv)
		COMPREPLY=($(compgen -W "hashed superpage perpage" -- "$cur"))
		return ;;
	--pvchunk)
		COMPREPLY=($(compgen -W "global pmaps" -- "$cur"))
		return ;;
	--partition)
		COMPREPLY=($(compgen -W "tid cpu object" -- "$cur"))
		return ;;
	--scale-mode)
		COMPREPLY=($(compgen -W "disjoint shared" -- "$cur"))
		return ;;
	--pace)
		COMPREPLY=($(compgen -W "asap recorded" -- "$cur"))
		return ;;
	-o|--output|--csv|--json|--plot|--pcap)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	esac
	if [[ $cur == -* ]]; then
		opts=$("${COMP_WORDS[0]}" "$cmd" --help 2>/dev/null |
		    grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	case $cmd in
	synth)
		COMPREPLY=($(compgen -W "build sendfile" -- "$cur")) ;;
	help)
		COMPREPLY=($(compgen -W "record info synth replay sweep plot
		    report footprint simulate" -- "$cur")) ;;
	*)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}
complete -o filenames -F _pagereplay pagereplay
