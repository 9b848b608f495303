#!/usr/bin/env bats
# /heap/types/<type>/ and /heap/objects against the heap fixture's manifest: every
# instance listed, every address resolving to its type's directory and back.
load helpers

DUMPS=(heap/full heap/heap heap-server/heap heap-segments/heap)
use_fixture heap

setup_file() { mount_dumps "${DUMPS[@]}"; }
teardown_file() { unmount_dumps; }

# Exact-count Fixture types of the manifest with at least one instance: "NAME COUNT".
exact_types() { manifest '.types | to_entries[] | select(.value > 0) | "\(.key) \(.value)"'; }

check_listings() { # DUMP
	use_dump "$1"
	local name count listed
	run -0 tree_ls /heap/types
	local types=$output
	# Directory names are unique and at most 255 bytes.
	[[ -z $(sort <<<"$types" | uniq -d) ]]
	awk 'length($0) > 255 { print "too long: " $0; bad = 1 } END { exit bad }' <<<"$types"
	while read -r name count; do
		grep -qxF "$name" <<<"$types" || { echo "no /heap/types/$name"; return 1; }
		run -0 tree_ls "/heap/types/$name"
		listed=$(grep -c '^0x[0-9a-f]\{16\}$' <<<"$output" || true)
		[[ $listed == "$count" ]] || { echo "$name: $listed listed, manifest $count"; return 1; }
		grep -qx info <<<"$output"
		grep -qx objects <<<"$output"
		run -0 tree_cat "/heap/types/$name/info"
		grep -qx "count: $count" <<<"$output" || { echo "$output"; return 1; }
		run -0 tree_cat "/heap/types/$name/objects"
		[[ $(wc -l <<<"$output") == "$count" ]]
	done < <(exact_types)
}

# For up to 20 instances of each exact-count type: /heap/objects/<addr> links to
# ../types/<name>/<addr>, and that directory's type file names the type.
check_links() { # DUMP
	use_dump "$1"
	local name count addr
	while read -r name count; do
		run -0 tree_cat "/heap/types/$name/objects"
		for addr in $(cut -f1 <<<"$output" | head -n 20); do
			run -0 tree_readlink "/heap/objects/$addr"
			[[ $output == "../types/$name/$addr" ]] || { echo "$addr -> $output, not $name"; return 1; }
			run -0 tree_cat "/heap/objects/$addr/type"
			[[ $output == "$name" ]]
		done
	done < <(exact_types)
}

# An address inside an object, and one outside the heap, are not objects.
check_non_objects() { # DUMP
	use_dump "$1"
	local addr
	run -0 tree_cat /heap/types/Fixture.Marker/objects
	addr=$(head -n 1 <<<"$output" | cut -f1)
	expect_enoent "/heap/objects/$(printf '0x%016x' $((addr + 8)))"
	expect_enoent /heap/objects/0x0000000000001000
	expect_enoent /heap/objects/0x1000
	# The object itself is there: the three above fail for what they name.
	run -0 tree_readlink "/heap/objects/$(printf '0x%016x' "$addr")"
}

# Fails unless PATH of the tree does not exist: ENOENT, not another error.
expect_enoent() { # PATH
	if [[ $TREE_MODE == fuse ]]; then
		run -1 stat -c %N -- "$MNT$1"
	else
		run -1 "$CLRFS_BIN" --readlink "$1" "$DUMP"
	fi
	[[ $output == *"$1"*": No such file or directory" ]] || { echo "$1: $output"; return 1; }
}

@test "heap/full: /heap/types lists every instance of the manifest's types" { check_listings heap/full; }
@test "heap/heap: /heap/types lists every instance of the manifest's types" { check_listings heap/heap; }
@test "heap-server/heap: /heap/types lists every instance of the manifest's types" { check_listings heap-server/heap; }
@test "heap/full: /heap/objects links resolve to the right type and back" { check_links heap/full; }
@test "heap/heap: /heap/objects links resolve to the right type and back" { check_links heap/heap; }
@test "heap-server/heap: /heap/objects links resolve to the right type and back" { check_links heap-server/heap; }
@test "heap/full: addresses that are not objects are absent from /heap/objects" { check_non_objects heap/full; }
@test "heap-segments/heap: /heap/types lists every instance of the manifest's types" { check_listings heap-segments/heap; }
@test "heap-segments/heap: /heap/objects links resolve to the right type and back" { check_links heap-segments/heap; }

# refs names each reference where the object holds it: a field's reference is the
# object fields/<FIELD> links to; an array's element [i] is the i-th line of its value
# file; an element of an array of structs is [i].field.
check_ref_names() { # DUMP
	use_dump "$1"
	local obj addr type field target
	obj=$(tree_ls /heap/types/Fixture.Arrays | grep -m1 -E '^0x')
	run -0 tree_cat "/heap/objects/$obj/refs"
	((${#lines[@]} >= 5)) || { echo "$output"; return 1; }
	while IFS=$'\t' read -r addr type field; do
		target=$(tree_readlink "/heap/objects/$obj/fields/$field")
		[[ $target == */objects/$addr ]] || { echo "$field: $addr, but fields/ links to $target"; return 1; }
		[[ $(tree_cat "/heap/objects/$addr/type") == "$type" ]] || { echo "$addr is no $type"; return 1; }
	done <<<"$output"
	obj=$(tree_ls '/heap/types/Fixture.Marker[]' | grep -m1 -E '^0x')
	local refs values bad
	refs=$(tree_cat "/heap/objects/$obj/refs")
	values=$(tree_cat "/heap/objects/$obj/value")
	# the k-th ref is the k-th non-null element, "ADDR Fixture.Marker [i]" (awk: the
	# array holds 100,000 elements, too many for a shell loop)
	bad=$(awk -F'\t' '
		NR == FNR { if ($0 != "null") { split($0, a, " "); want[++n] = a[1] "\tFixture.Marker\t[" FNR - 1 "]" } next }
		$0 != want[FNR] { print "ref " FNR ": " $0 ", expected " want[FNR]; exit }
		{ m = FNR }
		END { if (m != n || n < 10) print m " refs for " n " non-null elements" }' \
		<(echo "$values") <(echo "$refs"))
	[[ -z $bad ]] || { echo "$bad"; return 1; }
	# Dictionary<string, object>'s entries: structs holding key and value.
	run -0 tree_ls '/heap/types/System.Collections.Generic.Dictionary<System.String,System.Object>+Entry[]'
	obj=$(grep -m1 -E '^0x' <<<"$output")
	run -0 tree_cat "/heap/objects/$obj/refs"
	grep -qE $'^0x[0-9a-f]{16}\tSystem.String\t\\[0\\]\\.key$' <<<"$output" || { echo "$output"; return 1; }
	run -1 grep -vE $'\t\\[[0-9]+\\]\\.(key|value)$' <<<"$output"
}

@test "heap/full: refs names each reference by its field or element" { check_ref_names heap/full; }
@test "heap/heap: refs names each reference by its field or element" { check_ref_names heap/heap; }
