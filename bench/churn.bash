# shellcheck shell=bash
# bench/churn.bash: scenario g (sourced by bench/run-vm). Real short TCP connections, the server
# closing first, from clients in CHURN_CLIENTS namespaces behind one NAT namespace: one public
# address and CHURN_PORTS source ports, so the server (nginx, port 80) sees ports come back while
# it still holds them in TIME_WAIT (60 s on Linux), with TCP timestamps that are not in order (each
# client has its own timestamp offset). Run at the rate where the ports are used up within one
# TIME_WAIT (CHURN_PORTS / 60 per second) and at 4 times that; failed connections per mode.
#
#   c1..cN (10.0.k.2) --- nat (10.0.k.1; SNAT to 192.0.2.2:PORTS) --- csrv (192.0.2.1, nginx)

CHURN_CLIENTS=${KTRACK_BENCH_CHURN_CLIENTS:-4}
CHURN_PORT_LO=20000

# churn_setup: the NAT and the clients, once for all the runs.
churn_setup() {
	local k
	mkns nat
	nsx nat sysctl -qw net.ipv4.ip_forward=1
	# nft, not iptables' SNAT target: the debug kernel of check-debug has nf_tables' NAT only
	nsx nat nft -f - <<-EOF
	table ip churn_nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "v-natout" meta l4proto tcp snat to 192.0.2.2:$CHURN_PORT_LO-$((CHURN_PORT_LO + CHURN_PORTS - 1))
		}
	}
	EOF
	# the NAT forgets a closed connection at once, so it reuses its ports as a busy NAT does
	nsx nat sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_time_wait=1
	nsx nat sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_close=1
	for k in $(seq "$CHURN_CLIENTS"); do
		mkns "c$k"
		ip link add "v-nat$k" netns nat type veth peer name "v-c$k" netns "c$k"
		nsx nat ip addr add "10.0.$k.1/24" dev "v-nat$k"
		nsx "c$k" ip addr add "10.0.$k.2/24" dev "v-c$k"
		nsx nat ip link set "v-nat$k" up
		nsx "c$k" ip link set "v-c$k" up
		nsx "c$k" ip route add default via "10.0.$k.1"
	done
	CHURN_NGINX=/tmp/bench-nginx
	rm -rf "$CHURN_NGINX"
	mkdir -p "$CHURN_NGINX/tmp"
	cat > "$CHURN_NGINX/nginx.conf" <<-EOF
	worker_processes 2;
	daemon off;
	pid $CHURN_NGINX/nginx.pid;
	error_log $CHURN_NGINX/error.log;
	events { worker_connections 4096; }
	http {
		access_log off;
		client_body_temp_path $CHURN_NGINX/tmp/body;
		proxy_temp_path $CHURN_NGINX/tmp/proxy;
		fastcgi_temp_path $CHURN_NGINX/tmp/fastcgi;
		uwsgi_temp_path $CHURN_NGINX/tmp/uwsgi;
		scgi_temp_path $CHURN_NGINX/tmp/scgi;
		keepalive_timeout 0;
		server {
			listen 192.0.2.1:80 backlog=4096;
			location / { return 200 "ok\n"; }
		}
	}
	EOF
}

# churn_server_up: a fresh server namespace (no TIME_WAIT left from the run before) running nginx.
churn_server_up() {
	mkns csrv
	ip link add v-csrv netns csrv type veth peer name v-natout netns nat
	nsx csrv ip addr add 192.0.2.1/24 dev v-csrv
	nsx nat ip addr add 192.0.2.2/24 dev v-natout
	nsx csrv ip link set v-csrv up
	nsx nat ip link set v-natout up
	nsx csrv nginx -p "$CHURN_NGINX" -c "$CHURN_NGINX/nginx.conf" &
	wait_port csrv 80
}

churn_server_down() {
	ip netns pids csrv 2>/dev/null | xargs -r kill 2>/dev/null || true
	sleep 0.5
	ip netns del csrv
}

churn_teardown() {
	local ns
	for ns in nat $(seq -f 'c%g' "$CHURN_CLIENTS"); do
		ip netns del "$ns" 2>/dev/null || true
	done
}

# churn_syn_retrans: SYNs the clients sent again (their TcpExtTCPSynRetrans, summed).
churn_syn_retrans() {
	local k n=0 v
	for k in $(seq "$CHURN_CLIENTS"); do
		v=$(nsx "c$k" nstat -az TcpExtTCPSynRetrans 2>/dev/null | awk '$1 == "TcpExtTCPSynRetrans" { print $2 }')
		n=$((n + ${v:-0}))
	done
	echo "$n"
}

# churn_tcp_counters: the server's TCP counters that show ports met in TIME_WAIT.
churn_tcp_counters() {
	nsx csrv nstat -az 2>/dev/null | awk '
		/^(TcpPassiveOpens|TcpAttemptFails|TcpEstabResets|TcpExtTW|TcpExtPAWSEstab|TcpExtTCPChallengeACK|TcpExtTWRecycled|TcpExtTCPTimeWaitOverflow|TcpExtListenDrops|TcpExtTCPACKSkippedTimeWait) / {
			printf "%s%s=%s", sep, $1, $2; sep = ","
		}'
}

# churn_clients RATE SECONDS PREFIX: every client opens its share of RATE connections a second for
# SECONDS (its line in PREFIX-cK); prints their sums, tab-separated: attempted ok failed slow
# max_ms failures (by kind, or -).
churn_clients() {
	local k pids=()
	for k in $(seq "$CHURN_CLIENTS"); do
		nsx "c$k" /usr/bin/python3 "$TOP/bench/churn-client.py" 192.0.2.1 80 \
			"$(awk -v r="$1" -v n="$CHURN_CLIENTS" 'BEGIN { print r / n }')" \
			"$2" 10 > "$3-c$k" &
		pids+=($!)
	done
	wait "${pids[@]}"
	cat "$3"-c* | awk '
		{ a += $1; o += $2; f += $3; s += $4; if ($5 > m) m = $5
		  if ($6 != "-") k = k (k ? "," : "") $6 }
		END { printf "%d\t%d\t%d\t%d\t%d\t%s", a, o, f, s, m, k ? k : "-" }'
}

scenario_churn() {
	local mode mult rate line res retrans
	churn_setup
	# none and ktrack first: the comparison that matters; nf_conntrack's figures come after
	local modes
	# shellcheck disable=SC2086
	modes=$(printf '%s\n' ${KTRACK_BENCH_G_MODES:-none ktrack ktrack_rescue nf} |
		awk '/^nf/ { nf = nf $0 " "; next } { printf "%s ", $0 } END { print nf }')
	for mode in $modes; do
		skipped g "$mode" && continue
		for mult in 1 4; do
			rate=$(awk -v p="$CHURN_PORTS" -v m="$mult" 'BEGIN { printf "%.2f", p / 60 * m }')
			log "g: $mode, $rate connections/s for $CHURN_SECS s"
			case $mode in
			ktrack*) mode_on "$mode" 100000 ;;
			esac
			churn_server_up
			case $mode in
			nf*) nsx csrv iptables -A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT ;;
			esac
			retrans=$(churn_syn_retrans)
			res=$(churn_clients "$rate" "$CHURN_SECS" "$OUT/churn-$mode-$mult")
			line="TcpExtTCPSynRetrans(clients)=$(($(churn_syn_retrans) - retrans)),$(churn_tcp_counters)"
			rec g "$mode" "$rate" "$res" "${line:--}"
			log "g: $mode at $rate/s: $(echo "$res" | tr '\t' ' ')"
			if [ "$mode" != none ]; then
				case $mode in
				ktrack*) nsx csrv cat /proc/net/stat/ktrack > "$OUT/churn-$mode-$mult-ktrack-stat" ;;
				esac
			fi
			churn_server_down
			mode_off
		done
	done
	churn_teardown
}
