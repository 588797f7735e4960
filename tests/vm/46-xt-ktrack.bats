#!/usr/bin/env bats
# xt_ktrack, the match `-m ktrack`, on its own: independent of ktrack's classifier, the state bits
# are set by a MARK rule in mangle PREROUTING (which runs after ktrack's writer) on the server's
# incoming echo requests, and rules after it count what -m ktrack makes of them, with
# iptables-nft (nft_compat), iptables-legacy and ip6tables. Also: the refusals at load time and
# their kernel messages, autoloading by the aliases, iptables-save round trips, and the nft twin
# with tools/ktrack.nft.
#
# Autoload needs xt_ktrack.ko installed where modprobe finds it. The VM's /lib/modules is the
# build machine's, read-only, so setup_file installs the build's ktrack.ko and xt_ktrack.ko into a
# copy of the module index made with depmod (the module tree itself linked, not copied) and binds
# that over /lib/modules/$(uname -r) for this file; teardown_file takes it away.

load ../lib/common
load ../lib/track

XTKO=${KTRACK_XT_KO:-${KO%/*}/xt_ktrack.ko}
XTLIB=$(pkg-config --variable=xtlibdir xtables 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/xtables)
export XTABLES_LIBDIR=$TOP/tools/xtables:$XTLIB
KVER=$(uname -r)
MODS=/tmp/ktrack-xt-mods
M4=$((0xf000))
ZERO_MSG="xt_ktrack: state_mark is 0 in this netns: set net.ktrack.state_mark (or ktrackctl config state_mark=0xf000) first"

# mods_install / mods_remove: the build's modules under extra/ of a module index that has the
# kernel's too, bound over /lib/modules/$KVER.
mods_install() {
	local d=$MODS/new/lib/modules/$KVER f
	mkdir -p "$MODS/orig" "$d/extra"
	mount --bind "/lib/modules/$KVER" "$MODS/orig"
	for f in "$MODS"/orig/*; do
		case ${f##*/} in
		modules.order|modules.builtin|modules.builtin.modinfo) cp "$f" "$d/" ;;
		modules.*|build|source) ;;
		*) ln -s "$f" "$d/${f##*/}" ;;
		esac
	done
	cp "$KO" "$XTKO" "$d/extra/"
	depmod -b "$MODS/new" "$KVER"
	mount --bind "$d" "/lib/modules/$KVER"
}

mods_remove() {
	umount "/lib/modules/$KVER" 2>/dev/null || true
	umount "$MODS/orig" 2>/dev/null || true
	rm -rf "$MODS"
}

# xt_unload: xt_ktrack out, once the rules of deleted namespaces have let go of it (at most 30 s).
xt_unload() {
	local end=$((EPOCHSECONDS + 30))
	while [ -d /sys/module/xt_ktrack ]; do
		rmmod xt_ktrack 2>/dev/null && return 0
		[ "$EPOCHSECONDS" -le "$end" ] || { echo "xt_ktrack stays in use" >&2; return 1; }
		ksleep 0.1
	done
}

setup_file() {
	# the mangle table, MARK and comment (a kernel of scripts/debug.config may lack them)
	if ! unshare -n sh -c 'for i in iptables-legacy ip6tables-legacy; do
		$i -t mangle -A PREROUTING -m comment --comment probe -j MARK --set-xmark 1/1 || exit 1
	done' >/dev/null 2>&1; then
		skip "this kernel has no mangle table, MARK target or comment match"
	fi
	[ -f "$XTKO" ] || { echo "no $XTKO: build it first (make)" >&2; return 1; }
	[ -f "$TOP/tools/xtables/libxt_ktrack.so" ] || { echo "no libxt_ktrack.so (make)" >&2; return 1; }
	mods_remove
	mods_install
	if [ -d /sys/module/xt_ktrack ]; then
		rmmod xt_ktrack
	fi
	ktrack_load state_mark=$M4
}

teardown_file() {
	cleanup_ns
	xt_unload || true
	ktrack_unload
	mods_remove
}

# setup / teardown: new namespaces kt-srv and kt-cli joined by a veth, as common.bash's pair
# (server 192.0.2.1 / 2001:db8::1, client .2 / ::2), in three execs of ip (each exec costs under TCG).
setup() {
	ip -b - <<-EOF
	netns add kt-srv
	netns add kt-cli
	link add v-kt-srv netns kt-srv type veth peer name v-kt-cli netns kt-cli
	EOF
	ifup kt-srv "$SRV4" "$SRV6"
	ifup kt-cli "$CLI4" "$CLI6"
	declare -gA BASE=()
}

# ifup NETNS ADDR4 ADDR6: loopback and v-NETNS up, with the addresses (no DAD).
ifup() {
	ip -n "$1" -b - <<-EOF
	link set lo up
	addr add $2/24 dev v-$1
	addr add $3/64 dev v-$1 nodad
	link set v-$1 up
	EOF
}

teardown() {
	ip -force -b - <<-EOF 2>/dev/null || true
	netns del kt-srv
	netns del kt-cli
	EOF
}

# fresh: new namespaces, so that no rule of another iptables (nft or legacy) marks the packets too.
fresh() {
	teardown
	setup
}

# x CMD...: CMD in the server's namespace.
x() {
	nsx kt-srv "$@"
}

# state_mark MASK: the server namespace's net.ktrack.state_mark.
state_mark() {
	x sysctl -qw net.ktrack.state_mark="$(($1))"
}

# echoreq IPT: in $ECHO, the match of the server's incoming echo requests, for IPT's family.
echoreq() {
	if [[ $1 == ip6* ]]; then
		ECHO="-i v-kt-srv -p ipv6-icmp --icmpv6-type echo-request"
	else
		ECHO="-i v-kt-srv -p icmp --icmp-type echo-request"
	fi
}

# rules IPT "TAG MATCH"...: the server's mangle PREROUTING, in one IPT-restore: first the rule
# that sets the state bits (comment setmark; see setmark), then for each TAG a rule counting the
# echo requests that `-m ktrack MATCH` matches.
rules() {
	local ipt=$1 spec
	shift
	echoreq "$ipt"
	{
		echo "*mangle"
		echo "-A PREROUTING $ECHO -m comment --comment setmark -j MARK --set-xmark 0/0"
		for spec in "$@"; do
			echo "-A PREROUTING $ECHO -m comment --comment ${spec%% *} -m ktrack ${spec#* }"
		done
		echo COMMIT
	} | x "$ipt-restore" --noflush
}

# setmark IPT VALUE/MASK: the first rule sets those bits of the echo requests' mark.
setmark() {
	echoreq "$1"
	# shellcheck disable=SC2086	# $ECHO is words
	x "$1" -t mangle -R PREROUTING 1 $ECHO -m comment --comment setmark -j MARK --set-xmark "$2"
}

# pings IPT: three echo requests from the client, answered, over IPT's family.
pings() {
	if [[ $1 == ip6* ]]; then
		nsx kt-cli ping -6 -c 3 -i 0.05 -W 5 -q "$SRV6" >/dev/null
	else
		nsx kt-cli ping -c 3 -i 0.05 -W 5 -q "$SRV4" >/dev/null
	fi
}

# totals IPT TAG...: in $TOT, the packets each tagged rule counted so far.
totals() {
	local ipt=$1 tag save
	shift
	save=$(x "$ipt-save" -c -t mangle)
	declare -gA TOT=()
	for tag in "$@"; do
		TOT[$tag]=$(awk -v t="$tag" '{ for (i = 1; i < NF; i++)
			if ($i == "--comment" && $(i + 1) == t) {
				sub(/^\[/, "", $1); split($1, c, ":"); print c[1]; exit } }' <<<"$save")
		[ -n "${TOT[$tag]}" ] || { echo "$ipt: no rule $tag" >&2; echo "$save" >&2; return 1; }
	done
}

# counts IPT TAG=N...: each tagged rule counted N packets since the last counts.
counts() {
	local ipt=$1 kv tag bad=0
	shift
	totals "$ipt" "${@%%=*}" || return 1
	for kv in "$@"; do
		tag=${kv%=*}
		if [ $((TOT[$tag] - ${BASE[$tag]:-0})) != "${kv#*=}" ]; then
			echo "$ipt: rule $tag counted $((TOT[$tag] - ${BASE[$tag]:-0})), expected ${kv#*=}" >&2
			bad=1
		fi
		BASE[$tag]=${TOT[$tag]}
	done
	[ "$bad" = 0 ]
}

# round IPT VALUE/MASK TAG=N...: setmark, three pings, counts.
round() {
	local ipt=$1
	setmark "$ipt" "$2"
	shift 2
	pings "$ipt"
	counts "$ipt" "$@"
}

STATES=("new --state NEW" "est --state ESTABLISHED" "rel --state RELATED" "inv --state INVALID"
	"untr --state UNTRACKED" "notnew ! --state NEW" "notest ! --state ESTABLISHED"
	"newest --state NEW,ESTABLISHED")

@test "xt_ktrack autoloads by its aliases: ipt_ktrack (iptables-nft), ip6t_ktrack (ip6tables-legacy)" {
	[ ! -d /sys/module/xt_ktrack ]
	x iptables-nft -t mangle -A PREROUTING -m ktrack --state NEW
	[ -d /sys/module/xt_ktrack ]
	# the installed one (extra/ of the index), which is the build's
	[ "$(cat /sys/module/xt_ktrack/srcversion)" = "$(modinfo -F srcversion "$XTKO")" ]
	[ "$(modinfo -n xt_ktrack)" = "/lib/modules/$KVER/extra/xt_ktrack.ko" ]
	x iptables-nft -t mangle -F PREROUTING
	xt_unload
	x ip6tables-legacy -t mangle -A PREROUTING -m ktrack --state NEW
	[ -d /sys/module/xt_ktrack ]
}

@test "iptables-nft: each state's bits match its --state, ! inverts, no bit is UNTRACKED" {
	local i=iptables-nft
	[ "$(x sysctl -n net.ktrack.state_mark)" = $M4 ]
	rules $i "${STATES[@]}"
	round $i 0x2000/0xf000 new=0 est=3 rel=0 inv=0 untr=0 notnew=3 notest=0 newest=3
	round $i 0x1000/0xf000 new=3 est=0 rel=0 inv=0 untr=0 notnew=0 notest=3 newest=3
	round $i 0x4000/0xf000 new=0 est=0 rel=3 inv=0 untr=0 notnew=3 notest=3 newest=0
	round $i 0x8000/0xf000 new=0 est=0 rel=0 inv=3 untr=0 notnew=3 notest=3 newest=0
	# no ktrack bit in the field is UNTRACKED, whatever the mark's other bits are
	round $i 0xffff0fff/0xffffffff new=0 est=0 rel=0 inv=0 untr=3 notnew=3 notest=3 newest=0
}

# states2 IPT: the same, ESTABLISHED and UNTRACKED only, for the other iptables.
states2() {
	rules "$1" "${STATES[@]}"
	round "$1" 0x2000/0xf000 new=0 est=3 rel=0 inv=0 untr=0 notnew=3 notest=0 newest=3
	round "$1" 0xffff0fff/0xffffffff new=0 est=0 rel=0 inv=0 untr=3 notnew=3 notest=3 newest=0
}

@test "iptables-legacy: ESTABLISHED and UNTRACKED bits match their --state, ! inverts" {
	states2 iptables-legacy
}

@test "ip6tables-nft: ESTABLISHED and UNTRACKED bits match their --state, ! inverts" {
	states2 ip6tables-nft
}

@test "ip6tables-legacy: ESTABLISHED and UNTRACKED bits match their --state, ! inverts" {
	states2 ip6tables-legacy
}

@test "a rule reads the bits under the state_mark in force, not the one it was loaded under" {
	local i
	for i in iptables-nft iptables-legacy; do
		fresh
		rules $i "new --state NEW" "est --state ESTABLISHED"
		# NEW under 0xf000, ESTABLISHED under 0x0f00
		round $i 0x1200/0xff00 new=3 est=0
		state_mark 0x0f00
		pings $i
		counts $i new=0 est=3
	done
}

@test "--dir REPLY and ORIGINAL with the 5-bit mask; with a 4-bit mask in force a --dir rule does not match" {
	local i
	for i in iptables-nft iptables-legacy ip6tables-nft; do
		fresh
		state_mark 0x1f000
		rules $i "er --state ESTABLISHED --dir REPLY" "eo --state ESTABLISHED --dir ORIGINAL" \
			"e --state ESTABLISHED" "nr ! --state NEW --dir REPLY"
		round $i 0x12000/0x1f000 er=3 eo=0 e=3 nr=3
		round $i 0x02000/0x1f000 er=0 eo=3 e=3 nr=0
		# the mark first: iptables-legacy checks every rule again when its table changes, and
		# under a 4-bit mask it refuses the --dir rules
		setmark $i 0x12000/0x1f000
		state_mark 0xf000
		pings $i
		counts $i er=0 eo=0 e=3 nr=0
	done
}

@test "--dir is refused under a 4-bit state_mark, with a kernel message; without --dir the rule loads" {
	local i
	for i in iptables-nft iptables-legacy; do
		kmsg_mark
		run x $i -t mangle -A PREROUTING -m ktrack --state NEW --dir REPLY
		[ "$status" -ne 0 ]
		kmsg_since | grep -F "xt_ktrack: --dir needs a state_mark of 5 bits (this netns's is 0xf000)"
		run x $i -t mangle -S PREROUTING
		[[ "$output" != *ktrack* ]]
		x $i -t mangle -A PREROUTING -m ktrack --state NEW
	done
}

@test "in a netns whose state_mark is 0 a rule is refused, and the kernel log says to set it" {
	local i
	state_mark 0
	for i in iptables-nft iptables-legacy ip6tables-nft ip6tables-legacy; do
		kmsg_mark
		run x $i -t mangle -A PREROUTING -m ktrack --state ESTABLISHED
		[ "$status" -ne 0 ]
		kmsg_since | grep -F "$ZERO_MSG"
		run x $i -t mangle -S PREROUTING
		[[ "$output" != *ktrack* ]]
	done
	state_mark 0xf000
	x iptables-nft -t mangle -A PREROUTING -m ktrack --state ESTABLISHED
}

@test "iptables-save shows -m ktrack as it was given, and iptables-restore takes it back" {
	local i s1 s2 l
	local want=(
		"-A INPUT -m ktrack --state NEW,ESTABLISHED"
		"-A INPUT -m ktrack ! --state INVALID"
		"-A INPUT -m ktrack --state RELATED,UNTRACKED --dir REPLY"
		"-A INPUT -m ktrack --state ESTABLISHED --dir ORIGINAL"
	)
	state_mark 0x1f000
	for i in iptables-nft iptables-legacy ip6tables-nft ip6tables-legacy; do
		x "$i-restore" --noflush <<-EOF
		*filter
		-A INPUT -m ktrack --state new,ESTABLISHED
		-A INPUT -m ktrack ! --state Invalid
		-A INPUT -m ktrack --state untracked,Related --dir REPLY
		-A INPUT -m ktrack --state established --dir original
		COMMIT
		EOF
		s1=$(x sh -c "$i-save -t filter && echo --- && $i -L INPUT -n")
		for l in "${want[@]}"; do
			grep -qxF -- "$l" <<<"$s1" || { echo "$i-save has no line: $l" >&2; echo "$s1" >&2; false; }
		done
		[[ "$s1" == *"ktrack state NEW,ESTABLISHED"* ]]
		[[ "$s1" == *"ktrack ! state INVALID"* ]]
		[[ "$s1" == *"ktrack state RELATED,UNTRACKED dir REPLY"* ]]
		s1=${s1%%---*}
		s2=$(x sh -c "$i -F INPUT && $i-save -t filter && echo --- && $i-restore && $i-save -t filter" <<<"$s1")
		[[ "${s2%%---*}" != *ktrack* ]]
		[ "$(grep -- '-m ktrack' <<<"$s1")" = "$(grep -- '-m ktrack' <<<"${s2#*---}")" ]
		[ "$(grep -c -- '-m ktrack' <<<"${s2#*---}")" -eq 4 ]
	done
}

# nftc: in $NFTC, the packets counted by each rule of table inet kt_xt, by its comment.
nftc() {
	local l
	declare -gA NFTC=()
	while read -r l; do
		if [[ $l =~ counter\ packets\ ([0-9]+)\ .*comment\ \"([a-z]+)\" ]]; then
			NFTC[${BASH_REMATCH[2]}]=${BASH_REMATCH[1]}
		fi
	done < <(x nft list chain inet kt_xt pre)
}

@test "the nft twin: ktrack.nft's names count what -m ktrack counts" {
	local i=iptables-nft m want c t tags=(estrel new inv untr)
	x nft -f - <<-NFT
	include "$TOP/tools/ktrack.nft"
	table inet kt_xt {
		chain pre {
			type filter hook prerouting priority mangle + 1;
			icmp type echo-request meta mark & (\$KTRACK_ESTABLISHED | \$KTRACK_RELATED) != 0 counter comment "estrel"
			icmp type echo-request meta mark & \$KTRACK_MASK == \$KTRACK_NEW counter comment "new"
			icmp type echo-request meta mark & \$KTRACK_MASK == \$KTRACK_INVALID counter comment "inv"
			icmp type echo-request meta mark & \$KTRACK_MASK == 0 counter comment "untr"
		}
	}
	NFT
	rules $i "estrel --state ESTABLISHED,RELATED" "new --state NEW" "inv --state INVALID" \
		"untr --state UNTRACKED"
	# each mark, and how many rounds each of estrel, new, inv and untr counted after it
	for m in "0x2000 1 0 0 0" "0x4000 2 0 0 0" "0x1000 2 1 0 0" "0x8000 2 1 1 0" "0x0 2 1 1 1"; do
		read -r -a want <<<"$m"
		m=${want[0]}
		setmark $i "$m/0xf000"
		pings $i
		totals $i "${tags[@]}"
		nftc
		for c in 0 1 2 3; do
			t=${tags[c]}
			[ "${NFTC[$t]}" = $((3 * want[c + 1])) ] ||
				{ echo "after $m: nft $t counted ${NFTC[$t]}, not $((3 * want[c + 1]))" >&2; false; }
			[ "${TOT[$t]}" = $((3 * want[c + 1])) ] ||
				{ echo "after $m: -m ktrack $t counted ${TOT[$t]}, not $((3 * want[c + 1]))" >&2; false; }
		done
	done
}
