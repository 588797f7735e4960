# shellcheck shell=bash
# tests/lib/rel.bash: helpers for the reliability suites (92-96): the table's consistency, slab
# objects of ktrack's caches, the C generators of tests/tools. Load after common.bash.

TOOLS=$TOP/tests/tools
REL_TMP=${REL_TMP:-/tmp/ktrack-rel}
mkdir -p "$REL_TMP"

# kt_consistent NETNS: net.ktrack.count, the lines of /proc/net/ktrack, ktrackctl count and the sum
# of the live_* values of ktrackctl stats all agree, and no live_* sum is negative. The four are
# read one after another, so an entry that expires in between (a suite's leftovers) is not a
# disagreement: they are read again until they agree, for up to 10 s.
kt_consistent() {
	local ns=$1 c p k live end=$((EPOCHSECONDS + 10))
	while :; do
		c=$(nsx "$ns" sysctl -n net.ktrack.count)
		p=$(nsx "$ns" cat /proc/net/ktrack | wc -l)
		k=$("$KTRACKCTL" -n "$ns" count)
		live=$("$KTRACKCTL" -n "$ns" stats | awk '
			$1 ~ /^live_/ { if ($2 < 0) { print "negative " $1; exit } t += $2 }
			END { print t + 0 }')
		if [ "$c" = "$p" ] && [ "$c" = "$k" ] && [ "$c" = "$live" ]; then
			return 0
		fi
		[ "$EPOCHSECONDS" -le "$end" ] || break
		sleep 0.2
	done
	echo "$ns: count $c, /proc/net/ktrack $p lines, ktrackctl count $k, live_* sum $live" >&2
	return 1
}

# slab_objs CACHE: objects in use in a slab cache (needs slab_nomerge, see scripts/vm, so that
# ktrack_conn4/6 are caches of their own; -1 when the cache is not there).
slab_objs() {
	local f=/sys/kernel/slab/$1/objects
	if [ -r "$f" ]; then
		read -r n _ <"$f"
		echo "$n"
	else
		echo -1
	fi
}

# slab_merged CACHE: the cache shares its slabs with others (its objects count means nothing).
slab_merged() {
	[ -L "/sys/kernel/slab/$1" ]
}

# ktrack_objs: objects both entry caches hold. SLUB's "objects" counts every object of the slab
# each CPU allocates from and of the partial slabs each CPU keeps (on 6.1, slabs for about 120
# objects at half use: 4 slabs of 73 IPv4 entries, 5 of 51 IPv6 ones) as in use: this is the
# memory held, free objects cached per CPU included.
ktrack_objs() {
	echo $(($(slab_objs ktrack_conn4) + $(slab_objs ktrack_conn6)))
}

# ktrack_live_objs: entries allocated and not yet freed, exactly: both caches are shrunk first
# (their per-CPU slabs go back to the node lists, where free objects are not counted).
ktrack_live_objs() {
	local c
	for c in ktrack_conn4 ktrack_conn6; do
		[ -w "/sys/kernel/slab/$c/shrink" ] && echo 1 >"/sys/kernel/slab/$c/shrink"
	done
	ktrack_objs
}

# wait_objs_le N [SECONDS]: until ktrack_live_objs is at most N (entries are freed after an RCU
# grace period, a netns's table when its cleanup work has run).
wait_objs_le() {
	local i o
	for i in $(seq $((${2:-20} * 5))); do
		o=$(ktrack_live_objs)
		[ "$o" -le "$1" ] && return 0
		sleep 0.2
	done
	echo "ktrack_conn4+6 entries allocated: $o, expected at most $1" >&2
	return 1
}

# sysns NETNS NAME: sysctl net.ktrack.NAME in NETNS.
sysns() {
	nsx "$1" sysctl -n "net.ktrack.$2"
}

# kmemleak_check: when kmemleak is there (debug kernel), scan and fail on any report that names
# ktrack; prints what it found.
kmemleak_check() {
	local f=/sys/kernel/debug/kmemleak
	[ -w "$f" ] || return 0
	echo scan >"$f"
	sleep 1
	echo scan >"$f"
	if grep -q ktrack "$f"; then
		grep -B2 -A20 ktrack "$f" | head -n 60 >&2
		return 1
	fi
}

# echo_server NETNS: an echo server on TCP 8080 (socat, one cat per connection).
echo_server() {
	nsx "$1" socat TCP-LISTEN:8080,reuseaddr,fork,backlog=128 EXEC:cat &
	wait_port "$1" 8080
}

# echo_loop NETNS ID ROUNDS: in the background, one TCP connection to $SRV4:8080 doing ROUNDS
# round trips 0.2 s apart (each must come back within 30 s), or fewer when $REL_TMP/stop.ID
# appears; then it closes. Leaves "ok N" or "fail N" in $REL_TMP/echo.ID.
echo_loop() {
	rm -f "$REL_TMP/echo.$2" "$REL_TMP/stop.$2"
	nsx "$1" bash -c '
		id=$1 rounds=$2 tmp=$3 srv=$4
		[ -p "$tmp/sleep.$id" ] || mkfifo "$tmp/sleep.$id"
		exec 4<>"$tmp/sleep.$id"
		exec 3<>"/dev/tcp/$srv/8080" || { echo "fail 0" >"$tmp/echo.$id"; exit 1; }
		n=0
		while [ "$n" -lt "$rounds" ] && [ ! -e "$tmp/stop.$id" ]; do
			echo "ping $id $n" >&3
			if ! read -r -t 30 l <&3 || [ "$l" != "ping $id $n" ]; then
				echo "fail $n" >"$tmp/echo.$id"
				exit 1
			fi
			n=$((n + 1))
			read -r -t 0.2 -u 4 _
		done
		exec 3>&-
		echo "ok $n" >"$tmp/echo.$id"' _ "$2" "$3" "$REL_TMP" "$SRV4" &
}

# echo_wait ID [SECONDS]: until echo loop ID has finished; its result line in $ECHO.
echo_wait() {
	local i
	for i in $(seq $((${2:-120} * 10))); do
		if [ -s "$REL_TMP/echo.$1" ]; then
			ECHO=$(cat "$REL_TMP/echo.$1")
			return 0
		fi
		sleep 0.1
	done
	ECHO="timeout"
	return 1
}

# echo_ok ID...: each loop finished, every round answered.
echo_ok() {
	local id
	for id in "$@"; do
		echo_wait "$id" || { echo "echo loop $id did not finish" >&2; return 1; }
		[[ "$ECHO" == ok* ]] || { echo "echo loop $id: $ECHO" >&2; return 1; }
	done
}

# flood OUT NETNS CPU ARGS...: tests/tools/synflood ARGS in NETNS, in the background, pinned to
# CPU ("-": not pinned); its PID in $FLOOD_PID, its output in OUT. The background subshell execs
# (ip netns exec and taskset exec in turn), so $FLOOD_PID is synflood itself: `kill` stops it and
# it writes its "sent N packets" line. (Without the exec, kill ended only the subshell and the
# flood ran on, unseen, into the next test.)
flood() {
	local out=$1 ns=$2 cpu=$3 pin=()
	shift 3
	[ "$cpu" = - ] || pin=(taskset -c "$cpu")
	(exec ip netns exec "$ns" "${pin[@]}" "$TOOLS/synflood" "$@" >"$out" 2>&1) &
	FLOOD_PID=$!
}
