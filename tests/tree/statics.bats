#!/usr/bin/env bats
# Static fields (tests/fixtures/threadpool manifest "statics" and "strings"): each field of
# each type under /statics/<type>/ and, for a type with objects, /heap/types/<type>/statics/,
# compared exactly with what the fixture set, in a full and a heap dump.
load helpers

DUMPS=(threadpool/full threadpool/heap)
use_fixture threadpool

setup_file() { mount_dumps "${DUMPS[@]}"; }
teardown_file() { unmount_dumps; }

# Compares every static the manifest lists under DIR (a type's statics directory):
# "@Type" is a link into /heap/objects to an object of that type (a string's value is
# in the manifest's "strings"), anything else the file's exact text.
check_statics() { # DIR TYPE
	local dir=$1 type=$2 field want addr
	while IFS=$'\t' read -r field want; do
		if [[ $want == @* ]]; then
			run -0 tree_readlink "$dir/$field"
			[[ $output =~ heap/objects/(0x[0-9a-f]{16})$ || $output =~ \.\./objects/(0x[0-9a-f]{16})$ ]] ||
				{ echo "$type $field -> $output"; return 1; }
			addr=${BASH_REMATCH[1]}
			run -0 tree_cat "/heap/objects/$addr/type"
			[[ $output == "${want#@}" ]] || { echo "$type $field: type $output, expected ${want#@}"; return 1; }
			if [[ $want == @System.String ]]; then
				run -0 tree_cat "/heap/objects/$addr/value"
				[[ $output == "$(manifest ".strings[\"$type/$field\"]")" ]] ||
					{ echo "$type $field: '$output'"; return 1; }
			fi
		else
			run -0 tree_cat "$dir/$field"
			[[ $output == "$want" ]] || { echo "$type $field: '$output', expected '$want'"; return 1; }
		fi
	done < <(jq -r --arg t "$type" '.statics[$t] | to_entries[] | "\(.key)\t\(.value)"' "$MANIFEST")
}

check_all() { # DUMP
	use_dump "$1"
	local type
	run -0 tree_ls /statics
	local listing=$output
	while read -r type; do
		grep -qxF "$type" <<<"$listing" || { echo "/statics lacks $type"; return 1; }
		check_statics "/statics/$type" "$type"
	done < <(manifest '.statics | keys[]')
}

@test "statics: every field of each kind, in a generic type too (full dump)" { check_all threadpool/full; }
@test "statics: every field of each kind, in a generic type too (heap dump)" { check_all threadpool/heap; }

@test "statics: a type with objects has them under /heap/types/<type>/statics too" {
	for d in "${DUMPS[@]}"; do
		use_dump "$d"
		run -0 tree_ls /heap/types/System.String
		grep -qx statics <<<"$output"
		run -0 tree_readlink /heap/types/System.String/statics/Empty
		[[ $output =~ ^\.\./\.\./\.\./objects/0x[0-9a-f]{16}$ ]]
		run -0 tree_cat "/heap/types/System.String/statics/Empty/value"
		[[ $output == "" ]]
		run -0 tree_ls /heap/types/Fixture.Node
		! grep -qx statics <<<"$output"
	done
}
