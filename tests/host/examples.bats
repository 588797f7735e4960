#!/usr/bin/env bats
# The example configuration (examples/, shipped in /usr/share/doc/ktrackctl/examples): what README
# shows is what is shipped, each setting names a real parameter or sysctl, and the alert rules
# parse. (The VM suite 99-operators applies them to a loaded module.)

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# settings FILE: its lines that are not comments or blank
settings() {
	grep -vE '^[[:space:]]*(#|$)' "$1"
}

@test "every setting of the example files is shown in README, in a code block" {
	local f l
	for f in "$TOP"/examples/modules-load.d/ktrack.conf "$TOP"/examples/modprobe.d/ktrack.conf \
		 "$TOP"/examples/sysctl.d/60-ktrack.conf; do
		while read -r l; do
			grep -qxF "$l" "$TOP/README.md" || { echo "README lacks: $l ($f)"; return 1; }
		done < <(settings "$f")
	done
}

@test "the example settings name real module parameters and sysctls" {
	local p k
	for p in $(settings "$TOP/examples/modprobe.d/ktrack.conf" | sed -n 's/^options ktrack //p' |
		   tr ' ' '\n' | cut -d= -f1); do
		grep -q "KTRACK_PARAM($p," "$TOP"/src/params.c ||
			grep -q "\"$p\"" "$TOP"/src/params.c || { echo "no parameter $p"; return 1; }
	done
	for k in $(settings "$TOP/examples/sysctl.d/60-ktrack.conf" | sed -n 's/^net\.ktrack\.\([a-z0-9_]*\).*/\1/p'); do
		grep -q "\"$k\"" "$TOP"/src/sysctl.c || { echo "no sysctl $k"; return 1; }
	done
}

@test "README shows how to keep the module from autoloading (blacklist, install /bin/false)" {
	grep -q 'autoload' "$TOP/README.md"
	grep -qF '`blacklist ktrack`' "$TOP/README.md"
	grep -qF '`install ktrack /bin/false`' "$TOP/README.md"
	grep -qF '#install ktrack /bin/false' "$TOP/examples/modprobe.d/ktrack.conf"
}

@test "the Prometheus alert rules parse and are the ones README shows" {
	run /usr/bin/python3 -c '
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
for r in doc["groups"][0]["rules"]:
    print(r["alert"], r["expr"])' "$TOP/examples/prometheus/ktrack-alerts.yml"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	while read -r name expr; do
		grep -qF "$expr" "$TOP/README.md" || { echo "README lacks $name: $expr"; return 1; }
	done <<<"$output"
}
