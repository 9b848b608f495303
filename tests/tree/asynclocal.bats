#!/usr/bin/env bats
# /threads/<id>/asynclocals, executioncontext and the context and exception lines of
# info, for the full and the heap dump of the asynclocal fixture, against its manifest.
# The manifest gives per thread (by name) each value's logical key, key type and value,
# an object as "OBJ Type {Field=value, ...}" (fields by name): each line of the file is
# brought to that form by reading the object's type and dump, the lines are compared
# as exact multisets, and the key addresses must map one to one onto the logical keys
# (the "shared" AsyncLocal has one address on every thread that holds it).
load helpers

use_fixture asynclocal

setup_file() { mount_dumps full heap; }
teardown_file() { unmount_dumps; }

# The managed id of the manifest thread named NAME.
thread_id() { manifest ".threads[] | select(.name == \"$1\") | .managed_id"; }

# Prints the line "KEY-TYPE<TAB>VALUE" of an asynclocals line's last two columns, an
# object value as "OBJ Type {Field=value, ...}", fields sorted by name.
normalize_value() { # TYPE VALUE
	local type=$1 value=$2 addr otype fields
	if [[ $value =~ ^(0x[0-9a-f]{16})\ (.+)$ ]]; then
		addr=${BASH_REMATCH[1]}
		otype=${BASH_REMATCH[2]}
		[[ $(tree_cat "/heap/objects/$addr/type") == "$otype" ]] || { echo "BAD-TYPE $value"; return; }
		fields=$(tree_cat "/heap/objects/$addr/dump" | LC_ALL=C sort | awk -F'\t' '{ printf "%s%s=%s", (NR > 1 ? ", " : ""), $1, $3 }')
		value="OBJ $otype {$fields}"
	fi
	printf '%s\t%s\n' "$type" "$value"
}

# Checks every manifest thread's asynclocals; writes KEY<TAB>ADDR per value to
# $BATS_TEST_TMPDIR/keys for the key check.
check_values() { # KIND
	use_dump "$1"
	local name id file got want addr type value key n=0
	: >"$BATS_TEST_TMPDIR/keys"
	while read -r name; do
		id=$(thread_id "$name")
		file=$(tree_cat "/threads/$id/asynclocals")
		want=$(manifest ".threads[] | select(.name == \"$name\") | .entries[] | \"\(.type)\t\(.value)\"")
		# Empty file when there are no values: not even a newline.
		if [[ -z $want ]]; then
			[[ $(tree_cat "/threads/$id/asynclocals" | wc -c) -eq 0 ]] || { echo "$name: not empty: $file"; return 1; }
			continue
		fi
		# Sorted by key address, each key once.
		cut -f1 <<<"$file" | LC_ALL=C sort -c -u || { echo "$name: not sorted by key address:"; echo "$file"; return 1; }
		got=$(while IFS=$'\t' read -r addr type value; do normalize_value "$type" "$value"; done <<<"$file")
		if [[ $(LC_ALL=C sort <<<"$got") != "$(LC_ALL=C sort <<<"$want")" ]]; then
			echo "$name (thread $id): asynclocals differ from the manifest"
			diff <(LC_ALL=C sort <<<"$want") <(LC_ALL=C sort <<<"$got") || true
			return 1
		fi
		# Each expected line is unique within its thread, so it names its key.
		[[ $(LC_ALL=C sort <<<"$want" | uniq -d) == "" ]]
		while IFS=$'\t' read -r addr type value; do
			key=$(normalize_value "$type" "$value" | jq -Rr --arg name "$name" --slurpfile m "$MANIFEST" \
				'split("\t") as [$t, $v] | $m[0].threads[] | select(.name == $name) | .entries[] | select(.type == $t and .value == $v) | .key')
			printf '%s\t%s\n' "$key" "$addr" >>"$BATS_TEST_TMPDIR/keys"
			n=$((n + 1))
		done <<<"$file"
	done < <(manifest '.threads[].name')
	((n == $(manifest '[.threads[].entries[]] | length')))
	# Logical keys and addresses correspond one to one.
	local pairs keys addrs
	pairs=$(LC_ALL=C sort -u "$BATS_TEST_TMPDIR/keys")
	keys=$(cut -f1 <<<"$pairs" | LC_ALL=C sort -u | wc -l)
	addrs=$(cut -f2 <<<"$pairs" | LC_ALL=C sort -u | wc -l)
	[[ $(wc -l <<<"$pairs") == "$keys" && $keys == "$addrs" ]] || { echo "keys and addresses do not match one to one:"; echo "$pairs"; return 1; }
	# The shared key is held by more than one thread, at one address.
	(($(grep -c $'^shared\t' "$BATS_TEST_TMPDIR/keys") > 5))
}

# info's execution-context, execution-context-flow and exception lines, and the
# executioncontext link to a System.Threading.ExecutionContext.
check_context() { # KIND
	use_dump "$1"
	local name id flow exception ec
	while read -r name; do
		id=$(thread_id "$name")
		flow=$(manifest ".threads[] | select(.name == \"$name\") | .flow")
		exception=$(manifest ".threads[] | select(.name == \"$name\") | .exception")
		run -0 tree_cat "/threads/$id/info"
		expect_field execution-context-flow "$flow"
		expect_field exception "$exception"
		ec=$(field execution-context)
		if [[ $name == al-0 ]]; then
			# No value ever set: the default context, a null reference.
			[[ $ec == null ]] || { echo "$name: execution-context $ec"; return 1; }
			run -0 tree_ls "/threads/$id"
			! grep -qx executioncontext <<<"$output"
			continue
		fi
		[[ $ec =~ ^0x[0-9a-f]{16}$ ]] || { echo "$name: execution-context $ec"; return 1; }
		run -0 tree_readlink "/threads/$id/executioncontext"
		[[ $output == "../../heap/objects/$ec" ]] || { echo "$name: executioncontext -> $output"; return 1; }
		run -0 tree_cat "/threads/$id/executioncontext/type"
		[[ $output == System.Threading.ExecutionContext ]]
		run -0 tree_cat "/threads/$id/executioncontext/fields/m_isFlowSuppressed"
		[[ $output == "$([[ $flow == suppressed ]] && echo true || echo false)" ]]
	done < <(manifest '.threads[].name')
	# The manifest has each case the tests rely on.
	[[ $(manifest '[.threads[] | select(.flow == "suppressed")] | length') == 2 ]]
	[[ $(manifest '[.threads[] | select(.exception != "none")] | length') == 1 ]]
}

# The storage variants: the counts the fixture sets select every map type the runtime
# has, each read (a thread of each size above).
check_variants() { # KIND
	use_dump "$1"
	local n id map
	for n in 1 2 3 4 16 17 40; do
		id=$(thread_id "al-$n")
		run -0 tree_cat "/threads/$id/executioncontext/fields/m_localValues/type"
		map=$output
		case $n in
		1) [[ $map == *+OneElementAsyncLocalValueMap ]] ;;
		2) [[ $map == *+TwoElementAsyncLocalValueMap ]] ;;
		3) [[ $map == *+ThreeElementAsyncLocalValueMap ]] ;;
		4) [[ $map == *+FourElementAsyncLocalValueMap ]] ;;
		16) [[ $map == *+MultiElementAsyncLocalValueMap ]] ;;
		*) [[ $map == *+ManyElementAsyncLocalValueMap ]] ;;
		esac || { echo "al-$n: map $map"; return 1; }
		[[ $(tree_cat "/threads/$id/asynclocals" | wc -l) == "$n" ]]
	done
	id=$(thread_id al-suppressed-empty)
	run -0 tree_cat "/threads/$id/executioncontext/fields/m_localValues/type"
	[[ $output == *+EmptyAsyncLocalValueMap ]]
}

@test "full: asynclocals hold exactly the manifest's values" { check_values full; }
@test "heap: asynclocals hold exactly the manifest's values" { check_values heap; }
@test "full: info shows the context's flow and the current exception; executioncontext links" { check_context full; }
@test "heap: info shows the context's flow and the current exception; executioncontext links" { check_context heap; }
@test "full: every AsyncLocalValueMap variant is read" { check_variants full; }
@test "heap: every AsyncLocalValueMap variant is read" { check_variants heap; }

# scripts/fixtures pointed one thread's m_localValues at a string: a map type that is
# not an AsyncLocalValueMap variant is named, never read as empty.
@test "heap: an unknown AsyncLocal map type is unreadable, named" {
	local dir=$CLRFS_FIXTURES/unknown-map id
	[[ -f $dir/heap.core ]] || { echo "no $dir/heap.core: run scripts/fixtures"; return 1; }
	id=$(<"$dir/thread")
	DUMP=$dir/heap.core
	run -0 clrfs_print --print "/threads/$id/asynclocals"
	[[ $output == "<unreadable: unknown AsyncLocal map System.String>" ]]
	run -0 clrfs_print --print "/threads/$id/info"
	expect_field execution-context-flow flowing
}
