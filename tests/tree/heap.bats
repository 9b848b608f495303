#!/usr/bin/env bats
# /heap/segments and the GC lines of /info, for each fixture dump.
load helpers

setup_file() { mount_dumps full heap; }
teardown_file() { unmount_dumps; }

check_segments() { # KIND
	use_dump "$1"
	run -0 tree_cat /heap/segments
	[[ -n $output ]]
	local prev=0 start end gen kind heap alloc committed n=0
	while IFS=$'\t' read -r start end gen kind heap alloc committed; do
		[[ $start =~ ^0x[0-9a-f]{16}$ && $end =~ ^0x[0-9a-f]{16}$ ]]
		[[ $gen =~ ^(0|1|2|loh|poh|frozen)$ && $kind =~ ^(region|segment|ephemeral)$ ]]
		[[ $heap == 0 ]] # workstation GC
		# Sorted, and start <= allocated <= committed <= end.
		((start > prev && start <= alloc && alloc <= committed && committed <= end))
		prev=$start
		n=$((n + 1))
	done <<<"$output"
	# Regions: at least one region of each generation and the LOH and POH.
	for g in 0 1 2 loh poh; do cut -f3 <<<"$output" | grep -qx "$g"; done
}

check_gc_info() { # KIND
	use_dump "$1"
	run -0 tree_cat /info
	grep -qx 'gc: workstation' <<<"$output"
	grep -qx 'gc-heaps: 1' <<<"$output"
	grep -qx 'gc-layout: regions' <<<"$output"
	local objects
	objects=$(sed -n 's/^heap-objects: //p' <<<"$output")
	# The fixture keeps at least its threads and manifest objects alive.
	((objects > 100))
}

@test "full: /heap/segments is sorted and consistent" { check_segments full; }
@test "heap: /heap/segments is sorted and consistent" { check_segments heap; }
@test "full: /info describes the GC" { check_gc_info full; }
@test "heap: /info describes the GC" { check_gc_info heap; }
@test "full and heap dumps agree on segments and object counts" {
	use_dump full
	run -0 tree_cat /heap/segments
	local a=$output
	use_dump heap
	run -0 tree_cat /heap/segments
	[[ $a == "$output" ]]
	use_dump full
	run -0 tree_cat /info
	a=$(grep '^heap-' <<<"$output")
	use_dump heap
	run -0 tree_cat /info
	[[ $a == "$(grep '^heap-' <<<"$output")" ]]
}
