#!/usr/bin/env bats
# A heap dump damaged at a few object headers (scripts/fixtures, make_damaged: garbage
# MethodTable pointers at the start of two gen2 regions that hold no Fixture.Marker, and the large array in the middle
# of the LOH pointing at its region instead of a MethodTable; damaged/damage lists them).
# The walk ends each damaged region with a `problem:` line in /info and serves the rest;
# nothing crashes. Compared with the intact dump it was made from (heap/heap).
load helpers

DAMAGED=damaged/heap
INTACT=heap/heap

setup_file() {
	use_fixture damaged
	[[ -f $FIXTURE/damage ]] || { echo "no $FIXTURE/damage: run scripts/fixtures" >&2; return 1; }
	mount_dumps "$DAMAGED" "$INTACT"
}
teardown_file() { unmount_dumps; }

# Reads FILE of DUMP into $output; fails unless clrfs served it.
read_tree() { # DUMP FILE
	use_dump "$1"
	run -0 tree_cat "$2"
}

# The damaged objects: "ADDR<TAB>WHAT" lines.
damage() { cat "$CLRFS_FIXTURES/damaged/damage"; }

@test "damaged: /info is served and counts one problem per problem line" {
	read_tree "$DAMAGED" /info
	expect_field_re problems '^[1-9][0-9]*$'
	[[ $(field problems) == "$(grep -c '^problem: ' <<<"$output")" ]]
	(($(field problems) >= $(damage | wc -l)))
	expect_field kind heap
}

@test "damaged: a problem line names each object whose MethodTable is garbage" {
	read_tree "$DAMAGED" /info
	local addr what n=0
	while IFS=$'\t' read -r addr what; do
		[[ $what == garbage* ]] || continue
		n=$((n + 1))
		grep -qF "the object at $addr " <<<"$output" ||
			{ echo "no problem line names $addr ($what); /info reads:"; echo "$output"; return 1; }
	done < <(damage)
	((n >= 2))
}

@test "damaged: the LOH walk ends at or after the object with a wrong MethodTable" {
	local addr what start end found=
	addr=$(damage | awk -F'\t' '$2 !~ /^garbage/ { print $1; exit }')
	[[ -n $addr ]]
	read_tree "$DAMAGED" /heap/segments
	read -r start end < <(awk -F'\t' -v a="$addr" '$3 == "loh" && $1 <= a && a < $2 { print $1, $2 }' <<<"$output")
	[[ -n $start ]] || { echo "$addr is in no LOH region"; return 1; }
	read_tree "$DAMAGED" /info
	while read -r a; do
		((addr <= a && a < end)) && found=$a
	done < <(sed -n 's/^problem: .*the object at \(0x[0-9a-f]\{16\}\) .*/\1/p' <<<"$output")
	[[ -n $found ]] || { echo "no problem line names an object in [$addr, $end); /info reads:"; echo "$output"; return 1; }
}

@test "damaged: /heap/stats totals its lines and agrees with /info" {
	read_tree "$DAMAGED" /heap/stats
	local stats=$output bad
	bad=$(LC_ALL=C awk -F'\t' '
		NF != 4 || $1 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+$/ { print "line " NR ": " $0; exit }
		$3 == "-" && $4 == "Total" { if ($1 != c || $2 != b) print "total is not " c " " b; t = 1; next }
		t { print "a line after the total"; exit }
		{ c += $1; b += $2 }
		END { if (!t) print "no total line" }' <<<"$stats")
	[[ -z $bad ]] || { echo "$bad"; return 1; }
	read_tree "$DAMAGED" /info
	expect_field heap-objects "$(tail -n1 <<<"$stats" | cut -f1)"
	expect_field heap-bytes "$(tail -n1 <<<"$stats" | cut -f2)"
}

@test "damaged: /heap/stats keeps what the untouched regions hold, and loses objects" {
	local intact damaged bad marker
	read_tree "$INTACT" /heap/stats
	intact=$output
	read_tree "$DAMAGED" /heap/stats
	damaged=$output
	# No type of the intact dump gains instances; the total loses some.
	bad=$(awk -F'\t' 'NR == FNR { n[$3] = $1; next }
		$3 in n && $1 > n[$3] { print "more " $4 " than in the intact dump: " $1 " > " n[$3] }' \
		<(echo "$intact") <(echo "$damaged"))
	[[ -z $bad ]] || { echo "$bad"; return 1; }
	(($(tail -n1 <<<"$damaged" | cut -f1) < $(tail -n1 <<<"$intact" | cut -f1)))
	# make_damaged spares the regions holding the markers: all of them are counted.
	marker=$(awk -F'\t' '$4 == "Fixture.Marker" { print $1 }' <<<"$damaged")
	[[ $marker == "$(manifest '.types["Fixture.Marker"]')" ]]
	# A string array and strings outside the damaged regions are still there.
	(($(awk -F'\t' '$4 == "System.String" { print $1 }' <<<"$damaged") > 0))
}

@test "damaged: /heap/segments is the intact dump's" {
	local intact
	read_tree "$INTACT" /heap/segments
	intact=$output
	read_tree "$DAMAGED" /heap/segments
	[[ -n $output && $output == "$intact" ]]
}

@test "damaged: /threads is the intact dump's" {
	local intact t ids
	use_dump "$INTACT"
	run -0 tree_ls /threads
	intact=$output
	use_dump "$DAMAGED"
	run -0 tree_ls /threads
	[[ $output == "$intact" && $output == *by-os-id* ]]
	mapfile -t ids < <(grep -E '^[0-9]+$' <<<"$output")
	((${#ids[@]} > 0))
	for t in "${ids[@]}"; do
		run -0 tree_cat "/threads/$t/info"
		[[ -n $output ]]
	done
}

@test "damaged: /heap/types lists and every Fixture type's info is served" {
	use_dump "$DAMAGED"
	run -0 tree_ls /heap/types
	local t types
	grep -qx Fixture.Marker <<<"$output"
	mapfile -t types < <(grep '^Fixture\.' <<<"$output")
	for t in "${types[@]}"; do
		run -0 tree_cat "/heap/types/$t/info"
	done
}

@test "damaged: no type is made up from a damaged header" {
	local intact
	read_tree "$INTACT" /heap/stats
	intact=$(cut -f3 <<<"$output" | sort)
	read_tree "$DAMAGED" /heap/stats
	local extra
	extra=$(comm -13 <(echo "$intact") <(cut -f3 <<<"$output" | sort))
	[[ -z $extra ]] || { echo "MTs not in the intact dump:"; grep -F "$extra" <<<"$output"; return 1; }
}
