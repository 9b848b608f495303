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

# /heap/stats: COUNT BYTES MT NAME lines sorted by BYTES descending, then NAME,
# then MT; a last "COUNT BYTES - Total" line that adds them up and agrees
# with /info.
check_stats() { # KIND
	use_dump "$1"
	run -0 tree_cat /heap/stats
	local stats=$output total count bytes mt name n=0 sum_count=0 sum_bytes=0
	total=$(tail -n 1 <<<"$stats")
	[[ $total =~ ^([0-9]+)$'\t'([0-9]+)$'\t-\tTotal'$ ]] || { echo "bad total line: $total"; return 1; }
	while IFS=$'\t' read -r count bytes mt name; do
		[[ $count =~ ^[1-9][0-9]*$ && $bytes =~ ^[1-9][0-9]*$ && $mt =~ ^0x[0-9a-f]{16}$ ]] ||
			{ echo "bad line: $count $bytes $mt $name"; return 1; }
		[[ -n $name && $name != *' '* && $name != '<unreadable'* ]] || { echo "bad name: $name"; return 1; }
		sum_count=$((sum_count + count)) sum_bytes=$((sum_bytes + bytes)) n=$((n + 1))
	done < <(sed '$d' <<<"$stats")
	# Sorted by BYTES descending, then NAME and MT in byte order.
	sed '$d' <<<"$stats" | LC_ALL=C sort -c -t$'\t' -k2,2nr -k4,4 -k3,3
	[[ $total == "$sum_count"$'\t'"$sum_bytes"$'\t-\tTotal' ]] ||
		{ echo "total $total, lines add up to $sum_count $sum_bytes"; return 1; }
	run -0 tree_cat /info
	expect_field heap-objects "$sum_count"
	expect_field heap-bytes "$sum_bytes"
	# Each MethodTable appears once; free objects are not listed.
	[[ -z $(sed '$d' <<<"$stats" | cut -f3 | sort | uniq -d) ]]
	[[ $'\n'$(cut -f4 <<<"$stats")$'\n' != *$'\nFree\n'* ]]
	STATS=$stats
}

stats_count() { awk -F'\t' -v t="$1" '$4 == t { print $1 }' <<<"$STATS"; }

check_stats_types() { # KIND
	check_stats "$1"
	local threads
	threads=$(manifest '.threads | length')
	((threads > 0))
	# Every managed thread of the manifest has its System.Threading.Thread.
	(($(stats_count System.Threading.Thread) >= threads))
	(($(stats_count System.String) > 0))
	(($(stats_count 'System.Object[]') > 0))
	(($(stats_count 'System.Int32[]') > 0))
	# Instantiations name their arguments, with no spaces and no `N arity.
	grep -qE $'\t''System\.Collections\.Generic\.[A-Za-z]+<[^ `]+>$' <<<"$STATS"
	[[ $(cut -f4 <<<"$STATS") != *'`'* ]]
}

@test "full: /heap/stats is sorted, complete and adds up to /info" { check_stats_types full; }
@test "heap: /heap/stats is sorted, complete and adds up to /info" { check_stats_types heap; }
@test "full and heap dumps give identical /heap/stats" {
	use_dump full
	run -0 tree_cat /heap/stats
	local a=$output
	use_dump heap
	run -0 tree_cat /heap/stats
	[[ $a == "$output" ]]
}
