#!/usr/bin/env bats
# The iptables extension libxt_ktrack.so on the build machine, without ktrack or xt_ktrack: its help
# text, its parsing of --state and --dir, and its errors, for iptables and ip6tables, nft and legacy.
# Every command runs in a network namespace of its own (a user namespace too when not root), so
# nothing reaches the machine's firewall even if a rule parsed when it should not have.
# Run by scripts/check (make check); alone: bats tests/host (after make).

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
XTLIB=$(pkg-config --variable=xtlibdir xtables 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/xtables)
export XTABLES_LIBDIR=$TOP/tools/xtables:$XTLIB
IPTS="iptables-nft iptables-legacy ip6tables-nft ip6tables-legacy"

setup_file() {
	[ -f "$TOP/tools/xtables/libxt_ktrack.so" ] || { echo "build it first: make xtables" >&2; return 1; }
	if unshare -rn true 2>/dev/null; then
		export KT_UNSHARE="unshare -rn"
	elif [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
		export KT_UNSHARE="unshare -n"
	else
		skip "needs a network namespace of its own (unshare -rn or root)"
	fi
}

# ipt CMD ARG...: an iptables command in a throwaway network namespace (bats' run sets $output).
ipt() {
	# shellcheck disable=SC2086	# the unshare command and its option
	$KT_UNSHARE "$@"
}

# restore_test IPT RULE: IPT-restore --test (parse, nothing committed) of one filter rule.
restore_test() {
	printf '*filter\n-A INPUT %s\nCOMMIT\n' "$2" | ipt "$1-restore" --test
}

@test "iptables -m ktrack -h shows the match's options and states" {
	local i
	for i in $IPTS; do
		run ipt "$i" -m ktrack -h
		[ "$status" -eq 0 ]
		[[ "$output" == *"ktrack match options"* ]]
		[[ "$output" == *"[!] --state STATE[,STATE...]"* ]]
		[[ "$output" == *"NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED"* ]]
		[[ "$output" == *"--dir ORIGINAL|REPLY"* ]]
	done
}

@test "without the extension on the path iptables does not know the match (the test sees it)" {
	XTABLES_LIBDIR=$XTLIB run ipt iptables-nft -m ktrack -h
	[ "$status" -ne 0 ]
	[[ "$output" != *"ktrack match options"* ]]
}

@test "a bad state name is refused with its name and the valid ones" {
	local i
	for i in $IPTS; do
		run ipt "$i" -A INPUT -m ktrack --state NEW,ESTABLISHED,BOGUS
		[ "$status" -eq 2 ]
		[[ "$output" == *'ktrack: bad state "BOGUS" in --state "NEW,ESTABLISHED,BOGUS"'* ]]
		[[ "$output" == *"NEW,ESTABLISHED,RELATED,INVALID,UNTRACKED"* ]]
	done
	run ipt iptables-nft -A INPUT -m ktrack --state NEW,,INVALID
	[ "$status" -eq 2 ]
	[[ "$output" == *'ktrack: bad state "" in --state "NEW,,INVALID"'* ]]
}

@test "an empty or missing --state is refused" {
	run ipt iptables-nft -A INPUT -m ktrack --state ""
	[ "$status" -eq 2 ]
	[[ "$output" == *'ktrack: bad state "" in --state ""'* ]]
	run ipt iptables-legacy -A INPUT -m ktrack --dir REPLY
	[ "$status" -eq 2 ]
	[[ "$output" == *'ktrack: option "--state" must be specified'* ]]
}

@test "a bad --dir value is refused, naming ORIGINAL and REPLY" {
	local i
	for i in $IPTS; do
		run ipt "$i" -A INPUT -m ktrack --state NEW --dir sideways
		[ "$status" -eq 2 ]
		[[ "$output" == *'ktrack: bad --dir "sideways" (ORIGINAL or REPLY)'* ]]
	done
}

@test "names are case-insensitive, ! and every state and direction parse" {
	local i
	for i in iptables-nft ip6tables-nft; do
		run restore_test "$i" "-m ktrack ! --state new,Established,RELATED,invalid,Untracked --dir reply"
		[ "$status" -eq 0 ]
		run restore_test "$i" "-m ktrack --state ESTABLISHED --dir Original"
		[ "$status" -eq 0 ]
		# and the same check refuses what it must: the test is not blind
		run restore_test "$i" "-m ktrack --state ESTABLISHE"
		[ "$status" -ne 0 ]
		[[ "$output" == *'bad state "ESTABLISHE"'* ]]
	done
}

@test "ktrack.nft parses with nft and its names have ktrack's encoding under 0xf000" {
	local rules
	rules=$(mktemp)
	cat >"$rules" <<-NFT
	include "$TOP/tools/ktrack.nft"
	table inet t {
		chain c {
			type filter hook input priority 0;
			meta mark & \$KTRACK_MASK == \$KTRACK_INVALID drop
			meta mark & (\$KTRACK_ESTABLISHED | \$KTRACK_RELATED) != 0 accept
			meta mark & \$KTRACK_MASK == \$KTRACK_NEW tcp dport 22 accept
			meta mark & \$KTRACK_MASK == 0 accept
		}
	}
	NFT
	run ipt sh -c "nft -f '$rules' && nft list chain inet t c"
	rm -f "$rules"
	[ "$status" -eq 0 ]
	[[ "$output" == *"meta mark & 0x0000f000 == 0x00008000 drop"* ]]
	[[ "$output" == *"meta mark & 0x00006000 != 0x00000000 accept"* ]]
	[[ "$output" == *"meta mark & 0x0000f000 == 0x00001000 tcp dport 22 accept"* ]]
	[[ "$output" == *"meta mark & 0x0000f000 == 0x00000000 accept"* ]]
}

@test "make check and make check-debug both build the extension the VM's xt suite loads" {
	local t
	for t in check check-debug; do
		run make -C "$TOP" -n "$t"
		[ "$status" -eq 0 ]
		[[ "$output" == *"-C tools/xtables"* ]] || { echo "make $t does not build tools/xtables"; return 1; }
	done
}
