#!/usr/bin/env bats
# A collection's items and count (issue 19) against the collections fixture's manifest
# (tests/fixtures/collections): arrays, List, Queue (wrapped), Stack, HashSet and
# Dictionary (with freed slots), LinkedList, a dictionary of structs, chars that need
# escaping, nested lists; each collection reached through its static field, its items
# compared line by line, exactly; full and heap dumps.
# shellcheck disable=SC2016 # jq programs in single quotes
load helpers

DUMPS=(collections/full collections/heap)
use_fixture collections

setup_file() { mount_dumps "${DUMPS[@]}"; }
teardown_file() { unmount_dumps; }

# The object a static field of the manifest's holder type holds.
static_object() { # FIELD
	local holder
	holder=$(manifest .holder)
	run -0 tree_cat "/statics/$holder/$1/../type"
	if [[ $TREE_MODE == fuse ]]; then
		readlink -f "$MNT/statics/$holder/$1" | sed 's|.*/||'
	else
		tree_readlink "/statics/$holder/$1" | sed 's|.*/||'
	fi
}

check_items() { # DUMP
	use_dump "$1"
	local field obj want got n=0
	while read -r field; do
		obj=$(static_object "$field")
		[[ $obj == 0x* ]] || { echo "$1: $field: no object ($obj)"; return 1; }
		want=$(manifest ".fields.$field.items[]")
		run -0 tree_cat "/heap/objects/$obj/items"
		got=$output
		[[ $got == "$want" ]] || { echo "$1: $field ($obj): items differ:"; diff <(echo "$want") <(echo "$got"); return 1; }
		run -0 tree_cat "/heap/objects/$obj/count"
		[[ $output == "$(manifest ".fields.$field.count")" ]] || { echo "$1: $field: count $output"; return 1; }
		n=$((n + 1))
	done < <(manifest '.fields | keys[]')
	((n >= 12)) || { echo "$1: $n collections compared"; return 1; }
}

# The outer list's items are references to lists, whose items are the manifest's.
check_nested() { # DUMP
	use_dump "$1"
	local obj k inner # not i: bats's run sets it
	local -a outer
	obj=$(static_object Nested)
	mapfile -t outer < <(tree_cat "/heap/objects/$obj/items")
	((${#outer[@]} == $(manifest '.nested | length')))
	for ((k = 0; k < ${#outer[@]}; k++)); do
		[[ ${outer[k]} == 0x*" System.Collections.Generic.List<System.Int32>" ]] ||
			{ echo "$1: nested item '${outer[k]}'"; return 1; }
		inner=${outer[k]%% *}
		run -0 tree_cat "/heap/objects/$inner/items"
		[[ $output == "$(manifest ".nested[$k][]")" ]] || { echo "$1: nested list $k: $output"; return 1; }
	done
}

@test "collections/full: items and count of each collection equal the manifest's" { check_items collections/full; }
@test "collections/heap: items and count of each collection equal the manifest's" { check_items collections/heap; }
@test "collections/full: a list of lists holds references to lists of the manifest's items" { check_nested collections/full; }
@test "collections/heap: a list of lists holds references to lists of the manifest's items" { check_nested collections/heap; }

@test "collections/full: objects that are no collection have no items" {
	use_dump collections/full
	local obj
	obj=$(static_object IntList)
	run -0 tree_ls "/heap/objects/$obj"
	grep -qx items <<<"$output"
	run -0 tree_ls /heap/types/System.String
	local s
	s=$(grep -m1 '^0x' <<<"$output")
	run -0 tree_ls "/heap/objects/$s"
	! grep -qx items <<<"$output"
}
