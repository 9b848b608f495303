#!/usr/bin/env bats
# Fields, values and dump files of the heap fixture's selected objects (tests/fixtures/heap
# manifest "selected": each object found by its Id, with the exact rendering expected of
# each field file, and the type, value, length or fields of each object it refers to).
load helpers

DUMPS=(heap/full heap/heap heap-server/heap)
use_fixture heap

setup_file() { mount_dumps "${DUMPS[@]}"; }
teardown_file() { unmount_dumps; }

# Fields whose expected rendering clrfs cannot produce yet, each with the reason.
KNOWN_GAPS=()

# The address of the selected object of TYPE whose Id field is ID, from the objects file.
find_object() { # TYPE ID
	run -0 tree_cat "/heap/types/$1/objects"
	grep -E $'\t'"\\{(.*, )?Id=$2[,}]" <<<"$output" | cut -f1
}

# Checks one referenced object: its type, and its value, length or fields.
check_ref() { # DIR FIELD JSON
	local dir=$1 field=$2 ref=$3 target addr type
	run -0 tree_readlink "$dir/fields/$field"
	target=$output
	[[ $target =~ objects/(0x[0-9a-f]{16})$ ]] || { echo "$field -> $target"; return 1; }
	addr=${BASH_REMATCH[1]}
	type=$(jq -r .type <<<"$ref")
	run -0 tree_cat "/heap/objects/$addr/type"
	[[ $output == "$type" ]] || { echo "$field: type $output, expected $type"; return 1; }
	if jq -e 'has("value")' <<<"$ref" >/dev/null; then
		run -0 tree_cat "/heap/objects/$addr/value"
		[[ $output == "$(jq -r .value <<<"$ref")" ]] || { echo "$field: value '$output'"; return 1; }
	fi
	if jq -e 'has("length")' <<<"$ref" >/dev/null; then
		run -0 tree_cat "/heap/types/$type/objects"
		grep -qxF "$addr"$'\t'"$(grep -F "$addr" <<<"$output" | head -n1 | cut -f2)"$'\t'"length=$(jq -r .length <<<"$ref")" <<<"$output" ||
			{ echo "$field: $(grep -F "$addr" <<<"$output" | head -n1)"; return 1; }
	fi
	local k v
	while IFS=$'\t' read -r k v; do
		[[ -n $k ]] || continue
		run -0 tree_cat "/heap/objects/$addr/fields/$k"
		[[ $output == "$v" ]] || { echo "$field/$k: '$output', expected '$v'"; return 1; }
	done < <(jq -r '(.fields // {}) | to_entries[] | "\(.key)\t\(.value)"' <<<"$ref")
}

check_selected() { # DUMP
	use_dump "$1"
	local n sel type id addr dir path want field
	n=$(manifest '.selected | length')
	((n > 0))
	for ((sel = 0; sel < n; sel++)); do
		type=$(manifest ".selected[$sel].type")
		id=$(manifest ".selected[$sel].id")
		addr=$(find_object "$type" "$id")
		[[ $addr =~ ^0x[0-9a-f]{16}$ ]] || { echo "$type Id=$id: not found ($addr)"; return 1; }
		dir=/heap/types/$type/$addr
		run -0 tree_cat "$dir/dump"
		local dump=$output
		while IFS=$'\t' read -r path want; do
			[[ " ${KNOWN_GAPS[*]} " == *" $path "* ]] && continue
			run -0 tree_cat "$dir/fields/$path"
			[[ $output == "$want" ]] || { echo "$type Id=$id: fields/$path is '$output', expected '$want'"; return 1; }
			# dump: NAME<TAB>TYPE<TAB>VALUE, the same value for scalar fields.
			if [[ $path != */* ]]; then
				grep -qE "^$path"$'\t[^\t]+\t' <<<"$dump" || { echo "no $path in dump"; return 1; }
				[[ $(grep -E "^$path"$'\t' <<<"$dump" | cut -f3-) == "$want" ]] ||
					{ echo "dump: $(grep -E "^$path"$'\t' <<<"$dump")"; return 1; }
			fi
		done < <(manifest ".selected[$sel].fields | to_entries[] | \"\(.key)\t\(.value)\"")
		while IFS=$'\t' read -r field ref; do
			[[ -n $field ]] || continue
			check_ref "$dir" "$field" "$ref"
		done < <(manifest ".selected[$sel].refs // {} | to_entries[] | \"\(.key)\t\(.value | tojson)\"")
	done
}

# A null reference is a file holding null; a reference is a relative symlink.
check_null_and_links() { # DUMP
	use_dump "$1"
	local addr
	addr=$(find_object Fixture.AllKinds 1)
	run -0 tree_cat "/heap/types/Fixture.AllKinds/$addr/fields/Nothing"
	[[ $output == null ]]
	run -0 tree_readlink "/heap/types/Fixture.AllKinds/$addr/fields/Text"
	[[ $output == ../../../../objects/0x* ]]
	# Structs are directories of their own fields.
	run -0 tree_ls "/heap/types/Fixture.AllKinds/$addr/fields/Bounds"
	[[ $(tr '\n' ' ' <<<"$output") == "From To Weight " ]]
}

# grep finds a string among a million in the objects file of System.String.
check_string_grep() { # DUMP
	use_dump "$1"
	run -0 tree_cat /heap/types/System.String/objects
	[[ $(grep -cF '"s999999"' <<<"$output") == 1 ]]
	[[ $(grep -cF '"s0"' <<<"$output") == 1 ]]
}

# info lists the type's layout: every field of the manifest, once, with its type.
check_type_info() { # DUMP
	use_dump "$1"
	local f
	run -0 tree_cat /heap/types/Fixture.AllKinds/info
	grep -qx 'parent: System.Object' <<<"$output"
	grep -qx 'base-size: [0-9]*' <<<"$output"
	for f in $(manifest '.selected[0].fields | keys[] | select(contains("/") | not)'); do
		[[ $(grep -cE "^field: [0-9]+"$'\t[^\t]+\t'"$f\$" <<<"$output") == 1 ]] || { echo "field $f:"; echo "$output"; return 1; }
	done
	grep -qE "^field: [0-9]+"$'\t'"System.Nullable<System.Int32>"$'\t'"NullableSet\$" <<<"$output"
	# Static fields are listed: String.Empty is one.
	run -0 tree_cat /heap/types/System.String/info
	grep -qx $'static: System.String\tEmpty' <<<"$output"
}

@test "heap/heap: /heap/types/<type>/info gives the field layout" { check_type_info heap/heap; }
@test "heap/full: selected objects' fields, dump and references match the manifest" { check_selected heap/full; }
@test "heap/heap: selected objects' fields, dump and references match the manifest" { check_selected heap/heap; }
@test "heap-server/heap: selected objects' fields, dump and references match the manifest" { check_selected heap-server/heap; }
@test "heap/heap: null references, relative links, struct directories" { check_null_and_links heap/heap; }
@test "heap/heap: a string is found among a million with one grep" { check_string_grep heap/heap; }
