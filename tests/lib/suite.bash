# shellcheck shell=bash
# tests/lib/suite.bash: the frame of an engine suite (40-80 and later): loads common.bash and
# track.bash, loads ktrack once for the file (kt_ensure_loaded), gives every test fresh namespaces
# and agents (kt_setup / kt_teardown) and unloads ktrack at the end of the file.
#   load ../lib/suite
# A suite that needs more around each test defines suite_setup / suite_teardown, which run after
# kt_setup and before kt_teardown.
lib=${BASH_SOURCE[0]%/*}
# shellcheck source=common.bash
source "$lib/common.bash"
# shellcheck source=track.bash
source "$lib/track.bash"

setup() {
	kt_ensure_loaded
	kt_setup
	if declare -F suite_setup >/dev/null; then
		suite_setup
	fi
}

teardown() {
	if declare -F suite_teardown >/dev/null; then
		suite_teardown
	fi
	kt_teardown
}

teardown_file() {
	ktrack_unload
}
