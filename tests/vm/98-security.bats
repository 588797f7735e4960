#!/usr/bin/env bats
# Security, beyond what 90-ctl covers over netlink (unprivileged verbs refused, namespaces
# isolated): the files under /proc and the sysctls for an unprivileged user, a user namespace's
# root confined to its own network namespace, and the keyed hash: flows aimed at one bucket under a
# guessed key (tests/tools/hashcollide, which computes the table's hash as src/table.c does) spread
# over the table under the module's random key, as /proc/net/ktrack_chains shows; and the
# memory a netns costs, which anyone may create: a small table whatever hashsize is (256 buckets
# until it grows), charged to the creator's memory cgroup, at most 16 KiB for an idle netns.

load ../lib/common
load ../lib/ctl
load ../lib/rel

setup() {
	# the keyed-hash test aims at the buckets of a table of 1024 that stays so (1000 flows)
	ktrack_load hashsize=16384 netns_hashsize=1024
	pair kt-srv kt-cli
	mkns kt-idle
}

teardown() {
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
	cleanup_ns
	ktrack_unload
	for p in /sys/fs/cgroup/kt-mem-*; do
		[ ! -d "$p" ] || rmdir "$p" 2>/dev/null || true
	done
}

# one_conn: a TCP connection kt-cli -> kt-srv:8080 held open (until teardown).
one_conn() {
	nsx kt-srv socat -u TCP-LISTEN:8080,reuseaddr OPEN:/dev/null &
	wait_port kt-srv 8080
	nsx kt-cli socat -u EXEC:"sleep 900" TCP:$SRV4:8080 &
	wait_count kt-srv 1
}

@test "an unprivileged user reads the counters, not the connections nor the chain shape" {
	one_conn
	run nsx kt-srv setpriv --reuid=65534 --regid=65534 --clear-groups cat /proc/net/ktrack
	[ "$status" -ne 0 ]
	[[ "$output" == *"Permission denied"* ]]
	run nsx kt-srv setpriv --reuid=65534 --regid=65534 --clear-groups cat /proc/net/ktrack_chains
	[ "$status" -ne 0 ]
	run nsx kt-srv setpriv --reuid=65534 --regid=65534 --clear-groups cat /proc/net/stat/ktrack
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "entries packets found new"* ]]
	# root in another netns sees that netns's table only
	n=$(nsx kt-srv cat /proc/net/ktrack | wc -l)
	[ "$n" -ge 1 ]
	[ "$n" -eq "$(kcn kt-srv count)" ]
	[ "$(nsx kt-idle cat /proc/net/ktrack | wc -l)" -eq 0 ]
	nsx kt-idle cat /proc/net/ktrack_chains | grep -q "entries 0 "
}

@test "an unprivileged user cannot change net.ktrack.*; nobody can write count or buckets" {
	for k in max_conns per_src_limit udp_timeout loose notrack; do
		v=$(sysns kt-srv "$k")
		run nsx kt-srv setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			--bounding-set=-all sh -c "echo 7 >/proc/sys/net/ktrack/$k"
		[ "$status" -ne 0 ]
		[[ "$output" == *"Permission denied"* ]]
		[ "$(sysns kt-srv "$k")" = "$v" ]
	done
	run nsx kt-srv sh -c "echo 5 >/proc/sys/net/ktrack/count"
	[ "$status" -ne 0 ]
	run nsx kt-srv sh -c "echo 5 >/proc/sys/net/ktrack/buckets"
	[ "$status" -ne 0 ]
	[ "$(sysns kt-srv buckets)" -eq 1024 ]
}

@test "a user namespace's root manages its own netns's table and cannot reach another's" {
	one_conn
	n=$(kcn kt-srv count)
	cfg=$(kcn kt-srv -o json config)
	# the user namespace's root is nobody outside it: a work tree under /root is out of its reach
	local KTRACKCTL=$KTRACKCTL
	KTRACKCTL=$(unpriv_copy "$KTRACKCTL")
	cat >"$REL_TMP/userns.sh" <<-EOF
	set -e
	ip link set lo up
	socat -u TCP-LISTEN:9000,reuseaddr OPEN:/dev/null &
	for i in \$(seq 50); do ss -Hltn 'sport = :9000' | grep -q . && break; sleep 0.1; done
	socat -u EXEC:"sleep 10" TCP:127.0.0.1:9000 &
	for i in \$(seq 50); do [ "\$($KTRACKCTL count)" -ge 1 ] && break; sleep 0.1; done
	echo "own \$($KTRACKCTL count)"
	echo "list \$($KTRACKCTL list proto tcp dport 9000 | wc -l)"
	$KTRACKCTL config udp_timeout=5
	echo "cfg \$(sysctl -n net.ktrack.udp_timeout)"
	if $KTRACKCTL config max_conns=50000000 2>/dev/null; then echo "max reached"; else echo "max refused"; fi
	if echo 50000000 2>/dev/null >/proc/sys/net/ktrack/max_conns; then echo "maxsys reached"; else echo "maxsys refused"; fi
	echo "maxval \$(cat /proc/sys/net/ktrack/max_conns)"
	echo "maxmode \$(stat -c %a /proc/sys/net/ktrack/max_conns)"
	echo "flushed \$($KTRACKCTL -o json flush | jq .deleted)"
	if $KTRACKCTL -n kt-srv count 2>/dev/null; then echo "other reached"; else echo "other refused"; fi
	if cat /run/netns/kt-srv >/dev/null 2>&1 && nsenter --net=/run/netns/kt-srv true 2>/dev/null; then
		echo "setns reached"
	else
		echo "setns refused"
	fi
	EOF
	setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn true ||
		skip "unprivileged user namespaces are disabled here"
	run setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn bash "$REL_TMP/userns.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"own 1"* ]]
	[[ "$output" == *"list 1"* ]]
	[[ "$output" == *"cfg 5"* ]]
	[[ "$output" == *"max refused"* ]]
	[[ "$output" == *"maxsys refused"* ]]
	[[ "$output" == *"maxmode 444"* ]]
	[[ "$output" != *"maxval 50000000"* ]]
	[[ "$output" == *"other refused"* ]]
	[[ "$output" == *"setns refused"* ]]
	# the host's netns saw none of it
	[ "$(kcn kt-srv count)" -eq "$n" ]
	[ "$(kcn kt-srv -o json config)" = "$cfg" ]
	[ "$(kcn kt-srv list proto tcp dport 9000 | wc -l)" -eq 0 ]
}

@test "the hash is keyed: 1000 flows aimed at one bucket under a guessed key spread under the real one" {
	run "$TOOLS/hashcollide" -T
	[ "$status" -eq 0 ]	# the tool computes the kernel's hsiphash (its own test vector)
	b=$(sysns kt-srv buckets)
	[ "$b" -eq 1024 ]
	bulk_setup
	kcn kt-srv config udp_timeout=3600
	# all of them hash to bucket 0 of 1024 under an all-zero key
	"$TOOLS/hashcollide" -b "$b" -n 1000 -s 198.18.0.1 -d $SRV4 -p 9999 >"$REL_TMP/collide"
	[ "$(wc -l <"$REL_TMP/collide")" -eq 1000 ]
	nsx kt-cli "$TOOLS/synflood" -i v-kt-cli -m "$(ifmac kt-srv v-kt-srv)" -d $SRV4 -p 9999 -u \
		-F "$REL_TMP/collide"
	wait_count kt-srv 1000 60
	read -r _ nb _ used _ entries _ longest < <(nsx kt-srv cat /proc/net/ktrack_chains)
	echo "# 1000 flows aimed at one bucket: $used of $nb buckets used, longest chain $longest" >&3
	[ "$nb" -eq 1024 ]
	[ "$entries" -eq 1000 ]
	# 1000 keys thrown at random into 1024 buckets: about 630 used, longest about 5; a chain of
	# 12 has odds below 1e-6
	[ "$used" -ge 500 ]
	[ "$longest" -le 12 ]
	kt_consistent kt-srv
}

@test "a netns other than the initial one starts with 256 buckets, whatever hashsize is" {
	ktrack_load hashsize=1048576
	[ "$(sysctl -n net.ktrack.buckets)" -eq 1048576 ]
	[ "$(sysns kt-srv buckets)" -eq 256 ]		# existed when ktrack loaded
	mkns kt-new
	[ "$(sysns kt-new buckets)" -eq 256 ]		# created since
	grep -q 'netns_hashsize:.*0: automatic' <(modinfo "$KO")	# and the parameter says so
}

# memcg_on: cgroup v2 mounted with the memory controller enabled for its children (the test runs
# in $(netns_charge ...), where a failed precondition would not stop it, so this comes first).
memcg_on() {
	mountpoint -q /sys/fs/cgroup || mount -t cgroup2 cgroup2 /sys/fs/cgroup
	if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
		echo "# this kernel has no memory cgroup controller (CONFIG_MEMCG)" >&3
		return 1
	fi
	grep -qw memory /sys/fs/cgroup/cgroup.subtree_control ||
		echo +memory >/sys/fs/cgroup/cgroup.subtree_control
}

# netns_charge NAME N: in a new memory cgroup kt-mem-NAME, one process (unprivileged, in a user
# namespace of its own, when the kernel allows it) creates N network namespaces, as a loop of
# `unshare -Urn` would, and keeps them; prints how much the group's kernel memory grew meanwhile
# (memory.stat "kernel", bytes: slab, percpu, vmalloc and pages charged with __GFP_ACCOUNT). The
# counters are read after a read of cpu.stat, which flushes the group's statistics (rstat), so the
# figure is exact when read, not some time later. One netns made first takes the one-time costs.
netns_charge() {
	local cg=/sys/fs/cgroup/kt-mem-$1 n=$2 user=()
	[ ! -d "$cg" ] || rmdir "$cg"
	mkdir "$cg"
	[ -f "$cg/memory.stat" ] || { echo "$cg has no memory.stat" >&2; return 1; }
	cat >"$REL_TMP/netns-charge.py" <<-'PY'
	import ctypes, os, sys
	cg, n, userns = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
	libc = ctypes.CDLL(None, use_errno=True)
	def unshare(flags):
	    if libc.unshare(flags) != 0:
	        raise OSError(ctypes.get_errno(), "unshare")
	def kernel():
	    with open(cg + "/cpu.stat") as f:
	        f.read()
	    with open(cg + "/memory.stat") as f:
	        for line in f:
	            k, v = line.split()
	            if k == "kernel":
	                return int(v)
	    raise SystemExit("memory.stat has no kernel line")
	if userns:
	    unshare(0x10000000)             # CLONE_NEWUSER
	fds = []
	def netns():
	    unshare(0x40000000)             # CLONE_NEWNET
	    fds.append(os.open("/proc/self/ns/net", os.O_RDONLY))
	netns()
	before = kernel()
	for i in range(n):
	    netns()
	print(kernel() - before)
	PY
	if setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn true 2>/dev/null; then
		user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	fi
	# shellcheck disable=SC2016
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$cg" "${user[@]}" \
		"$PY" "$REL_TMP/netns-charge.py" "$cg" "$n" "$(( ${#user[@]} > 0 ))"
}

@test "an idle netns costs at most 16 KiB, charged to the memory cgroup of its creator" {
	local n=100 without with least
	memcg_on
	ktrack_unload
	without=$(netns_charge base "$n")
	ktrack_load hashsize=1048576
	with=$(netns_charge kt "$n")
	# ktrack's allocations for a netns, at the least: the table's 256 buckets and the 256 source
	# buckets of each family, 8 bytes each (besides: lock stripes, per-CPU counters, sysctls)
	least=$(( (256 + 2 * 256) * 8 ))
	echo "# $n netns: kernel memory charged $((without / n)) bytes each without ktrack, $((with / n)) with; ktrack's buckets $least" >&3
	[ "$with" -ge $(( without + n * least )) ]
	# all of it (the debug kernel's KASAN, lockdep and slab debugging make every object larger)
	debug_kernel || [ "$with" -le $(( without + n * 16384 )) ]
}
