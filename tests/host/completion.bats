#!/usr/bin/env bats
# ktrackctl's bash completion, run as bash runs it (COMP_WORDS, COMP_CWORD, _ktrackctl) on the build
# machine: states in any case, config keys as KEY= with no space after, monitor's options, events
# and filter words. (tests/vm/90-ctl checks that every verb and option the tool has is offered.)

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# offered WORD...: what completion offers after "ktrackctl WORD..." (the last WORD being typed);
# the options it set with compopt in $COMPOPT.
offered() {
	# shellcheck disable=SC1091
	. "$TOP/tools/ktrackctl.bash-completion"
	COMPOPT=
	compopt() { COMPOPT="$*"; }
	COMP_WORDS=(ktrackctl "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_ktrackctl
	unset -f compopt
}

@test "states complete in any case, to their name in capitals" {
	offered list state est
	[ "${COMPREPLY[*]}" = ESTABLISHED ]
	offered -L --state Time
	[ "${COMPREPLY[*]}" = TIME_WAIT ]
	offered list state c
	[ "${COMPREPLY[*]}" = "CLOSE_WAIT CLOSE" ]
	offered list state ""
	[ "${#COMPREPLY[@]}" -eq 8 ]
	offered list state xyz
	[ "${#COMPREPLY[@]}" -eq 0 ]
}

@test "config keys complete as KEY= with no space after; a value is left to the user" {
	offered config udp_t
	[ "${COMPREPLY[*]}" = "udp_timeout= udp_timeout_stream=" ]
	[ "$COMPOPT" = "-o nospace" ]
	offered config state_m
	[ "${COMPREPLY[*]}" = "state_mark=" ]
	offered config udp_timeout=
	[ "${#COMPREPLY[@]}" -eq 0 ]
	offered config udp_timeout=3
	[ "${#COMPREPLY[@]}" -eq 0 ]
	# other verbs keep the space after a word
	offered sou
	[ "${COMPREPLY[*]}" = sources ]
	[ -z "$COMPOPT" ]
}

@test "monitor: its options, its events and reasons in any case, and the filter words" {
	offered monitor -
	for o in -t --timestamp -e --event -b --buffer-size --count -p --proto --dport --state; do
		[[ " ${COMPREPLY[*]} " == *" $o "* ]]
	done
	offered monitor ""
	for w in proto dport src state family; do
		[[ " ${COMPREPLY[*]} " == *" $w "* ]]
	done
	offered monitor -e dest
	[[ " ${COMPREPLY[*]} " == *" destroy "* ]]
	[[ " ${COMPREPLY[*]} " == *" destroy:rst "* ]]
	offered -E -e REF
	[ "${COMPREPLY[*]}" = refused ]
	offered monitor -b ""
	[ "${#COMPREPLY[@]}" -eq 0 ]
	offered monitor -e new proto ""
	[ "${COMPREPLY[*]}" = "tcp udp icmp icmpv6" ]
}
