#!/usr/bin/env bats
# /timers (issue 19) against the timers fixture's manifest (tests/fixtures/timers): three
# Timers with known due times, periods, callbacks and states, and the timers behind a
# Task.Delay and a CancellationTokenSource.CancelAfter; full and heap dumps.
# shellcheck disable=SC2016 # jq programs in single quotes
load helpers

DUMPS=(timers/full timers/heap threads/full)
use_fixture timers

setup_file() { mount_dumps "${DUMPS[@]}"; }
teardown_file() { unmount_dumps; }

check_timers() { # DUMP
	use_dump "$1"
	run -0 tree_cat /timers
	local list=$output want got bad
	# Well formed, sorted by address, each timer once.
	bad=$(LC_ALL=C awk -F'\t' '
		function addr(s) { return length(s) == 18 && s ~ /^0x[0-9a-f]+$/ }
		NF != 5 || !addr($1) || $2 !~ /^[0-9]+$/ || $3 !~ /^([0-9]+|-)$/ || $4 == "" { print "line " NR ": " $0; exit }
		NR > 1 && $1 <= prev { print "not sorted: " $0; exit }
		{ prev = $1 }' <<<"$list")
	[[ -z $bad ]] || { echo "$1: /timers: $bad"; return 1; }
	# The fixture's own timers: due, period, callback, state (an object's address left out).
	want=$(manifest '.timers[] | map(tostring) | @tsv' | LC_ALL=C sort)
	got=$(awk -F'\t' -v OFS='\t' '$4 ~ /^Fixture\./ { sub(/^0x[0-9a-f]+ /, "", $5); print $2, $3, $4, $5 }' <<<"$list" | LC_ALL=C sort)
	[[ $got == "$want" ]] || { echo "$1: the fixture's timers differ:"; diff <(echo "$want") <(echo "$got"); return 1; }
	# Task.Delay's and CancelAfter's: their due time, and the task or source as state.
	want=$(manifest '.internal[] | map(tostring) | @tsv' | LC_ALL=C sort)
	got=$(awk -F'\t' -v OFS='\t' '$4 !~ /^Fixture\./ { sub(/^0x[0-9a-f]+ /, "", $5); print $2, $5 }' <<<"$list" | LC_ALL=C sort)
	[[ $got == "$want" ]] || { echo "$1: the runtime's timers differ:"; diff <(echo "$want") <(echo "$got"); return 1; }
	# Each one's callback names a method of the type it completes.
	got=$(awk -F'\t' '$4 !~ /^Fixture\./ { s = $5; sub(/^0x[0-9a-f]+ /, "", s); if (index($4, s ".") != 1) print }' <<<"$list")
	[[ -z $got ]] || { echo "$1: callbacks that name no method of their state's type: $got"; return 1; }
}

@test "timers/full: /timers lists the fixture's timers and the runtime's" { check_timers timers/full; }
@test "timers/heap: /timers lists the fixture's timers and the runtime's" { check_timers timers/heap; }

@test "threads/full, a process that made no timer: /timers is empty" {
	use_dump threads/full
	run -0 tree_cat /timers
	[[ -z $output ]]
}
