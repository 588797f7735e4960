# shellcheck shell=bash
# bench/scenarios.bash: the packet scenarios of the benchmark (sourced by bench/run-vm):
#   a  fill 0 -> FLOWS in BATCH batches, per-packet cost per batch     (scenario_fill)
#   c  ACKs on the flows of that full table (lookup hits)              (scenario_fill)
#   e  memory per connection of that full table                        (scenario_fill)
#   b  BIG flows, as far as each mode can hold them                    (scenario_big)
#   d  per-source limit cost with 1, 1k and 100k sources               (scenario_sources)
#   h  two senders on two CPUs against one                             (scenario_cpus)
#   f  expiry lateness at each of EXP_SIZES entries                    (scenario_expiry)
#   p  where a fill's time goes: perf record by symbol                 (scenario_profile)
# Raw lines: see gen_run (lib.bash) and the rec calls here; bench/report reads them.

# skipped SCENARIO [MODE]: a run cut short on purpose from the host, which can create
# $OUT/skip-SCENARIO or $OUT/skip-SCENARIO-MODE (OUT is in the shared work tree) while the VM runs.
skipped() {
	if [ -e "$OUT/skip-$1" ] || { [ -n "${2:-}" ] && [ -e "$OUT/skip-$1-$2" ]; }; then
		log "$1 ${2:-}: skipped (asked from the host)"
		rec skipped "$1" "${2:--}"
		return 0
	fi
	return 1
}

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
		# the sources' buckets of each family: "sources ipv4 buckets B used U entries E ..."
		awk -v m="$mode" '$1 == "sources" { printf "e\t%s\tsrc_buckets_%s\t%s\n", m, $2, $4 }' \
			/proc/net/ktrack_chains >> "$RAW"
		local c
		for c in resize_grow resize_shrink resize_fail; do
			rec e "$mode" "$c" "$(kstat "$c")"
		done
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
	for mode in ${KTRACK_BENCH_BIG_MODES:-none nf_sized ktrack ktrack_auto}; do
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
			skipped d "$mode" && continue
			skipped d "$s" && continue
			log "d: $s sources, $mode"
			mode_on "$mode" "$DFLOWS"
			gen_run d "$mode" "$s" -n "$DFLOWS" -S "$s" -b "$BATCH" -C 0
			mode_off
		done
	done
}

# h: HFLOWS flows from one sender on CPU 0, then from two on CPUs 0 and 1; in two rounds of half
# the flows, the modes one after another within a round, so that every mode meets the host's
# changing load more than once.
scenario_cpus() {
	local round mode t
	for round in 1 2; do
		for t in 1 2; do
			# shellcheck disable=SC2086
			for mode in $(rotate $((round - 1)) ${KTRACK_BENCH_H_MODES:-$MODES}); do
				skipped h "$mode" && continue
				log "h: round $round, $mode, $t sender(s)"
				mode_on "$mode" "$HFLOWS"
				gen_run h "$mode" "$t" -n $((HFLOWS / 2)) -S "$SOURCES" -b "$BATCH" -T "$t" -C 0,1
				mode_off
			done
		done
	done
}

# expiry_watch MODE T0 END: polls the table's count from now until it is empty or the clock passes
# END (T0 and END: microseconds, as ${EPOCHREALTIME/./}), every 50 ms and without starting a
# process (forks are slow in the VM). Prints the count at the first poll, when it first shrank
# and when it was empty, in ms since T0 ("-": not seen), and the count at the end.
expiry_watch() {
	local f t0=$2 end=$3 now first=- empty=- n prev start pause fifo=/tmp/bench-pause
	case $1 in
	nf*) f=/proc/sys/net/netfilter/nf_conntrack_count ;;
	*) f=/proc/sys/net/ktrack/count ;;
	esac
	rm -f "$fifo"
	mkfifo "$fifo"
	exec {pause}<> "$fifo"
	read -r start < "$f"
	prev=$start
	while :; do
		read -r n < "$f"
		now=${EPOCHREALTIME/./}
		if [ "$first" = - ] && [ "$n" -lt "$prev" ]; then
			first=$(((now - t0) / 1000))
		fi
		prev=$n
		if [ "$n" -eq 0 ]; then
			empty=$(((now - t0) / 1000))
			break
		fi
		[ "$now" -lt "$end" ] || break
		read -r -t 0.05 -u "$pause" _ || true
	done
	exec {pause}<&-
	rm -f "$fifo"
	echo "$start $first $empty $n"
}

# p: a fill of FLOWS new flows (as a's) under `perf record -a` (cpu-clock: TCG has no PMU), for
# none and ktrack_limit; the report by symbol, and by shared object, in $OUT/perf-MODE.txt, and
# the 30 hottest symbols as raw lines. perf runs in the VM on the guest's own kernel symbols
# (/proc/kallsyms, ktrack's included).
scenario_profile() {
	local mode pid
	command -v perf >/dev/null || { log "p: no perf in the VM: skipped"; rec skipped p -; return 0; }
	for mode in ${KTRACK_BENCH_P_MODES:-none ktrack_limit}; do
		skipped p "$mode" && continue
		log "p: perf record during a fill of $FLOWS, $mode"
		mode_on "$mode" "$FLOWS"
		perf record -q -a -e cpu-clock -F 499 -o "$OUT/perf-$mode.data" 2>"$OUT/perf-$mode.log" &
		pid=$!
		gen_run p "$mode" 0 -n "$FLOWS" -S "$SOURCES" -b "$BATCH" -C 0
		kill -INT "$pid"
		wait "$pid" || true
		{
			echo "# perf report --sort sym, $mode, fill of $FLOWS"
			perf report -i "$OUT/perf-$mode.data" --stdio --no-children --sort sym 2>/dev/null
			echo "# perf report --sort dso"
			perf report -i "$OUT/perf-$mode.data" --stdio --no-children --sort dso 2>/dev/null
		} > "$OUT/perf-$mode.txt"
		rm -f "$OUT/perf-$mode.data"
		awk -v m="$mode" '/^# perf report --sort dso/ { exit }
			$1 ~ /%$/ && n < 30 { pct = $1; sub(/%/, "", pct); $1 = ""; $2 = ""
				sub(/^ +/, ""); printf "p_sym\t%s\t%s\t%s\n", m, pct, $0; n++ }' \
			"$OUT/perf-$mode.txt" >> "$RAW"
		mode_off
	done
}

# f: SIZE entries with a short SYN_SENT timeout; how long after its deadline the first entry and
# the last are gone. The timeout is set to outlast the fill (1.3 times the fill time of scenario
# a, + 10 s); the count is watched from the end of the fill on.
scenario_expiry() {
	local size mode timeout t0 tfill start first empty n
	for size in $EXP_SIZES; do
		for mode in ${KTRACK_BENCH_F_MODES:-nf_sized ktrack}; do
			skipped f "$mode" && continue
			timeout=$(awk -v s="$size" -v f="$FLOWS" -v raw="$RAW" -v m="$mode" '
				$1 == "a_fill_s" { if ($2 == m) t = $4; if ($4 > any) any = $4 }
				END { if (!t) t = any; x = t * s / f * 1.3 + 10; printf "%d", x + 0.5 }' "$RAW")
			log "f: $size entries, $mode, timeout $timeout s"
			mode_on "$mode" "$size"
			case $mode in
			nf*) sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_syn_sent="$timeout" ;;
			*) sysctl -qw net.ktrack.tcp_timeout_syn_sent="$timeout" ;;
			esac
			t0=${EPOCHREALTIME/./}
			gen_run f_batch "$mode" "$size" -n "$size" -S "$SOURCES" -b "$BATCH" -C 0
			tfill=$(((${EPOCHREALTIME/./} - t0) / 1000))
			# give up 180 s after the last deadline (tfill + timeout)
			read -r start first empty n <<< "$(expiry_watch "$mode" "$t0" \
				$((t0 + (tfill + timeout * 1000 + 180000) * 1000)))"
			rec f_fill "$mode" "$size" "$(awk -v t="$tfill" 'BEGIN { printf "%.3f", t / 1000 }')" \
				"$start" "$timeout"
			# f MODE SIZE lateness-of-the-last left timeout fill-s first-shrink-s (since t0)
			rec f "$mode" "$size" "$(awk -v e="$empty" -v a="$timeout" -v b="$tfill" '
				BEGIN { if (e == "-") print "-"; else printf "%.2f", (e - b) / 1000 - a }')" \
				"$n" "$timeout" "$(awk -v t="$tfill" 'BEGIN { printf "%.3f", t / 1000 }')" \
				"$(awk -v r="$first" 'BEGIN { if (r == "-") print "-"; else printf "%.2f", r / 1000 }')"
			log "f: $size entries, $mode: held $start, first gone at ${first} ms, empty at ${empty} ms"
			mode_off
		done
	done
}
