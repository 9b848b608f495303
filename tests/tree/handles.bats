#!/usr/bin/env bats
# /handles and /finalizer against the handles fixture's manifest (tests/fixtures/handles),
# for its full and heap dumps under workstation GC (handles/) and server GC with 2 heaps
# (handles-server/). The fixture's handles all point at Fixture types (or at byte arrays,
# for pinned ones, found by handle address), so the runtime's own handles do not blur the
# counts, which are compared exactly.
# shellcheck disable=SC2016 # jq and awk programs in single quotes
load helpers

DUMPS=(handles/full handles/heap handles-server/full handles-server/heap heap/heap heap-segments/heap)
use_fixture handles

setup_file() { mount_dumps "${DUMPS[@]}"; }
teardown_file() { unmount_dumps; }

# Reads /handles/list of the dump into $list; fails unless every line is well formed
# and the lines are sorted by handle address, each handle once.
read_list() { # DUMP
	use_dump "$1"
	run -0 tree_cat /handles/list
	list=$output
	[[ -n $list ]]
	local bad
	bad=$(LC_ALL=C awk -F'\t' '
		function addr(s) { return length(s) == 18 && s ~ /^0x[0-9a-f]+$/ }
		function fail(why) { print "line " NR ": " why ": " $0; exit }
		NF != 4 && !(NF == 6 && $2 == "dependent") { fail("not 4 fields (6 for a dependent handle)") }
		!addr($1) || !addr($3) || (NF == 6 && !addr($5)) { fail("an address is not 0x and 16 hex digits") }
		$3 == "0x0000000000000000" { fail("a handle holding null") }
		$4 == "" || $4 ~ /[ ]|unreadable/ || (NF == 6 && ($6 == "" || $6 ~ /[ ]|unreadable/)) { fail("a bad type name") }
		NR > 1 && $1 <= prev { fail("not sorted by handle address, or a handle twice") }
		{ prev = $1 }' <<<"$list")
	[[ -z $bad ]] || { echo "$1: /handles/list: $bad"; return 1; }
}

check_manifest_handles() { # DUMP
	read_list "$1"
	local n i h kind type sec line
	n=$(manifest '.handles | length')
	((n == 10))
	for ((i = 0; i < n; i++)); do
		IFS=$'\t' read -r h kind type sec < <(manifest ".handles[$i] | [.handle, .kind, .type, .secondary_type // \"\"] | @tsv")
		line=$(awk -F'\t' -v h="$h" '$1 == h' <<<"$list")
		[[ -n $line ]] || { echo "$1: handle $h ($kind, $type) is not in /handles/list"; return 1; }
		IFS=$'\t' read -r -a f <<<"$line"
		[[ ${f[1]} == "$kind" && ${f[3]} == "$type" && ${f[5]-} == "$sec" ]] ||
			{ echo "$1: handle $h: expected $kind $type ${sec:+$sec }; got: $line"; return 1; }
	done
}

# Per kind, the handles whose object is of a Fixture type, by type: exactly the
# manifest's "kinds"; and each dependent handle's secondary of the manifest's type.
check_kinds() { # DUMP
	read_list "$1"
	local want got
	want=$(manifest '.kinds | to_entries[] | .key as $k | .value | to_entries[] | "\($k)\t\(.key)\t\(.value)"' | LC_ALL=C sort)
	got=$(awk -F'\t' '$4 ~ /^Fixture\./ { n[$2 "\t" $4]++ } END { for (k in n) print k "\t" n[k] }' <<<"$list" | LC_ALL=C sort)
	[[ $got == "$want" ]] || { echo "$1: Fixture handles per kind differ:"; diff <(echo "$want") <(echo "$got"); return 1; }
	want=$(manifest '.dependents | to_entries[] | "\(.key)\t\(.value)"' | LC_ALL=C sort)
	got=$(awk -F'\t' '$2 == "dependent" && $4 ~ /^Fixture\./ { print $4 "\t" $6 }' <<<"$list" | LC_ALL=C sort)
	[[ $got == "$want" ]] || { echo "$1: dependent secondaries differ:"; diff <(echo "$want") <(echo "$got"); return 1; }
}

# /handles/stats: one COUNT<TAB>KIND line per kind, by name, counting /handles/list;
# then the total.
check_stats() { # DUMP
	read_list "$1"
	run -0 tree_cat /handles/stats
	local kinds want
	kinds='async-pinned cross-reference dependent pinned refcounted sizedref strong variable weak-interior-pointer weak-long weak-native-com weak-short'
	want=$(awk -F'\t' -v kinds="$kinds" '{ n[$2]++ }
		END { k = split(kinds, a, " "); for (i = 1; i <= k; i++) print n[a[i]] + 0 "\t" a[i]; print NR "\tTotal" }' <<<"$list")
	[[ $output == "$want" ]] || { echo "$1: /handles/stats:"; diff <(echo "$want") <(echo "$output"); return 1; }
}

# /handles/<kind>/: one link per handle of the kind, to ../../heap/objects/<object>,
# and that object exists under /heap/objects.
check_links() { # DUMP
	read_list "$1"
	local kind want got h obj row
	for kind in strong weak-short weak-long pinned dependent refcounted; do
		want=$(awk -F'\t' -v k="$kind" '$2 == k { print $1 }' <<<"$list")
		run -0 tree_ls "/handles/$kind"
		[[ $output == "$want" ]] || { echo "$1: /handles/$kind lists:"; diff <(echo "$want") <(echo "$output"); return 1; }
	done
	local -a rows
	mapfile -t rows < <(awk -F'\t' '$4 ~ /^Fixture\./ || $4 == "System.Byte[]" { print $1 " " $2 " " $3 }' <<<"$list")
	((${#rows[@]} >= 11))
	for row in "${rows[@]}"; do
		read -r h kind obj <<<"$row"
		run -0 tree_readlink "/handles/$kind/$h"
		[[ $output == "../../heap/objects/$obj" ]] || { echo "$1: /handles/$kind/$h -> $output, not $obj"; return 1; }
		run -0 tree_readlink "/heap/objects/$obj"
	done
}

# /finalizer: the Fixture objects registered (by type and generation) and ready, exactly.
check_finalizer() { # DUMP
	use_dump "$1"
	local want got running bad
	run -0 tree_cat /finalizer/registered
	local reg=$output
	bad=$(LC_ALL=C awk -F'\t' '
		NF != 3 || length($1) != 18 || $3 !~ /^([012]|loh|poh)$/ || $2 == "" { print "line " NR ": " $0; exit }
		NR > 1 && $1 < prev { print "not sorted at line " NR; exit } { prev = $1 }' <<<"$reg")
	[[ -z $bad ]] || { echo "$1: /finalizer/registered: $bad"; return 1; }
	want=$(manifest '.finalizer.registered | to_entries[] | "\(.key)\t\(.value[1])\t\(.value[0])"' | LC_ALL=C sort)
	got=$(awk -F'\t' '$2 ~ /^Fixture\./ { n[$2 "\t" $3]++ } END { for (k in n) print k "\t" n[k] }' <<<"$reg" | LC_ALL=C sort)
	[[ $got == "$want" ]] || { echo "$1: registered Fixture objects differ:"; diff <(echo "$want") <(echo "$got"); return 1; }
	run -0 tree_cat /finalizer/ready
	local ready=$output
	bad=$(LC_ALL=C awk -F'\t' 'NF != 2 || length($1) != 18 || $2 == "" { print "line " NR ": " $0; exit }
		NR > 1 && $1 < prev { print "not sorted at line " NR; exit } { prev = $1 }' <<<"$ready")
	[[ -z $bad ]] || { echo "$1: /finalizer/ready: $bad"; return 1; }
	want=$(manifest '.finalizer.ready | to_entries[] | "\(.key)\t\(.value)"' | LC_ALL=C sort)
	got=$(awk -F'\t' '$2 ~ /^Fixture\./ { n[$2]++ } END { for (k in n) print k "\t" n[k] }' <<<"$ready" | LC_ALL=C sort)
	[[ $got == "$want" ]] || { echo "$1: ready Fixture objects differ:"; diff <(echo "$want") <(echo "$got"); return 1; }
	# The object whose finalizer is running has left the queue.
	running=$(manifest .finalizer.running)
	! grep -qF "$running" <<<"$reg$ready"
	# The stats count both files.
	run -0 tree_cat /finalizer/stats
	expect_field heaps "$(manifest .heap_count)"
	expect_field registered "$(grep -c . <<<"$reg")"
	expect_field "registered gen2" "$(awk -F'\t' '$3 == 2' <<<"$reg" | grep -c .)"
	expect_field "registered gen0" "$(awk -F'\t' '$3 == 0' <<<"$reg" | grep -c .)"
	expect_field ready "$(grep -c . <<<"$ready")"
}

@test "handles/full: every handle of the manifest, with its kind and types" { check_manifest_handles handles/full; }
@test "handles/heap: every handle of the manifest, with its kind and types" { check_manifest_handles handles/heap; }
@test "handles-server/full: every handle of the manifest, with its kind and types" { check_manifest_handles handles-server/full; }
@test "handles-server/heap: every handle of the manifest, with its kind and types" { check_manifest_handles handles-server/heap; }

@test "handles/full: Fixture handles per kind and dependent secondaries, exactly" { check_kinds handles/full; }
@test "handles/heap: Fixture handles per kind and dependent secondaries, exactly" { check_kinds handles/heap; }
@test "handles-server/full: Fixture handles per kind and dependent secondaries, exactly" { check_kinds handles-server/full; }
@test "handles-server/heap: Fixture handles per kind and dependent secondaries, exactly" { check_kinds handles-server/heap; }

@test "handles/full: /handles/stats counts /handles/list" { check_stats handles/full; }
@test "handles-server/heap: /handles/stats counts /handles/list" { check_stats handles-server/heap; }

@test "handles/full: /handles/<kind>/<handle> link to the objects" { check_links handles/full; }
@test "handles/heap: /handles/<kind>/<handle> link to the objects" { check_links handles/heap; }
@test "handles-server/full: /handles/<kind>/<handle> link to the objects" { check_links handles-server/full; }
@test "handles-server/heap: /handles/<kind>/<handle> link to the objects" { check_links handles-server/heap; }

@test "handles/full: /finalizer registered and ready" { check_finalizer handles/full; }
@test "handles/heap: /finalizer registered and ready" { check_finalizer handles/heap; }
@test "handles-server/full: /finalizer registered and ready" { check_finalizer handles-server/full; }
@test "handles-server/heap: /finalizer registered and ready" { check_finalizer handles-server/heap; }

@test "the other fixtures' handle tables and queues read without complaint" {
	local d
	for d in heap/heap heap-segments/heap; do
		use_dump "$d"
		run -0 tree_cat /handles/stats
		[[ $(tail -n1 <<<"$output") =~ ^[1-9][0-9]*$'\t'Total$ ]]
		run -0 tree_cat /finalizer/stats
		expect_field_re registered '^[1-9][0-9]*$'
	done
}
