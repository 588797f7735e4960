# shellcheck shell=bash
# tests/lib/common.bash: helpers shared by the bats suites that run inside the test VM (scripts/vm):
# loading ktrack, network namespaces joined by veth, reading the per-CPU counters.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KO=${KTRACK_KO:-$TOP/src/ktrack.ko}	# KTRACK_KO, KTRACK_CTL: test other builds
KTRACKCTL=${KTRACK_CTL:-$TOP/tools/ktrackctl}
PY=/usr/bin/python3	# Debian's python, which has scapy

# Test hosts: 192.0.2.0/24 and 2001:db8::/64 (documentation ranges), 198.18.0.0/15 for bulk sources.
SRV4=192.0.2.1 CLI4=192.0.2.2
SRV6=2001:db8::1 CLI6=2001:db8::2

# debug_kernel: true on the kernel `make check-debug` boots (KASAN, lockdep, kmemleak: 3-10x slower
# than Debian's under TCG), where the scale and flood tests use smaller sizes and rates.
debug_kernel() {
	[[ $(uname -r) == *-ktrack-debug ]]
}

# poll SECONDS CMD...: CMD succeeds within SECONDS (tried every 0.1 s); the waits below are made of it.
poll() {
	local i
	for i in $(seq $(($1 * 10))); do
		"${@:2}" && return 0
		sleep 0.1
	done
	return 1
}

# fails CMD...: CMD fails (a plain `! CMD` does not fail a bats test).
fails() {
	if "$@"; then
		echo "unexpectedly succeeded: $*" >&2
		return 1
	fi
	return 0
}

ktrack_load() {
	ktrack_unload
	insmod "$KO" "$@"
}

ktrack_unload() {
	if [ -d /sys/module/ktrack ]; then
		rmmod ktrack
	fi
}

# unpriv_copy FILE: a path where an unprivileged user (nobody) can run FILE: FILE itself, or, when a
# directory above it is private (a work tree under /root or a mktemp -d), a copy in /tmp/ktrack-unpriv.
unpriv_copy() {
	local f=$1 d=/tmp/ktrack-unpriv
	if setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$f"; then
		echo "$f"
		return
	fi
	mkdir -p "$d"
	chmod 0755 "$d"
	install -m 0755 "$f" "$d/${f##*/}"
	echo "$d/${f##*/}"
}

# nsx NETNS CMD...: run CMD in NETNS.
nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# mkns NAME...: fresh namespaces with loopback up, whose interfaces send no router solicitations: a
# host sends them for ever (backing off from 4 s to an hour), each one a packet in the counters at a
# moment no test chose.
mkns() {
	local ns
	for ns in "$@"; do
		ip netns del "$ns" 2>/dev/null || true
		ip netns add "$ns"
		nsx "$ns" ip link set lo up
		nsx "$ns" sysctl -qw net.ipv6.conf.default.router_solicitations=0
	done
}

# pair SRVNS CLINS: veth between them; server 192.0.2.1 / 2001:db8::1, client .2 / ::2 (no DAD
# for those; no router solicitations, as in every mkns namespace).
pair() {
	local srv=$1 cli=$2
	mkns "$srv" "$cli"
	ip link add v-"$srv" netns "$srv" type veth peer name v-"$cli" netns "$cli"
	nsx "$srv" ip addr add "$SRV4/24" dev v-"$srv"
	nsx "$cli" ip addr add "$CLI4/24" dev v-"$cli"
	nsx "$srv" ip addr add "$SRV6/64" dev v-"$srv" nodad
	nsx "$cli" ip addr add "$CLI6/64" dev v-"$cli" nodad
	nsx "$srv" ip link set v-"$srv" up
	nsx "$cli" ip link set v-"$cli" up
}

cleanup_ns() {
	local ns
	for ns in $(ip netns list | awk '{print $1}'); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
}

# kstat_sum NAME: the column NAME of the /proc/net/stat/ktrack read on stdin, as lnstat takes it:
# the counters (hexadecimal, one row per CPU) summed, entries (the first column) as it is.
kstat_sum() {
	local rows hdr f i c=-1 s=0
	mapfile -t rows
	read -r -a hdr <<<"${rows[0]}"
	for i in "${!hdr[@]}"; do
		[ "${hdr[$i]}" = "$1" ] && c=$i
	done
	if [ "$c" -lt 0 ]; then
		echo "no column $1 in /proc/net/stat/ktrack" >&2
		return 2
	fi
	for i in "${rows[@]:1}"; do
		read -r -a f <<<"$i"
		if [ "$c" -eq 0 ]; then
			s=$((16#${f[0]}))
		else
			s=$((s + 16#${f[c]}))
		fi
	done
	echo "$s"
}

# kstat_live STATE NETNS: the live entries of NETNS in STATE (live_other, live_established, ...),
# from ktrackctl stats: /proc/net/stat/ktrack has the counters only.
kstat_live() {
	"$KTRACKCTL" -n "$2" stats | awk -v k="$1" '$1 == k { print $2; f = 1 } END { exit !f }'
}

# kstat NAME [NETNS]: a /proc/net/stat/ktrack column summed over CPUs.
kstat() {
	if [ -n "${2:-}" ]; then
		nsx "$2" cat /proc/net/stat/ktrack
	else
		cat /proc/net/stat/ktrack
	fi | kstat_sum "$1"
}

# wait_port NETNS PORT: until something listens on TCP PORT in NETNS (at most 10 s).
wait_port() {
	local i
	for i in $(seq 100); do
		nsx "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	echo "nothing listens on $2 in $1" >&2
	return 1
}

# no_splat: the kernel log since boot shows no BUG/WARNING/Oops/lockdep/KASAN report: the patterns
# of scripts/check-klog, which judges the whole log after the run. (Not a bare "lockdep": the debug
# kernel says "RCU lockdep checking is enabled" as it boots.)
no_splat() {
	local log rc=0
	log=$(mktemp)
	dmesg > "$log"
	"$TOP/scripts/check-klog" "$log" || rc=$?
	rm -f "$log"
	return "$rc"
}
