#!/usr/bin/env bats
# /heap/stats against the heap fixture's manifest (tests/fixtures/heap), for its full and
# heap dumps under workstation GC (heap/) and server GC with 2 heaps (heap-server/).
load helpers

DUMPS=(heap/full heap/heap heap-server/full heap-server/heap heap-segments/heap)
use_fixture heap

setup_file() { mount_dumps "${DUMPS[@]}"; }
teardown_file() { unmount_dumps; }

# Reads /heap/stats of the dump into $stats; fails unless every line is well formed.
read_stats() { # DUMP
	use_dump "$1"
	run -0 tree_cat /heap/stats
	stats=$output
	[[ -n $stats ]]
}

# Prints the COUNT column of NAME's line in $stats, nothing when there is none.
stats_count() { awk -F'\t' -v n="$1" '$4 == n { print $1 }' <<<"$stats"; }

check_format() { # DUMP
	read_stats "$1"
	local bad
	# Lines of 4 fields; the sort order; the total last, summing the lines above it.
	bad=$(LC_ALL=C awk -F'\t' '
		function fail(why) { print "line " NR ": " why ": " $0; failed = 1; exit }
		NF != 4 { fail("not 4 fields") }
		$1 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+$/ { fail("count or bytes not a number") }
		last { fail("a line after the total") }
		$3 == "-" && $4 == "Total" {
			if ($1 != count || $2 != bytes) fail("total is not the sum " count " " bytes)
			last = 1; next
		}
		length($3) != 18 || $3 !~ /^0x[0-9a-f]+$/ { fail("MT is not 0x and 16 hex digits") }
		$4 == "" || $4 ~ / / { fail("type name empty or with a space") }
		$1 == 0 { fail("a type with no instances") }
		$4 in seen { fail("type listed twice") }
		NR > 1 && ($2 > pbytes || ($2 == pbytes && $4 <= pname)) { fail("not sorted by bytes desc, then name") }
		{ seen[$4] = 1; count += $1; bytes += $2; pbytes = $2; pname = $4 }
		END { if (!last && !failed) print "no total line" }' <<<"$stats")
	[[ -z $bad ]] || { echo "$1: /heap/stats: $bad"; return 1; }
	# The total agrees with /info.
	run -0 tree_cat /info
	local total
	total=$(tail -n1 <<<"$stats")
	expect_field heap-objects "$(cut -f1 <<<"$total")"
	expect_field heap-bytes "$(cut -f2 <<<"$total")"
}

check_counts() { # DUMP
	read_stats "$1"
	local name want got bad=0 n=0
	while IFS=$'\t' read -r name want; do
		got=$(stats_count "$name")
		n=$((n + 1))
		[[ ${got:-0} == "$want" ]] && continue
		echo "$1: $name: expected $want instances, /heap/stats says ${got:-none}"
		bad=1
	done < <(manifest '.types | to_entries[] | "\(.key)\t\(.value)"')
	((n >= 10)) || { echo "manifest lists only $n types"; return 1; }
	return "$bad"
}

check_counts_min() { # DUMP
	read_stats "$1"
	local name want got bad=0
	while IFS=$'\t' read -r name want; do
		got=$(stats_count "$name")
		((${got:-0} >= want)) && continue
		echo "$1: $name: expected at least $want instances, /heap/stats says ${got:-none}"
		bad=1
	done < <(manifest '.types_min | to_entries[] | "\(.key)\t\(.value)"')
	return "$bad"
}

# Fixture.Marker is a class with one int field: 24 bytes an instance on 64 bits.
check_marker_bytes() { # DUMP
	read_stats "$1"
	local line
	line=$(awk -F'\t' '$4 == "Fixture.Marker"' <<<"$stats")
	[[ -n $line ]] || { echo "no Fixture.Marker line in /heap/stats"; return 1; }
	[[ $(cut -f2 <<<"$line") == $((24 * $(manifest '.types["Fixture.Marker"]'))) ]] ||
		{ echo "Fixture.Marker: expected 24 bytes an instance: $line"; return 1; }
}

check_info() { # DUMP
	use_dump "$1"
	run -0 tree_cat /info
	expect_field pid "$(manifest .pid)"
	expect_field gc "$(manifest .gc)"
	expect_field gc-heaps "$(manifest .heap_count)"
}

# Every GC heap has segments: heap numbers 0 .. heap_count-1, no others.
check_segment_heaps() { # DUMP
	use_dump "$1"
	run -0 tree_cat /heap/segments
	local want got
	want=$(seq 0 $(($(manifest .heap_count) - 1)))
	got=$(cut -f5 <<<"$output" | sort -un)
	[[ $got == "$want" ]] || { echo "$1: heap numbers in /heap/segments: expected ${want//$'\n'/,}, got ${got//$'\n'/,}"; return 1; }
}

# The LOH and POH objects lie in a region of that generation, below its allocated end.
check_uoh_objects() { # DUMP
	use_dump "$1"
	run -0 tree_cat /heap/segments
	local which addr gen size hit start g alloc
	for which in large pinned; do
		addr=$(manifest ".objects.$which.address")
		gen=$(manifest ".objects.$which.generation")
		size=$(manifest ".objects.$which.size")
		hit=
		while IFS=$'\t' read -r start _ g _ _ alloc _; do
			((start <= addr && addr + size <= alloc)) && hit+=$g
		done <<<"$output"
		[[ $hit == "$gen" ]] || { echo "$1: $which object $addr ($size bytes): expected in a $gen region, found in '${hit:-none}'"; return 1; }
	done
}

@test "heap/full: /heap/stats is well formed, sorted and totalled" { check_format heap/full; }
@test "heap/heap: /heap/stats is well formed, sorted and totalled" { check_format heap/heap; }
@test "heap-server/full: /heap/stats is well formed, sorted and totalled" { check_format heap-server/full; }
@test "heap-server/heap: /heap/stats is well formed, sorted and totalled" { check_format heap-server/heap; }

@test "heap/full: /heap/stats counts equal the manifest" { check_counts heap/full; }
@test "heap/heap: /heap/stats counts equal the manifest" { check_counts heap/heap; }
@test "heap-server/full: /heap/stats counts equal the manifest" { check_counts heap-server/full; }
@test "heap-server/heap: /heap/stats counts equal the manifest" { check_counts heap-server/heap; }

@test "heap/full: /heap/stats counts reach the manifest's minimums" { check_counts_min heap/full; }
@test "heap/heap: /heap/stats counts reach the manifest's minimums" { check_counts_min heap/heap; }
@test "heap-server/full: /heap/stats counts reach the manifest's minimums" { check_counts_min heap-server/full; }
@test "heap-server/heap: /heap/stats counts reach the manifest's minimums" { check_counts_min heap-server/heap; }

@test "heap-segments/heap: /heap/stats is well formed, sorted and totalled" { check_format heap-segments/heap; }
@test "heap-segments/heap: /heap/stats counts equal the manifest" { check_counts heap-segments/heap; }
@test "heap-segments/heap: /heap/stats counts reach the manifest's minimums" { check_counts_min heap-segments/heap; }
@test "heap-segments/heap: /info gives a workstation GC with segments" {
	check_info heap-segments/heap
	expect_field gc-layout segments
	use_dump heap/heap
	run -0 tree_cat /info
	expect_field gc-layout regions
}
@test "heap-segments/heap: the large and pinned arrays are in LOH and POH segments" { check_uoh_objects heap-segments/heap; }
@test "regions and segments GC see the same types" {
	local a
	read_stats heap/heap
	a=$(awk -F'\t' '$4 ~ /^Fixture\./ { print $1, $2, $4 }' <<<"$stats")
	read_stats heap-segments/heap
	[[ -n $a && $a == "$(awk -F'\t' '$4 ~ /^Fixture\./ { print $1, $2, $4 }' <<<"$stats")" ]]
}

@test "heap/full: /heap/stats sizes Fixture.Marker" { check_marker_bytes heap/full; }
@test "heap-server/heap: /heap/stats sizes Fixture.Marker" { check_marker_bytes heap-server/heap; }

@test "full and heap dumps give the same /heap/stats" {
	local app a
	for app in heap heap-server; do
		read_stats "$app/full"
		a=$stats
		read_stats "$app/heap"
		[[ $a == "$stats" ]] || { diff <(echo "$a") <(echo "$stats"); return 1; }
	done
}

@test "workstation and server GC see the same types" {
	# MTs and the runtime's own objects differ between two processes; Fixture types do not.
	local a
	read_stats heap/heap
	a=$(awk -F'\t' '$4 ~ /^Fixture\./ { print $1, $2, $4 }' <<<"$stats")
	read_stats heap-server/heap
	[[ -n $a && $a == "$(awk -F'\t' '$4 ~ /^Fixture\./ { print $1, $2, $4 }' <<<"$stats")" ]]
}

@test "heap/full: /info gives the workstation GC" { check_info heap/full; }
@test "heap/heap: /info gives the workstation GC" { check_info heap/heap; }
@test "heap-server/full: /info gives the server GC and its 2 heaps" {
	check_info heap-server/full
	expect_field gc server
	expect_field gc-heaps 2
}
@test "heap-server/heap: /info gives the server GC and its 2 heaps" {
	check_info heap-server/heap
	expect_field gc server
	expect_field gc-heaps 2
}

@test "heap/full: /heap/segments has heap 0 only" { check_segment_heaps heap/full; }
@test "heap/heap: /heap/segments has heap 0 only" { check_segment_heaps heap/heap; }
@test "heap-server/full: /heap/segments has heaps 0 and 1" {
	check_segment_heaps heap-server/full
	[[ $(manifest .heap_count) == 2 ]]
}
@test "heap-server/heap: /heap/segments has heaps 0 and 1" {
	check_segment_heaps heap-server/heap
	[[ $(manifest .heap_count) == 2 ]]
}

@test "heap/full: the large and pinned arrays are in LOH and POH regions" { check_uoh_objects heap/full; }
@test "heap-server/heap: the large and pinned arrays are in LOH and POH regions" { check_uoh_objects heap-server/heap; }
