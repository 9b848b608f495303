#!/usr/bin/env bats
# A collection's items, count and elements/ (issue 19) against the collections
# fixture's manifest (tests/fixtures/collections): arrays, List, Queue (wrapped), Stack,
# HashSet and Dictionary (with freed slots), LinkedList, the sorted, concurrent and
# immutable collections (a ConcurrentBag of two threads' queues, an ImmutableDictionary
# with shared hash codes), a dictionary of structs, chars that need escaping, nested
# lists; each collection reached through its static field, its items compared line by
# line and element by element, exactly; full and heap dumps.
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

# FILE's content, less its trailing line breaks, into REPLY: without a process on a
# mount (a few hundred elements are read), else through clrfs.
slurp() { # PATH
	if [[ $TREE_MODE == fuse ]]; then
		IFS= read -r -d '' REPLY <"$MNT$1" || true
		while [[ $REPLY == *$'\n' ]]; do REPLY=${REPLY%$'\n'}; done
	else
		REPLY=$(tree_cat "$1")
	fi
}

# A string quoted as clrfs quotes one in one-line contexts (values.h), for the
# fixture's strings: backslash, quote, line feed, carriage return and tab escaped.
quote() { # TEXT
	local t=$1
	t=${t//\\/\\\\}
	t=${t//\"/\\\"}
	t=${t//$'\n'/\\n}
	t=${t//$'\r'/\\r}
	t=${t//$'\t'/\\t}
	REPLY="\"$t\""
}

# One element of elements/ in the form of its items line, into REPLY: a value file's
# content; a link's target as "0x… Type", or for a string its value file (the raw
# text) quoted; a struct's directory checked field by field against the items line's
# "{Name=value, ...}", that line when every field agrees.
element_line() { # PATH ITEM
	local path=$1 item=$2 target type pairs pair name
	if [[ $TREE_MODE == fuse && -L $MNT$path ]] || { [[ $TREE_MODE != fuse ]] && target=$(tree_readlink "$path" 2>/dev/null); }; then
		slurp "$path/type"
		type=$REPLY
		if [[ $type == System.String ]]; then
			if [[ $TREE_MODE == fuse ]]; then
				IFS= read -r -d '' REPLY <"$MNT$path/value" || true
			else
				REPLY=$(tree_cat "$path/value")
			fi
			quote "$REPLY"
		else
			[[ -n $target ]] || target=$(tree_readlink "$path")
			REPLY="${target##*/} $type"
		fi
	elif [[ $item == "{"*"}" ]] && { [[ $TREE_MODE == fuse && -d $MNT$path ]] || tree_ls "$path" >/dev/null 2>&1; }; then
		pairs=${item#\{}
		pairs=${pairs%\}}
		while IFS= read -r pair; do
			name=${pair%%=*}
			slurp "$path/$name"
			[[ $REPLY == "${pair#*=}" ]] || { REPLY="$path/$name: $REPLY"; return; }
		done <<<"${pairs//, /$'\n'}"
		REPLY=$item
	else
		slurp "$path"
	fi
}

# elements/: one entry per item, named 0 to count-1, each the item of that position;
# a map's entry a directory of key and value.
check_elements() { # DUMP
	use_dump "$1"
	local field obj items item n=0 pos names
	while read -r field; do
		obj=$(static_object "$field")
		mapfile -t items < <(manifest ".fields.$field.items[]")
		names=$(tree_ls "/heap/objects/$obj/elements" | sort -n)
		[[ $names == "$(seq 0 $((${#items[@]} - 1)) 2>/dev/null)" ]] ||
			{ echo "$1: $field: elements/ lists '$names' for ${#items[@]} items"; return 1; }
		for ((pos = 0; pos < ${#items[@]}; pos++)); do
			item=${items[pos]}
			if [[ $item == *$'\t'* ]]; then
				element_line "/heap/objects/$obj/elements/$pos/key" "${item%%$'\t'*}"
				got=$REPLY$'\t'
				element_line "/heap/objects/$obj/elements/$pos/value" "${item#*$'\t'}"
				got+=$REPLY
			else
				element_line "/heap/objects/$obj/elements/$pos" "$item"
				got=$REPLY
			fi
			[[ $got == "$item" ]] || { echo "$1: $field: elements/$pos is '$got', item '$item'"; return 1; }
		done
		n=$((n + 1))
	done < <(manifest '.fields | keys[]')
	((n >= 12)) || { echo "$1: $n collections compared"; return 1; }
}

@test "collections/full: elements/ holds each item by its position, a map's as key and value" { check_elements collections/full; }
@test "collections/heap: elements/ holds each item by its position, a map's as key and value" { check_elements collections/heap; }

@test "collections/full: elements/ refuses names that are no position" {
	use_dump collections/full
	local obj
	obj=$(static_object IntArray)
	run -0 tree_cat "/heap/objects/$obj/elements/7"
	[[ $output == "$(manifest '.fields.IntArray.items[7]')" ]]
	for name in 8 07 -1 x 18446744073709551616; do
		run tree_cat "/heap/objects/$obj/elements/$name"
		((status != 0)) || { echo "elements/$name: $output"; return 1; }
	done
}

# A copy of the full dump whose IntList says it holds more than its array: items and
# count say why they cannot be read, and elements/ lists one file saying it.
@test "collections/full: a list whose size exceeds its array: unreadable, said in elements/" {
	use_dump collections/full
	local obj off patched=$BATS_TEST_TMPDIR/patched.core
	obj=$(static_object IntList)
	run -0 "$CLRFS_BIN" --print "/heap/objects/$obj/../info" "$FIXTURE/full.core"
	off=$(sed -n 's/^field: \([0-9]*\)\tSystem.Int32\t_size$/\1/p' <<<"$output")
	[[ -n $off ]]
	cp "$FIXTURE/full.core" "$patched"
	# _size (after the MethodTable pointer) set to 1,000,000 through the PT_LOAD holding it
	LC_ALL=C perl -e '
		use strict; no warnings "portable";
		my ($f, $addr) = ($ARGV[0], hex($ARGV[1]));
		open(my $fh, "+<:raw", $f) or die "$f: $!\n";
		read($fh, my $eh, 64) == 64 or die;
		my $phoff = unpack("Q<", substr($eh, 32, 8));
		my ($phentsize, $phnum) = unpack("v v", substr($eh, 54, 4));
		if ($phnum == 0xffff) {
			seek($fh, unpack("Q<", substr($eh, 40, 8)), 0);
			read($fh, my $sh, 64) == 64 or die;
			$phnum = unpack("L<", substr($sh, 44, 4));
		}
		for my $i (0 .. $phnum - 1) {
			seek($fh, $phoff + $i * $phentsize, 0);
			read($fh, my $ph, 56) == 56 or die;
			my ($type, undef, $off, $va, undef, $filesz) = unpack("L< L< Q< Q< Q< Q<", $ph);
			next unless $type == 1 && $addr >= $va && $addr + 4 <= $va + $filesz;
			seek($fh, $off + $addr - $va, 0);
			print $fh pack("L<", 1000000);
			close($fh) or die;
			exit 0;
		}
		die "0x$ARGV[1] is not in the dump\n";' "$patched" "$(printf '%x' $((obj + 8 + off)))"
	run -0 "$CLRFS_BIN" --print "/heap/objects/$obj/count" "$patched"
	[[ $output == "<unreadable: "* ]] || { echo "count: $output"; return 1; }
	run -0 "$CLRFS_BIN" --list "/heap/objects/$obj/elements" "$patched"
	[[ $output == .unreadable ]] || { echo "elements/: $output"; return 1; }
	run -0 "$CLRFS_BIN" --print "/heap/objects/$obj/elements/.unreadable" "$patched"
	[[ $output == "<unreadable: "* ]]
	run "$CLRFS_BIN" --print "/heap/objects/$obj/elements/0" "$patched"
	((status != 0))
}
