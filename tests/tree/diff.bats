#!/usr/bin/env bats
# Two dumps of one process taken a few seconds apart (tests/fixtures/twodumps): phase a,
# then phase b with 250 more Fixture2.Order, no Fixture2.Customer and 10 new
# Fixture2.Invoice. `diff a/heap/stats b/heap/stats` shows exactly the Fixture2 types
# whose counts changed (the manifest's .b.changes); the other Fixture2 types, whose
# MethodTables stay put in one process, give identical lines. The runtime's own types
# change too: the diff is compared on its Fixture2 lines only.
load helpers

DUMPS=(twodumps/a-full twodumps/a-heap twodumps/b-full twodumps/b-heap)
use_fixture twodumps

setup_file() { mount_dumps "${DUMPS[@]}"; }
teardown_file() { unmount_dumps; }

# Prints the /heap/stats line the manifest expects for TYPE in PHASE: COUNT BYTES MT NAME.
expected_line() { # PHASE TYPE
	manifest ".$1.types[\"$2\"] | \"\(.count)\t\(.count * .size)\t\(.mt)\t$2\""
}

# Writes /heap/stats of DUMP into FILE.
stats_to() { # DUMP FILE
	use_dump "$1"
	tree_cat /heap/stats >"$2"
	[[ -s $2 ]]
}

# The Fixture2 lines of /heap/stats are exactly the manifest's, in every dump of a phase.
check_phase() { # PHASE KIND
	local got want
	stats_to "twodumps/$1-$2" "$BATS_TEST_TMPDIR/stats"
	got=$(grep -P '\tFixture2\.' "$BATS_TEST_TMPDIR/stats" | LC_ALL=C sort)
	want=$(manifest ".$1.types | keys[]" | while read -r t; do expected_line "$1" "$t"; done | LC_ALL=C sort)
	[[ $(wc -l <<<"$want") -ge 5 ]] || { echo "manifest lists too few types for phase $1"; return 1; }
	[[ $got == "$want" ]] || { diff <(echo "$want") <(echo "$got"); return 1; }
}

# The diff lines the manifest expects: "< line" for each changed type present in a,
# "> line" for each present in b; sorted.
expected_diff() {
	local t a b
	while IFS=$'\t' read -r t a b; do
		((a == 0)) || echo "< $(expected_line a "$t")"
		((b == 0)) || echo "> $(expected_line b "$t")"
	done < <(manifest '.b.changes[] | "\(.type)\t\(.a)\t\(.b)"') | LC_ALL=C sort
}

# diff of the two phases' /heap/stats, on its Fixture2 lines, is exactly expected_diff.
check_diff() { # KIND-A KIND-B
	local a=$BATS_TEST_TMPDIR/a-stats b=$BATS_TEST_TMPDIR/b-stats got want
	stats_to "twodumps/a-$1" "$a"
	stats_to "twodumps/b-$2" "$b"
	run -1 diff "$a" "$b"
	got=$(grep -P '^[<>] .*\tFixture2\.' <<<"$output" | LC_ALL=C sort)
	want=$(expected_diff)
	[[ -n $want ]]
	[[ $got == "$want" ]] || { printf 'diff a b, Fixture2 lines:\n%s\nexpected:\n%s\n' "$got" "$want"; return 1; }
}

@test "the manifest: types vanish, appear and grow between a and b; others stay" {
	# The expectations below mean something only if the fixture changed what it says.
	run -0 manifest '.b.changes[] | "\(.type) \(.a) \(.b)"'
	[[ $output == *"Fixture2.Customer 500 0"* ]]
	[[ $output == *"Fixture2.Invoice 0 10"* ]]
	[[ $output == *"Fixture2.Order 1000 1250"* ]]
	((${#lines[@]} == 3))
	# Unchanged: in both phases with the same count and MT.
	# shellcheck disable=SC2016 # jq variables
	run -0 manifest '[.a.types | to_entries[] | select(.key as $k | $k != "Fixture2.Customer" and $k != "Fixture2.Order")] | length'
	((output >= 4))
	# shellcheck disable=SC2016
	run -0 manifest '.a.types as $a | .b.types | to_entries[] | select($a[.key] != null and $a[.key] != .value and .key != "Fixture2.Order") | .key'
	[[ -z $output ]]
	[[ $(manifest .a.pid) == "$(manifest .b.pid)" ]]
}

@test "twodumps a-full: the Fixture2 lines of /heap/stats are the manifest's" { check_phase a full; }
@test "twodumps a-heap: the Fixture2 lines of /heap/stats are the manifest's" { check_phase a heap; }
@test "twodumps b-full: the Fixture2 lines of /heap/stats are the manifest's" { check_phase b full; }
@test "twodumps b-heap: the Fixture2 lines of /heap/stats are the manifest's" { check_phase b heap; }

@test "diff a-heap/heap/stats b-heap/heap/stats: exactly the changed Fixture2 types" { check_diff heap heap; }
@test "diff a-full/heap/stats b-full/heap/stats: exactly the changed Fixture2 types" { check_diff full full; }
@test "diff a-full/heap/stats b-heap/heap/stats: full and heap dumps compare too" { check_diff full heap; }

@test "diff of the mounted files themselves" {
	need_fuse "diff of two mounts"
	local a b
	use_dump twodumps/a-heap
	a=$MNT
	use_dump twodumps/b-heap
	b=$MNT
	run -1 diff "$a/heap/stats" "$b/heap/stats"
	[[ $(grep -P '^[<>] .*\tFixture2\.' <<<"$output" | LC_ALL=C sort) == "$(expected_diff)" ]]
}
