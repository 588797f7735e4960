#!/usr/bin/env bats
# The VM harness from anywhere: a copy of the work tree under /tmp and one under /root (both inside
# a private mktemp -d directory) each boot scripts/vm, which mounts the tree at its own path over
# the guest's fresh tmpfs on /tmp and /root; there, what an unprivileged user runs in the suites
# (tests/lib/common.bash's unpriv_copy) is reachable by nobody although the tree itself is not.

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# clone_to DIR: the work tree as it is (tracked and untracked files, not the ignored build output)
# copied to DIR, and its tool built there.
clone_to() {
	mkdir -p "$1"
	git -C "$TOP" ls-files -co --exclude-standard -z |
		tar -C "$TOP" --null -T - -cf - | tar -C "$1" -xf -
	make -s -C "$1/tools" >/dev/null
}

teardown() {
	[ -z "${WHERE:-}" ] || rm -rf "$WHERE"
}

# in_vm_from BASE: boots the VM from a copy under a private directory in BASE and checks what it saw.
in_vm_from() {
	WHERE=$(mktemp -d "$1/ktrack-anywhere.XXXXXX")
	clone_to "$WHERE/ktrack"
	cd "$WHERE/ktrack"
	# shellcheck disable=SC2016
	run scripts/vm -t 1200 -- bash -c '
		echo "pwd $PWD"
		. tests/lib/common.bash
		if setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$PWD/tools/ktrackctl"
		then echo "direct reachable"; else echo "direct private"; fi
		f=$(unpriv_copy "$PWD/tools/ktrackctl")
		setpriv --reuid=65534 --regid=65534 --clear-groups "$f" --version'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"pwd $WHERE/ktrack"* ]]
	[[ "$output" == *"ktrackctl "*"(genl family ktrack"* ]]
}

@test "scripts/vm runs from a copy of the tree under /tmp, in a private directory" {
	in_vm_from /tmp
}

@test "scripts/vm runs from a copy under /root; nobody runs ktrackctl from there through unpriv_copy" {
	in_vm_from /root
	[[ "$output" == *"direct private"* ]]
}
