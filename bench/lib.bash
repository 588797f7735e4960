# shellcheck shell=bash
# bench/lib.bash: the benchmark's setup inside the VM (sourced by bench/run-vm): the gen -> server
# path, the tracking modes, memory snapshots, and the raw results file every scenario appends to.
#
# The server is the VM's initial network namespace (192.0.2.1 on v-srv), as on a real host: ktrack
# sizes only the initial namespace's table from hashsize (a child namespace gets 1/16 of it), and
# nf_conntrack's table is global anyway. It has a blackhole route for 198.18.0.0/15, so its RST to
# a SYN for a closed port fails at the route lookup, before any output hook: nothing is sent back
# in any mode and every SYN leaves an entry. The generator's namespace is `gen` (v-gen).

GEN=$TOP/build/bench/gen
GEN_MAC=02:00:00:00:00:01 SRV_MAC=02:00:00:00:00:02

# Every tracking mode the scenarios pick from.
#   none          nothing tracks
#   nf            nf_conntrack, bucket count as the kernel chose it (nf_conntrack_max raised)
#   nf_sized      nf_conntrack, buckets and nf_conntrack_max sized to the load
#   nf_connlimit  nf, plus iptables -m connlimit on every SYN (limit never reached)
#   ktrack        ktrack, max_conns and hashsize sized to the load
#   ktrack_auto   ktrack, max_conns sized to the load, hashsize left automatic (the table resizes)
#   ktrack_limit  ktrack with per_src_limit on (never reached)
#   nf_fw         nf, plus a stateful nft input policy on its state (ct state)
#   ktrack_fw     ktrack_limit, plus the same policy on ktrack's state (state_mark, meta mark)
#   ktrack_rescue ktrack with tw_rescue=1 (scenario g: a SYN the server's TIME_WAIT would refuse)
# shellcheck disable=SC2034  # used by run-vm
ALL_MODES="none nf nf_sized nf_connlimit ktrack ktrack_auto ktrack_limit nf_fw ktrack_fw ktrack_rescue"
HIGH_LIMIT=16777216	# a per-source limit no scenario reaches: its cost is measured, nothing dropped
SYN_TIMEOUT=7200	# half-open entries must outlive the longest fill

# rec FIELD...: one tab-separated line of the raw results.
rec() {
	local IFS=$'\t'
	echo "$*" >> "$RAW"
}

log() {
	echo "bench: $(date +%T) $*"
}

pow2() {
	local n=$1 p=1
	while [ "$p" -lt "$n" ]; do p=$((p * 2)); done
	echo "$p"
}

bench_setup() {
	sysctl -qw net.core.netdev_max_backlog=300000
	sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	modprobe nf_conntrack
	modprobe xt_conntrack
	modprobe xt_connlimit
	NF_DEFAULT_BUCKETS=$(sysctl -n net.netfilter.nf_conntrack_buckets)
	# shellcheck disable=SC2034  # used by run-vm
	NF_DEFAULT_MAX=$(sysctl -n net.netfilter.nf_conntrack_max)

	# scripts/vm-guest pins the netfilter static keys with an empty nft table in this namespace;
	# move the pin to a namespace of its own so no mode pays for its chains (the keys stay on,
	# so loading and unloading trackers still patches no code; see vm-guest).
	mkns pin
	nsx pin nft -f - <<-'NFT'
	table inet ktrack_vm_pin {
		chain pre { type filter hook prerouting priority 0; }
		chain in { type filter hook input priority 0; }
		chain out { type filter hook output priority 0; }
	}
	NFT
	nft delete table inet ktrack_vm_pin 2>/dev/null || true

	mkns gen
	ip link add v-srv address "$SRV_MAC" type veth peer name v-gen netns gen address "$GEN_MAC"
	sysctl -qw net.ipv6.conf.v-srv.disable_ipv6=1
	nsx gen sysctl -qw net.ipv6.conf.v-gen.disable_ipv6=1
	sysctl -qw net.ipv4.conf.v-srv.rp_filter=0
	ip addr add 192.0.2.1/24 dev v-srv
	ip link set v-srv up
	nsx gen ip link set v-gen up
	ip route add blackhole 198.18.0.0/15
	# warm up: qemu translates the stack's code paths on their first use, not in a timed batch
	"$GEN" -i v-gen -N gen -d "$SRV_MAC" -s "$GEN_MAC" -n 20000 -b 20000 -C 0 > /dev/null
}

# gen_run SCENARIO MODE KEY GEN-ARGS...: runs the generator, one raw line per batch:
# SCENARIO MODE KEY batch entries-after ns/packet lost.
gen_run() {
	local sc=$1 mode=$2 key=$3 k first n nspp lost
	shift 3
	while read -r _ k first n _ nspp lost; do
		rec "$sc" "$mode" "$key" "$k" $((first + n)) "$nspp" "$lost"
		[ "$lost" = 0 ] || log "$sc $mode $key batch $k: $lost packets never arrived"
	done < <("$GEN" -i v-gen -N gen -d "$SRV_MAC" -s "$GEN_MAC" "$@")
}

# fw_policy nf|ktrack: a server's stateful input policy on that tracker's state. Both trackers give
# the same verdicts on what the benchmark sends: its SYNs are NEW (accepted), the ACKs of (c), on
# flows never answered, INVALID (dropped before TCP sees them, in both modes alike). The cost is
# that of classifying and walking the rules; the rule counters are kept in $OUT/fw-rules.
fw_policy() {
	local er inv new
	if [ "$1" = nf ]; then
		er='ct state established,related' inv='ct state invalid' new='ct state new'
	else
		er='meta mark & 0x6000 != 0' inv='meta mark & 0xf000 == 0x8000'
		new='meta mark & 0xf000 == 0x1000'
	fi
	nft -f - <<-NFT
	table inet bench_fw {
		chain in {
			type filter hook input priority 0; policy accept;
			$er counter accept
			$inv counter drop
			tcp dport { 22, 80, 443 } $new counter accept
			meta l4proto tcp $new counter accept
			counter
		}
	}
	NFT
}

# mode_on MODE SIZE: start tracking for a table of SIZE connections.
mode_on() {
	local mode=$1 size=$2
	case $mode in
	none) ;;
	nf|nf_sized|nf_connlimit|nf_fw)
		local buckets=$NF_DEFAULT_BUCKETS
		[ "$mode" != nf_sized ] || buckets=$size
		sysctl -qw net.netfilter.nf_conntrack_buckets="$buckets"
		sysctl -qw net.netfilter.nf_conntrack_max=$((size + size / 10 + 1000))
		sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_syn_sent=$SYN_TIMEOUT
		# a rule that needs conntrack turns it on in this namespace and matches nothing
		iptables -A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT
		if [ "$mode" = nf_connlimit ]; then
			iptables -A INPUT -p tcp --syn -m connlimit --connlimit-above "$HIGH_LIMIT" \
				--connlimit-mask 32 -j DROP
		fi
		[ "$mode" != nf_fw ] || fw_policy nf
		;;
	ktrack|ktrack_auto|ktrack_limit|ktrack_fw|ktrack_rescue)
		local args=(max_conns=$((size + size / 10 + 1000)) tcp_timeout_syn_sent="$SYN_TIMEOUT")
		[ "$mode" = ktrack_auto ] || args+=("hashsize=$(pow2 "$size")")
		case $mode in
		ktrack_limit|ktrack_fw) args+=("per_src_limit=$HIGH_LIMIT") ;;
		ktrack_rescue) args+=("tw_rescue=1") ;;
		esac
		[ "$mode" != ktrack_fw ] || args+=("state_mark=0xf000")
		insmod "$KO" "${args[@]}"
		[ "$mode" != ktrack_fw ] || fw_policy ktrack
		;;
	*) echo "bench: unknown mode $mode" >&2; return 1 ;;
	esac
}

# mode_off: back to no tracking and an empty table.
mode_off() {
	iptables -F INPUT
	# the policy's rule counters, kept: what each tracker's state made of the same packets
	nft list table inet bench_fw >> "$OUT/fw-rules" 2>/dev/null || true
	nft delete table inet bench_fw 2>/dev/null || true
	if [ "$(sysctl -n net.netfilter.nf_conntrack_count)" != 0 ]; then
		conntrack -F >/dev/null 2>&1 || true
		local _
		for _ in $(seq 600); do
			[ "$(sysctl -n net.netfilter.nf_conntrack_count)" = 0 ] && break
			sleep 0.2
		done
	fi
	sysctl -qw net.netfilter.nf_conntrack_buckets="$NF_DEFAULT_BUCKETS"
	[ ! -d /sys/module/ktrack ] || rmmod ktrack
	sync
	sleep 1
}

# entries MODE: connections the mode's table holds now.
entries() {
	case $1 in
	nf*) sysctl -n net.netfilter.nf_conntrack_count ;;
	ktrack*) sysctl -n net.ktrack.count ;;
	*) echo 0 ;;
	esac
}

# memsnap FILE: /proc/meminfo and /proc/slabinfo now.
memsnap() {
	{ cat /proc/meminfo; echo ---; cat /proc/slabinfo; } > "$1"
}

mem_available_mib() {
	awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo
}
