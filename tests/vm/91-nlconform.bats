#!/usr/bin/env bats
# Protocol conformance of the generic netlink family "ktrack", driven by an independent libnl-3
# client (tests/nlclient): every command with valid input, and broken requests (wrong types,
# missing required attributes, unknown attributes, oversize values, truncated messages, a dump
# abandoned midway) each refused with the documented errno and extack message, the table unchanged
# and the kernel log clean.

load ../lib/common
load ../lib/ctl

setup_file() {
	make -s -C "$TOP/tests/nlclient" >/dev/null
}

setup() {
	ktrack_load
	pair kt-srv kt-cli
	nsx kt-srv socat -u TCP-LISTEN:8080,reuseaddr,fork OPEN:/dev/null &
	wait_port kt-srv 8080
	kcn kt-srv config udp_timeout=3600
	nsx kt-cli socat -u EXEC:"sleep 600" TCP:$SRV4:8080 &
	for i in 1 2 3 4 5; do echo x | nsx kt-cli socat -u - UDP:$SRV4:600$i; done
	wait_count kt-srv 6
	BEFORE=$(kcn kt-srv -o json list | jq -c 'map([.proto, .src, .sport, .dport]) | sort')
}

teardown() {
	cleanup_ns
	ktrack_unload
}

nlt() {
	nsx kt-srv "$NLCLIENT" "$@"
}

# unchanged: the table holds the same connections as before the test.
unchanged() {
	[ "$(kcn kt-srv -o json list | jq -c 'map([.proto, .src, .sport, .dport]) | sort')" = "$BEFORE" ]
}

@test "every command accepts valid input" {
	[ "$(nlt stats)" = "ok 1" ]
	[ "$(nlt stats-percpu)" = "ok 1" ]
	[ "$(nlt config-get)" = "ok 1" ]
	[ "$(nlt config-set $((13)) 40)" = "ok 0" ]	# KTRACK_CFG_A_UDP_TIMEOUT
	[ "$(nsx kt-srv sysctl -n net.ktrack.udp_timeout)" -eq 40 ]
	[ "$(nlt dump)" = "ok 6" ]
	sport=$(kcn kt-srv -o json list proto tcp | jget '.[0].sport')
	[ "$(nlt get $CLI4 $SRV4 "$sport" 8080)" = "ok 1" ]
	[ "$(nlt sources)" = "ok 1" ]
	[ "$(nlt limit-add 10.0.0.0 8 5)" = "ok 0" ]
	[ "$(nlt limits)" = "ok 1" ]
	unchanged
	[ "$(nlt flush)" = "ok 6" ]
	[ "$(kcn kt-srv count)" -eq 0 ]
}

@test "wrong attribute types are refused with EINVAL and a message" {
	run nlt config-wrong-type
	[[ "$output" == "error EINVAL: "* ]]
	[[ "$output" != "error EINVAL: -" ]]
	run nlt config-u8
	[[ "$output" == "error EINVAL: "* ]]
	[ "$(nsx kt-srv sysctl -n net.ktrack.udp_timeout)" -eq 3600 ]
	unchanged
}

@test "missing required attributes are refused, naming what is needed" {
	[ "$(nlt config-missing)" = "error EINVAL: KTRACK_A_CONFIG is required" ]
	[ "$(nlt get-missing)" = "error EINVAL: a tuple needs family, proto, src, dst, sport, dport" ]
	[ "$(nlt limit-missing)" = "error EINVAL: a limit needs family, addr, prefixlen (and limit to add)" ]
	[ "$(nlt del-none)" = "error EINVAL: KTRACK_A_CONN or KTRACK_A_FILTER is required" ]
	[ "$(nlt del-both)" = "error EINVAL: give a tuple or a filter, not both" ]
	# (6.1 does not carry a dump's start() extack message back: the errno is what is checked)
	[[ "$(nlt dump-filter-bad)" == "error EINVAL: "* ]]
	unchanged
}

@test "unknown and unused attributes, unknown commands and a nonzero reserved field are refused" {
	run nlt unknown-attr
	[[ "$output" == "error EINVAL: "* ]]
	run nlt unused-attr
	[[ "$output" == "error EINVAL: "* ]]
	run nlt bad-cmd
	[[ "$output" == "error EOPNOTSUPP: "* ]]
	run nlt reserved
	[[ "$output" == "error EINVAL: "* ]]
	unchanged
}

@test "oversize values and out-of-range values are refused; a bad set changes nothing" {
	# an address longer than 16 bytes fails the policy (ERANGE, as the core reports lengths)
	[ "$(nlt get-oversize)" = "error ERANGE: Attribute failed policy validation" ]
	[ "$(nlt get-addrlen)" = "error EINVAL: address length does not match the family" ]
	# per_src_prefix4 (3) = 33 is out of range: the valid udp_timeout (13) in the same request stays
	[ "$(nlt config-set-two 13 77 3 33)" = "error ERANGE: integer out of range" ] ||
		[ "$(nlt config-set-two 13 77 3 33)" = "error EINVAL: integer out of range" ]
	[ "$(nsx kt-srv sysctl -n net.ktrack.udp_timeout)" -eq 3600 ]
	[ "$(nsx kt-srv sysctl -n net.ktrack.per_src_prefix4)" -eq 32 ]
	# the prefix cannot change while sources are counted
	[ "$(nlt config-set 3 24)" = "error EBUSY: source prefix can change only while no source is counted" ]
	[ "$(nlt get $CLI4 $SRV4 1 1)" = "error ENOENT: no such connection" ]
	unchanged
}

@test "truncated messages are refused" {
	run nlt truncated-attr
	[[ "$output" == "error EINVAL: "* ]]
	# shorter than its genetlink header: refused (EINVAL) or dropped, never acted upon
	run nlt truncated-hdr
	[[ "$output" == "error EINVAL: "* ]] || [ "$status" -eq 2 ]
	unchanged
	no_splat
}

@test "a dump abandoned midway leaves the table and the kernel sound" {
	udp_gen kt-cli v-kt-cli "$(ifmac kt-srv v-kt-srv)" $CLI4 $SRV4 7000 3000 >/dev/null
	wait_count kt-srv 3006
	for i in 1 2 3; do
		run nlt dump-partial 10
		[[ "$output" == "ok "*" partial" ]]
	done
	[ "$(nlt dump)" = "ok 3006" ]
	[ "$(kcn kt-srv count)" -eq 3006 ]
	no_splat
}
