#!/usr/bin/env bats
# The table sizes itself (src/resize.c): a netns starts at 256 buckets and the table grows with
# its load while traffic flows and dumps run (every flow tracked, a connection that keeps talking,
# dumps that list every entry once); a minute after the load is gone it halves back to its floor,
# not before; max_conns bounds it (lowered, it shrinks at once; raised, it grows again), and
# netns_hashsize, when given, is its initial size and its floor. The per-source counts resize by
# the same rules (each family's buckets from 256, grown with the sources while dumps of them run,
# shrunk a minute after they are gone). Flows come from tests/tools/ktrack-flowgen (UDP flows
# written as frames onto the veth).

load ../lib/common
load ../lib/ctl
load ../lib/rel

setup_file() {
	make -s -C "$TOP/tests/tools" >/dev/null
}

setup() {
	pair kt-srv kt-cli
	bulk_setup
	DMAC=$(ifmac kt-srv v-kt-srv)
}

teardown() {
	[ -z "${GEN_PID:-}" ] || kill "$GEN_PID" 2>/dev/null || true
	touch "$REL_TMP/stop.1"
	cleanup_ns
	ktrack_unload
}

# buckets: kt-srv's net.ktrack.buckets.
buckets() {
	sysns kt-srv buckets
}

# wait_buckets N SECONDS: until kt-srv's table has N buckets, for SECONDS at the most by the clock
# (not a count of tries: each read starts programs, slow under TCG).
wait_buckets() {
	local end=$((EPOCHSECONDS + $2))
	until [ "$(buckets)" -eq "$1" ]; do
		if [ "$EPOCHSECONDS" -ge "$end" ]; then
			echo "kt-srv has $(buckets) buckets, not $1, after $2 s" >&2
			return 1
		fi
		sleep 0.5
	done
}

# src_chains: kt-srv's IPv4 sources, from /proc/net/ktrack_chains: "buckets used entries longest".
src_chains() {
	nsx kt-srv awk '$1 == "sources" && $2 == "ipv4" { print $4, $6, $8, $10 }' \
		/proc/net/ktrack_chains
}

# src_buckets: the buckets of kt-srv's IPv4 sources.
src_buckets() {
	local b _
	read -r b _ < <(src_chains)
	echo "$b"
}

@test "from 256 buckets the table grows with its load while dumps run and a connection keeps talking" {
	local n=1000000 before lines dumps=0 b c
	! debug_kernel || n=100000	# as 93-ctl-scale: 10^6 takes too long there
	ktrack_load
	[ "$(buckets)" -eq 256 ]
	[ "$(sysctl -n net.ktrack.buckets)" -eq 256 ]
	kcn kt-srv config udp_timeout=3600
	[ "$(sysns kt-srv max_conns)" -ge $((n + 1)) ] || kcn kt-srv config max_conns=$((n + 1))
	echo_server kt-srv
	echo_loop kt-cli 1 1000000
	poll 30 prints 1 kcn kt-srv count
	flows 198.18.0.1 16 "$n" >"$REL_TMP/sent" &
	GEN_PID=$!
	# dumps meanwhile: each one whole, no tuple twice, none of the entries it started with missed
	# (no entry is deleted here, so those are at least as many as the count before it)
	while kill -0 "$GEN_PID" 2>/dev/null; do
		before=$(kcn kt-srv count)
		kcn kt-srv list >"$REL_TMP/dump.txt"
		lines=$(wc -l <"$REL_TMP/dump.txt")
		[ "$lines" -ge "$before" ]
		[ -z "$(awk '{print $3, $5}' "$REL_TMP/dump.txt" | sort | uniq -d | head -n 1)" ]
		dumps=$((dumps + 1))
	done
	wait "$GEN_PID"
	GEN_PID=
	[ "$(cat "$REL_TMP/sent")" -eq "$n" ]
	wait_count kt-srv $((n + 1)) 600
	b=$(buckets)
	c=$(kcn kt-srv count)
	echo "# $n flows: 256 -> $b buckets in $(kstat resize_grow kt-srv) resizes, $dumps dumps meanwhile" >&3
	# 2 entries a bucket at the most, and no more buckets than entries
	[ $((2 * b)) -ge "$c" ]
	[ "$b" -lt "$c" ]
	[ "$(kstat resize_grow kt-srv)" -ge 1 ]
	[ "$(kstat resize_fail kt-srv)" -eq 0 ]
	[ "$(kstat drop_table kt-srv)" -eq 0 ]
	[ "$(kstat drop_nomem kt-srv)" -eq 0 ]
	# the connection talked all along, and every flow is listed once
	touch "$REL_TMP/stop.1"
	echo_ok 1
	[ "$(kcn kt-srv list src 198.18.0.0/16 proto udp | wc -l)" -eq "$n" ]
	[ "$(sysctl -n net.ktrack.buckets)" -eq 256 ]	# the initial netns had nothing to track
	kt_consistent kt-srv
	no_splat
}

@test "a minute after a flush the buckets halve back to the floor in one resize, not before" {
	local b s0 t0 took
	ktrack_load
	kcn kt-srv config udp_timeout=3600
	[ "$(flows 198.18.0.1 4 20000)" -eq 20000 ]
	wait_count kt-srv 20000 120
	b=$(buckets)
	[ "$b" -ge 10000 ]
	s0=$(kstat resize_shrink kt-srv)
	kcn kt-srv flush
	t0=$EPOCHSECONDS
	wait_buckets 256 300
	took=$((EPOCHSECONDS - t0))
	echo "# $b -> 256 buckets $took s after the flush" >&3
	# under 1 entry for 8 buckets for 60 s first
	[ "$took" -ge 55 ]
	[ "$(kstat resize_shrink kt-srv)" -eq $((s0 + 1)) ]
	[ "$(kstat resize_fail kt-srv)" -eq 0 ]
	# and it grows again
	[ "$(flows 198.18.1.1 4 2000 2000)" -eq 2000 ]
	wait_count kt-srv 2000 60
	wait_buckets 1024 60
	no_splat
}

@test "max_conns bounds the buckets; netns_hashsize is the initial size and the floor" {
	local s0
	ktrack_load netns_hashsize=1000
	[ "$(buckets)" -eq 1024 ]	# rounded up to a power of two
	[ "$(sysctl -n net.ktrack.buckets)" -eq 256 ]	# the initial netns: automatic
	kcn kt-srv config udp_timeout=3600
	[ "$(flows 198.18.0.1 4 10000)" -eq 10000 ]
	wait_count kt-srv 10000 120
	wait_buckets 8192 60	# 10000 entries: 2 a bucket at 8192 (the first size above 5000)
	s0=$(kstat resize_shrink kt-srv)
	# 2 a bucket at max_conns=4000: 2048, at once (no minute's wait), the entries all kept
	kcn kt-srv config max_conns=4000
	wait_buckets 2048 60
	[ "$(kstat resize_shrink kt-srv)" -eq $((s0 + 1)) ]
	[ "$(kcn kt-srv count)" -eq 10000 ]
	# max_conns=100 would need 64: the floor is netns_hashsize
	kcn kt-srv config max_conns=100
	wait_buckets 1024 60
	[ "$(kstat resize_shrink kt-srv)" -eq $((s0 + 2)) ]
	[ "$(kcn kt-srv list src 198.18.0.0/16 | wc -l)" -eq 10000 ]
	# raised again, the table grows to its load
	kcn kt-srv config max_conns=100000
	wait_buckets 8192 60
	kt_consistent kt-srv
	no_splat
}

@test "the sources' buckets grow with their sources while dumps of them run, and shrink a minute after" {
	local n=100000 b used e longest before lines dumps=0 t0 took
	! debug_kernel || n=20000
	ktrack_load
	read -r b used e longest < <(src_chains)
	[ "$b" -eq 256 ]
	[ "$e" -eq 0 ]
	[ "$(nsx kt-srv awk '$2 == "ipv6" { print $4 }' /proc/net/ktrack_chains)" -eq 256 ]
	kcn kt-srv config udp_timeout=3600
	[ "$(sysns kt-srv max_conns)" -ge "$n" ] || kcn kt-srv config max_conns=$((n + 1))
	# one flow from each of n sources
	flows 198.18.0.1 "$n" "$n" >"$REL_TMP/sent" &
	GEN_PID=$!
	# dumps of the sources meanwhile: no source twice, none of those counted before it missed
	while kill -0 "$GEN_PID" 2>/dev/null; do
		before=$(kcn kt-srv stats | awk '$1 == "sources" { print $2 }')
		kcn kt-srv sources >"$REL_TMP/sources.txt"
		lines=$(wc -l <"$REL_TMP/sources.txt")
		[ "$lines" -ge "$before" ]
		[ -z "$(awk '{print $1}' "$REL_TMP/sources.txt" | sort | uniq -d | head -n 1)" ]
		dumps=$((dumps + 1))
	done
	wait "$GEN_PID"
	GEN_PID=
	[ "$(cat "$REL_TMP/sent")" -eq "$n" ]
	wait_count kt-srv "$n" 600
	read -r b used e longest < <(src_chains)
	echo "# $n sources: 256 -> $b buckets, $used used, longest chain $longest; $dumps dumps meanwhile" >&3
	[ "$e" -eq "$n" ]
	# 2 sources a bucket at the most, and no more buckets than sources
	[ $((2 * b)) -ge "$e" ]
	[ "$b" -lt "$e" ]
	[ "$(kstat resize_fail kt-srv)" -eq 0 ]
	[ "$(kstat drop_nomem kt-srv)" -eq 0 ]
	[ "$(kcn kt-srv sources | wc -l)" -eq "$n" ]
	# gone: a minute later, the floor
	kcn kt-srv flush
	t0=$EPOCHSECONDS
	until [ "$(src_buckets)" -eq 256 ]; do
		[ $((EPOCHSECONDS - t0)) -lt 300 ] || { echo "sources: $(src_chains) after 300 s" >&2; return 1; }
		sleep 0.5
	done
	took=$((EPOCHSECONDS - t0))
	echo "# $b -> 256 source buckets $took s after the flush" >&3
	[ "$took" -ge 55 ]
	kt_consistent kt-srv
	no_splat
}
