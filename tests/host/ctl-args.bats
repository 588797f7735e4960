#!/usr/bin/env bats
# ktrackctl on the build machine, where no ktrack is loaded nor installed for the running kernel:
# every argument is checked before the module is contacted (a bad one exits 2 with one line that
# starts with "ktrackctl:"; a good one gets as far as "not installed", exit 5), conntrack's
# spellings and ip's abbreviations reach the verbs and filter words they stand for, and -n refuses
# what is not a network namespace. (tests/vm/99-operators does the same with the module loaded.)

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
KTRACKCTL=${KTRACK_CTL:-$TOP/tools/ktrackctl}

setup() {
	[ ! -d /sys/module/ktrack ] || skip "ktrack is loaded on this machine"
	if grep -q '/ktrack\.ko' "/lib/modules/$(uname -r)/modules.dep" 2>/dev/null; then
		skip "ktrack is installed for the running kernel"
	fi
}

# usage_err EXPECTED ARGS...: ktrackctl ARGS exits 2 with the one line EXPECTED (a glob).
usage_err() {
	local want=$1
	shift
	run "$KTRACKCTL" "$@"
	echo "ktrackctl $*: status $status: $output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == ktrackctl:* ]]
	# shellcheck disable=SC2053
	[[ "$output" == $want ]]
}

@test "-V and --version print the version; -h the verbs, abbreviations, conntrack spellings, exit codes" {
	run "$KTRACKCTL" -V
	[ "$status" -eq 0 ]
	[[ "$output" == "ktrackctl "*"(genl family ktrack version "* ]]
	[ "$("$KTRACKCTL" --version)" = "$output" ]
	run "$KTRACKCTL" -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"verbs: stats list get delete flush count config sources limit monitor"* ]]
	[[ "$output" == *"abbreviation"* ]]
	[[ "$output" == *"-L -G -D -F -C -S -E"* ]]
	[[ "$output" == *"5 not installed, 6 no such connection"* ]]
}

@test "a well-formed request without the module: 'not installed', exit 5, one line" {
	for args in "stats" "st" "-S" "-C" "count" "-L -p tcp --dport 443 --state ESTABLISHED" \
		    "li pro tcp sp 80" "-o prometheus stats" "stats -o prometheus" "-j -p config" \
		    "-E -e destroy" "monitor -t -e NEW,destroy:rst,limit -b 65536 --count 3 proto tcp dport 80" \
		    "-E -e refused -p udp -s 198.18.0.0/15" "limit l" "-G -p tcp -s 192.0.2.1 -d 192.0.2.2 --sport 1 --dport 2"; do
		# shellcheck disable=SC2086
		run "$KTRACKCTL" $args
		echo "ktrackctl $args: status $status: $output"
		[ "$status" -eq 5 ]
		[ "$output" = "ktrackctl: ktrack is not installed for kernel $(uname -r) (install ktrack-dkms or run make install; or insmod ktrack.ko)" ]
	done
}

@test "bad arguments exit 2 before the module is asked, each with its own one-line message" {
	usage_err "ktrackctl: frob: unknown verb*" frob
	usage_err "ktrackctl: -o yaml: expected text, json, ndjson or prometheus" -o yaml stats
	usage_err "ktrackctl: unknown option --bogus*" --bogus stats
	usage_err "ktrackctl: no verb given*" -j
	usage_err "ktrackctl: list: proto sctp: expected tcp, udp, icmp or icmpv6" list proto sctp
	usage_err "ktrackctl: list: dport 99999: expected 0..65535" -L -p tcp --dport 99999
	usage_err "ktrackctl: list: state BOGUS: not a TCP state*" -L --state BOGUS
	usage_err "ktrackctl: list: family ipv5: expected ipv4 or ipv6" -L -f ipv5
	usage_err "ktrackctl: list: src 1.2.3: not an address*" -L -s 1.2.3
	usage_err "ktrackctl: list: unknown word 'bogus'" list bogus 1
	usage_err "ktrackctl: get: needs proto, src, dst, sport and dport*" -G -p tcp -s 192.0.2.1
	usage_err "ktrackctl: delete: needs a tuple or a filter*" -D
	usage_err "ktrackctl: flush: takes no arguments" -F now
	usage_err "ktrackctl: stats: unknown argument '-x'" st -x
	usage_err "ktrackctl: stats: -i 0: expected seconds, 0.1..86400" stats -i 0
	usage_err "ktrackctl: stats: --count goes with -i SECONDS" stats --count 3
	usage_err "ktrackctl: stats: --netns-label goes with -o prometheus" stats --netns-label
	usage_err "ktrackctl: stats: -c goes with neither -i nor -o prometheus" -o prometheus stats -c
	usage_err "ktrackctl: list: -o prometheus is for stats only" -o prometheus list
	usage_err "ktrackctl: count: unknown argument 'x'" co x
	usage_err "ktrackctl: config: unknown key 'bogus'" con bogus
	usage_err "ktrackctl: config: udp_timeout: 'x' is not a number" config udp_timeout=x
	usage_err "ktrackctl: config: either read KEYs or set KEY=VALUEs, not both" config a=1 b
	usage_err "ktrackctl: sources: --top 0: expected 1..1000000" so --top 0
	usage_err "ktrackctl: limit: 192.0.2.0/33: not an address*" limit a 192.0.2.0/33 5
	usage_err "ktrackctl: limit: limit x: expected a number or 'unlimited'" limit add 192.0.2.0/24 x
	usage_err "ktrackctl: limit: usage: limit add*" limit frob
	usage_err "ktrackctl: monitor: -e bogus: events are new, destroy, refused, all, destroy:REASON*" -E -e bogus
	usage_err "ktrackctl: monitor: -e destroy:bogus: events are new*" monitor -e new,destroy:bogus
	usage_err "ktrackctl: monitor: --count 0: expected a positive number" monitor --count 0
	usage_err "ktrackctl: monitor: -b 100: expected a size in bytes, at least 4096" monitor -b 100
	usage_err "ktrackctl: monitor: --buffer-size needs a size in bytes" monitor --buffer-size
	usage_err "ktrackctl: monitor: unknown argument '-x'" monitor -t -x
	usage_err "ktrackctl: monitor: dport 70000: expected 0..65535" -E -p tcp --dport 70000
	usage_err "ktrackctl: monitor: unknown word 'bogus'" monitor bogus 1
}

@test "-n: what is not a network namespace, and a name that is not there, are bad arguments" {
	usage_err "ktrackctl: netns /etc/passwd: /etc/passwd is not a network namespace" -n /etc/passwd stats
	usage_err "ktrackctl: netns /proc/self/ns/uts: /proc/self/ns/uts is not a network namespace" \
		-n /proc/self/ns/uts stats
	usage_err "ktrackctl: netns kt-no-such: no such network namespace (/run/netns/kt-no-such)" \
		-n kt-no-such stats
	# a real one gets as far as the module
	run "$KTRACKCTL" -n /proc/self/ns/net stats
	[ "$status" -eq 5 ]
}
