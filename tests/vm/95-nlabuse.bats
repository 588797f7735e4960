#!/usr/bin/env bats
# Netlink abuse: the libnl-3 client's fuzz mode (tests/nlclient/fuzz.c) sends 20000 random and
# mutated requests to the ktrack family, as an unprivileged user and as root. Nothing an
# unprivileged user sends acts; no refused request changes the config, the limit list or the table
# (checked after each one by the client); the module's reference count returns to 0 (abandoned
# dumps released), the entry caches hold what they did before, and the kernel log stays clean
# (kmemleak is scanned too where the kernel has it).

load ../lib/common
load ../lib/ctl
load ../lib/rel

N=${KTRACK_FUZZ_COUNT:-20000}

setup_file() {
	make -s -C "$TOP/tests/nlclient" >/dev/null
}

setup() {
	ktrack_load
	pair kt-srv kt-cli
	bulk_setup
	kcn kt-srv config udp_timeout=3600 tcp_timeout_syn_sent=3600
	kcn kt-srv limit add 10.0.0.0/8 5
	kcn kt-srv limit add 2001:db8::/48 9
	nsx kt-cli "$TOOLS/synflood" -i v-kt-cli -m "$(ifmac kt-srv v-kt-srv)" -s 198.18.0.1 -n 3 \
		-d $SRV4 -p 7000 -u -c 300 >/dev/null
	wait_count kt-srv 300
}

teardown() {
	cleanup_ns
	ktrack_unload
}

# state NETNS: what a request could change, as ktrackctl shows it.
state() {
	kcn "$1" -o json config
	kcn "$1" limit list
	kcn "$1" -o json list | jq -c 'map([.proto, .src, .sport, .dport]) | sort'
	kcn "$1" -o json stats | jq -c '[.new, .del_flush]'
}

# fuzz NETNS ARGS...: run the fuzz client in NETNS; its summary in $FZ.
fuzz() {
	local ns=$1
	shift
	FZ=$(nsx "$ns" "$NLCLIENT" fuzz "$@" 2>"$REL_TMP/fuzz.err")
	echo "# $FZ" >&3
	head -n 20 "$REL_TMP/fuzz.err" >&2
	[[ "$FZ" == "fuzz sent $N "* ]]
}

# fz KEY: a number from the summary.
fz() {
	sed -n "s/.* $1 \([0-9]*\).*/\1/p" <<<"$FZ"
}

@test "an unprivileged user: $N random and mutated requests, none acts, nothing changes" {
	before=$(state kt-srv)
	FZ=$(nsx kt-srv setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$(unpriv_copy "$NLCLIENT")" fuzz 1 "$N" check 2>"$REL_TMP/fuzz.err")
	echo "# $FZ" >&3
	head -n 20 "$REL_TMP/fuzz.err" >&2
	[[ "$FZ" == "fuzz sent $N "* ]]
	[ "$(fz admin_acked)" -eq 0 ]
	[ "$(fz changed)" -eq 0 ]
	[ "$(fz eperm)" -gt 1000 ]
	[ "$(fz abandoned)" -gt 0 ]
	[ "$(state kt-srv)" = "$before" ]
	[ "$(cat /sys/module/ktrack/refcnt)" -eq 0 ]
	no_splat
}

@test "root: $N random and mutated requests; no refused one changes anything; sound afterwards" {
	objs0=$(ktrack_live_objs)
	fuzz kt-srv 2 "$N" check
	[ "$(fz changed)" -eq 0 ]
	[ "$(fz refused)" -gt $((N / 2)) ]
	[ "$(fz abandoned)" -gt 0 ]
	# abandoned and finished dumps hold no reference to the module
	[ "$(cat /sys/module/ktrack/refcnt)" -eq 0 ]
	kt_consistent kt-srv
	# what root's accepted requests did (a config set, a flush, a limit) may differ; the other
	# netns was not touched
	[ "$(kcn kt-cli config udp_timeout)" -eq 30 ]
	[ "$(kcn kt-cli limit list | wc -l)" -eq 0 ]
	# nothing leaked: after a flush the entry caches hold no more entries than before the table
	# filled (10 spare for a stray packet's entry), and the module unloads
	kcn kt-srv flush >/dev/null
	kcn kt-cli flush >/dev/null
	if ! slab_merged ktrack_conn4; then
		wait_objs_le $((objs0 + 10))
	fi
	kmemleak_check
	no_splat
}

@test "fuzzing from a second netns while the first is dumped and flooded leaves both consistent" {
	N=5000
	dmac=$(ifmac kt-srv v-kt-srv)
	nsx kt-cli "$TOOLS/synflood" -i v-kt-cli -m "$dmac" -s 198.18.1.1 -n 10 -d $SRV4 -p 7100 -u \
		-c 3000 -r 300 >/dev/null &
	gen=$!
	( for i in $(seq 20); do kcn kt-srv list >/dev/null || exit 1; done ) &
	dump=$!
	fuzz kt-cli 3 "$N" check
	[ "$(fz changed)" -eq 0 ]
	wait "$dump"
	wait "$gen"
	[ "$(cat /sys/module/ktrack/refcnt)" -eq 0 ]
	kt_consistent kt-srv
	kt_consistent kt-cli
	no_splat
}
