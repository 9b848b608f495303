#!/usr/bin/env bats
# A runtime clrfs has no table of layouts for: the threads fixture's full dump with its
# runtime's version strings rewritten to 12.0 (scripts/fixtures, make_unknown_version).
# It opens; what the runtime's contract descriptor describes alone is read as exactly as
# on the known runtime; every part it cannot read is a problem line saying why.
load helpers

use_fixture threads
UNKNOWN=unknown-version/full
setup_file() { mount_dumps "$UNKNOWN" threads/full; }
teardown_file() { unmount_dumps; }

# The runtime line of the fixtures (8.0, 9.0, ...).
fixture_line() { jq -r .runtime_version "$CLRFS_FIXTURES/threads/manifest.json" | cut -d. -f1-2; }

# Print a file or a listing of the intact dump of the same process.
intact_cat() { (use_dump threads/full && tree_cat "$1"); }
intact_ls() { (use_dump threads/full && tree_ls "$1"); }

@test "unknown version: /info opens, names no table, and counts its problems" {
	use_dump "$UNKNOWN"
	run -0 tree_cat /info
	expect_field runtime-version 12.0.0
	expect_field layout-table none
	local n
	n=$(grep -c '^problem: ' <<<"$output")
	expect_field problems "$n"
	((n >= 1))
	# Each problem is a part of the runtime that this version's descriptor does not
	# describe, with the reason.
	run -1 grep -v ' cannot be read on runtime 12\.0\.0: ' < <(grep '^problem: ' <<<"$output")
}

@test "unknown version: what the descriptor describes reads as on the known runtime" {
	use_dump "$UNKNOWN"
	local line
	line=$(fixture_line)
	run -0 tree_cat /info
	if [[ $line == 8.0 ]]; then
		# .NET 8 has no descriptor: without clrfs's 8.0 table nothing is known.
		expect_field threads '<unreadable: not supported for this runtime version>'
		expect_field gc '<unreadable: not supported for this runtime version>'
		return
	fi
	# 9.0 and later describe the threads and the GC's anchors.
	expect_field threads "$(intact_cat /info | sed -n 's/^threads: //p')"
	[[ $(tree_ls /threads) == "$(intact_ls /threads)" ]]
	local id
	for id in $(manifest '.threads[].managed_id'); do
		diff <(tree_cat "/threads/$id/info" | grep -E '^(managed-id|os-id|state|background|gc-mode):') \
			<(intact_cat "/threads/$id/info" | grep -E '^(managed-id|os-id|state|background|gc-mode):')
	done
	if [[ $line == 9.0 ]]; then
		# 9.0's descriptor lacks the MethodTable's size: no type, no heap walk.
		expect_field heap-objects '<unreadable: not supported for this runtime version>'
		grep -q '^problem: types (MethodTable, EEClass) cannot be read on runtime 12\.0\.0' <<<"$output"
	else
		# 10.0 and 11.0 describe the type system: the heap reads as on the known runtime.
		diff <(tree_cat /heap/stats) <(intact_cat /heap/stats)
	fi
}

@test "unknown version: the handle table needs a table on every line" {
	use_dump "$UNKNOWN"
	# No descriptor up to 11.0 publishes which handle types keep user data.
	run -0 tree_cat /info
	grep -q '^problem: the GC handle table cannot be read on runtime 12\.0\.0' <<<"$output"
}
