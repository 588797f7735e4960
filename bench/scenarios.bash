# shellcheck shell=bash
# bench/scenarios.bash: the packet scenarios of the benchmark (sourced by bench/run-vm):
#   a  fill 0 -> FLOWS in BATCH batches, per-packet cost per batch     (scenario_fill)
#   c  ACKs on the flows of that full table (lookup hits)              (scenario_fill)
#   e  memory per connection of that full table                        (scenario_fill)
#   b  BIG flows, as far as each mode can hold them                    (scenario_big)
#   d  per-source limit cost with 1, 1k and 100k sources               (scenario_sources)
#   h  two senders on two CPUs against one                             (scenario_cpus)
#   f  expiry lateness at each of EXP_SIZES entries                    (scenario_expiry)
# Raw lines: see gen_run (lib.bash) and the rec calls here; bench/report reads them.

# rotate N WORD...: the words rotated left by N, so each repetition starts with another mode.
rotate() {
	local n=$1
	shift
	local -a w=("$@")
	local i
	for ((i = 0; i < ${#w[@]}; i++)); do
		echo "${w[(i + n) % ${#w[@]}]}"
	done
}

since() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'
}

# mem_record MODE: what the full table holds, for scenario e (snapshots taken around the fill).
mem_record() {
	local mode=$1
	rec e "$mode" entries "$(entries "$mode")"
	# SLUB merges caches of one size: record which names share a cache, so the report can say
	# that, e.g., the cache that grew is ktrack_conn4 under another name
	find /sys/kernel/slab -maxdepth 1 -type l -printf '%f %l\n' > "$OUT/slab-links-$mode"
	case $mode in
	nf*)
		rec e "$mode" buckets "$(sysctl -n net.netfilter.nf_conntrack_buckets)"
		;;
	ktrack*)
		rec e "$mode" buckets "$(sysctl -n net.ktrack.buckets)"
		"$KTRACKCTL" stats > "$OUT/ktrackctl-stats-$mode" 2>&1 || true
		dmesg | grep -o 'ktrack: loaded.*' | tail -n 1 > "$OUT/ktrack-loaded-$mode" || true
		;;
	esac
}

scenario_fill() {
	local rep mode t0
	for rep in $(seq "$REPEATS"); do
		# shellcheck disable=SC2086
		for mode in $(rotate $((rep - 1)) $MODES); do
			log "a/c/e: repetition $rep of $REPEATS, $mode"
			[ "$rep" != 1 ] || memsnap "$OUT/mem-$mode-before"
			mode_on "$mode" "$FLOWS"
			t0=$EPOCHREALTIME
			gen_run a "$mode" "$rep" -n "$FLOWS" -S "$SOURCES" -b "$BATCH" -C 0
			rec a_fill_s "$mode" "$rep" "$(since "$t0")"
			rec a_entries "$mode" "$rep" "$(entries "$mode")"
			if [ "$rep" = 1 ]; then
				memsnap "$OUT/mem-$mode-after"
				mem_record "$mode"
			fi
			if has c; then
				gen_run c "$mode" "$rep" -a -n "$ACKS" -S "$SOURCES" -b "$BATCH" -C 0
			fi
			mode_off
		done
	done
}

# b: BIG flows in chunks of 10 batches, stopping a mode when memory runs short.
scenario_big() {
	local mode first chunk=$((BATCH * 10)) avail
	for mode in ${KTRACK_BENCH_BIG_MODES:-none nf_sized ktrack}; do
		log "b: $BIG flows, $mode"
		mode_on "$mode" "$BIG"
		first=0
		while [ "$first" -lt "$BIG" ]; do
			avail=$(mem_available_mib)
			if [ "$avail" -lt 600 ]; then
				rec b_stop "$mode" "$first" "MemAvailable ${avail} MiB"
				log "b: $mode stopped at $first flows: MemAvailable $avail MiB"
				break
			fi
			[ $((BIG - first)) -ge "$chunk" ] || chunk=$((BIG - first))
			gen_run b "$mode" 0 -f "$first" -n "$chunk" -S "$SOURCES" -b "$BATCH" -C 0
			first=$((first + chunk))
		done
		rec b_entries "$mode" 0 "$(entries "$mode")"
		rec b_mem "$mode" 0 "$(mem_available_mib)"
		mode_off
	done
}

# d: the per-source check against 1, 1k and 100k sources, DFLOWS flows each time.
scenario_sources() {
	local s mode
	for s in ${KTRACK_BENCH_D_SOURCES:-1 1000 100000}; do
		for mode in ${KTRACK_BENCH_D_MODES:-none nf nf_connlimit ktrack ktrack_limit}; do
			log "d: $s sources, $mode"
			mode_on "$mode" "$DFLOWS"
			gen_run d "$mode" "$s" -n "$DFLOWS" -S "$s" -b "$BATCH" -C 0
			mode_off
		done
	done
}

# h: HFLOWS flows from one sender on CPU 0, then from two on CPUs 0 and 1.
scenario_cpus() {
	local mode t
	for mode in ${KTRACK_BENCH_H_MODES:-$MODES}; do
		for t in 1 2; do
			log "h: $mode, $t sender(s)"
			mode_on "$mode" "$HFLOWS"
			gen_run h "$mode" "$t" -n "$HFLOWS" -S "$SOURCES" -b "$BATCH" -T "$t" -C 0,1
			mode_off
		done
	done
}

# expiry_wait MODE: seconds until the table is empty (polled every 50 ms, at most 180 s), the
# seconds until it first shrank ("-" if never), and the entries left.
expiry_wait() {
	local f
	case $1 in
	nf*) f=/proc/sys/net/netfilter/nf_conntrack_count ;;
	*) f=/proc/sys/net/ktrack/count ;;
	esac
	local t0=${EPOCHREALTIME/./} now first=- n prev
	read -r prev < "$f"
	while :; do
		read -r n < "$f"
		now=${EPOCHREALTIME/./}
		if [ "$first" = - ] && [ "$n" -lt "$prev" ]; then
			first=$(((now - t0) / 1000))
		fi
		[ "$n" -gt 0 ] || break
		if [ $((now - t0)) -ge 180000000 ]; then
			echo "- $first $n"
			return
		fi
		sleep 0.05
	done
	echo "$(((now - t0) / 1000)) $first 0"
}

# f: SIZE entries with a short SYN_SENT timeout; how long after the last one's deadline the table
# is empty. The timeout is set to outlast the fill (1.3 times the fill time of scenario a, + 10 s).
scenario_expiry() {
	local size mode timeout t0 tfill left res first n
	for size in $EXP_SIZES; do
		for mode in ${KTRACK_BENCH_F_MODES:-nf_sized ktrack}; do
			timeout=$(awk -v s="$size" -v f="$FLOWS" -v raw="$RAW" -v m="$mode" '
				$1 == "a_fill_s" { if ($2 == m) t = $4; if ($4 > any) any = $4 }
				END { if (!t) t = any; x = t * s / f * 1.3 + 10; printf "%d", x + 0.5 }' "$RAW")
			log "f: $size entries, $mode, timeout $timeout s"
			mode_on "$mode" "$size"
			case $mode in
			nf*) sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_syn_sent="$timeout" ;;
			*) sysctl -qw net.ktrack.tcp_timeout_syn_sent="$timeout" ;;
			esac
			t0=$EPOCHREALTIME
			gen_run f_batch "$mode" "$size" -n "$size" -S "$SOURCES" -b "$BATCH" -C 0
			tfill=$(since "$t0")
			rec f_fill "$mode" "$size" "$tfill" "$(entries "$mode")" "$timeout"
			# the last entry was created at tfill; it is due at timeout
			sleep "$(awk -v a="$timeout" -v b="$tfill" 'BEGIN { x = a - b - 2; print (x > 0 ? x : 0) }')"
			left=$(since "$t0")
			read -r res first n <<< "$(expiry_wait "$mode")"
			# lateness: (time the table was empty) - (the last deadline: tfill + timeout); and when
			# it first shrank, since t0 (the report puts it against the first deadline)
			rec f "$mode" "$size" "$(awk -v l="$left" -v r="$res" -v a="$timeout" -v b="$tfill" '
				BEGIN { if (r == "-") print "-"; else printf "%.2f", l + r / 1000 - (a + b) }')" \
				"$n" "$timeout" "$tfill" "$(awk -v l="$left" -v r="$first" '
				BEGIN { if (r == "-") print "-"; else printf "%.2f", l + r / 1000 }')"
			mode_off
		done
	done
}
