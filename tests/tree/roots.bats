#!/usr/bin/env bats
# /heap/roots, /heap/live/stats, /heap/dead/stats and each object's path (issue 18)
# against the roots fixture's manifest (tests/fixtures/roots): a static cache, objects
# kept only by strong handles, only by a thread's local, only by the finalization queue,
# and garbage a thread made and dropped before it exited; full and heap dumps. And the
# handles fixture's dependent handle, whose secondary lives through its primary.
# shellcheck disable=SC2016 # jq and awk programs in single quotes
load helpers

DUMPS=(roots/full roots/heap handles/full)
use_fixture roots

setup_file() { mount_dumps "${DUMPS[@]}"; }
teardown_file() { unmount_dumps; }

KINDS='static|thread-static|handle-(strong|pinned|async-pinned|refcounted|sizedref|variable)|finalizer|stack\?'

# Every line of /heap/roots: KIND SOURCE ADDR TYPE, kinds in their order, each
# (kind, source, object) once.
check_roots_format() { # DUMP
	use_dump "$1"
	run -0 tree_cat /heap/roots
	[[ -n $output ]]
	local bad
	bad=$(LC_ALL=C awk -F'\t' -v kinds="^($KINDS)\$" '
		BEGIN { split("static thread-static handle finalizer stack?", order, " "); for (i in order) rank[order[i]] = i }
		function fail(why) { print "line " NR ": " why ": " $0; exit }
		NF != 4 { fail("not 4 fields") }
		$1 !~ kinds { fail("an unknown kind") }
		$2 == "" || $4 == "" || $4 ~ /unreadable/ { fail("no source or type") }
		function addr(s) { return length(s) == 18 && s ~ /^0x[0-9a-f]+$/ }
		!addr($3) { fail("not an address") }
		{ k = $1 ~ /^handle-/ ? "handle" : $1; if (rank[k] < last) fail("kinds out of order"); last = rank[k] }
		seen[$1 "\t" $2 "\t" $3]++ { fail("listed twice") }
		$1 == "stack?" && $2 !~ /^[0-9]+$/ { fail("a stack root not named by its thread") }
		$1 ~ /^handle-/ && !addr($2) { fail("a handle root not named by its handle") }
		$1 == "static" && $2 !~ /\./ { fail("a static not named Type.field") }' <<<"$output")
	[[ -z $bad ]] || { echo "$1: /heap/roots: $bad"; return 1; }
}

# Each live object of TYPE (garbage by the manifest) has a path from a stack.
garbage_on_stack() { # TYPE
	local a
	run -0 tree_ls "/heap/types/$1"
	for a in $(grep '^0x' <<<"$output"); do
		run -0 tree_cat "/heap/objects/$a/path"
		[[ $output == unreachable || $output == stack\?* ]] || { echo "garbage $a: $output"; return 1; }
	done
}

# The live and dead objects of each Fixture type the manifest lists, exactly; and the
# two files add up to /heap/stats, type by type and in total.
check_live_dead() { # DUMP
	use_dump "$1"
	local type n alive live dead all bad
	run -0 tree_cat /heap/live/stats
	live=$output
	run -0 tree_cat /heap/dead/stats
	dead=$output
	run -0 tree_cat /heap/stats
	all=$output
	while IFS=$'\t' read -r type n alive; do
		local want_live=0 want_dead=0 got_live got_dead
		if [[ $alive == live ]]; then want_live=$n; else want_dead=$n; fi
		got_live=$(awk -F'\t' -v t="$type" '$4 == t { print $1 }' <<<"$live")
		got_dead=$(awk -F'\t' -v t="$type" '$4 == t { print $1 }' <<<"$dead")
		if [[ $alive == dead ]] && ((${got_live:-0} > 0 && ${got_live:-0} <= 2)); then
			# A stale word of a stack may point into garbage (the scan is
			# conservative): then it is live through that stack alone.
			got_dead=$((got_dead + got_live)) got_live=0
			garbage_on_stack "$type" || return 1
		fi
		[[ ${got_live:-0} == "$want_live" && ${got_dead:-0} == "$want_dead" ]] ||
			{ echo "$1: $type: live ${got_live:-0} dead ${got_dead:-0}; manifest: $n $alive"; return 1; }
	done < <(manifest '.objects | to_entries[] | [.key, .value[0], .value[2]] | @tsv')
	# Live byte arrays: at least the cache's, each of its data length.
	local arrays
	arrays=$(awk -F'\t' '$4 == "System.Byte[]" { print $1 }' <<<"$live")
	((arrays >= $(manifest .cache.entries))) || { echo "$1: $arrays live byte arrays"; return 1; }
	bad=$(awk -F'\t' '
		FILENAME == ARGV[1] { c[$3] += $1; b[$3] += $2; next }
		FILENAME == ARGV[2] { c[$3] += $1; b[$3] += $2; next }
		c[$3] != $1 || b[$3] != $2 { print $3 " " $4 ": live + dead = " c[$3] " objects, " b[$3] " bytes; /heap/stats " $1 ", " $2 }
		{ seen[$3] = 1 }
		END { for (m in c) if (!(m in seen)) print m ": not in /heap/stats" }' \
		<(echo "$live") <(echo "$dead") <(echo "$all"))
	[[ -z $bad ]] || { echo "$1: $bad"; return 1; }
}

# The roots the manifest names: the static holding the cache, a strong handle per
# HandleOnly, the finalization queue's FinalizerOnly objects, the holder thread's
# stack holding its LocalOnly array; and nothing roots the garbage.
check_manifest_roots() { # DUMP
	use_dump "$1"
	run -0 tree_cat /heap/roots
	local roots=$output got
	got=$(awk -F'\t' -v s="$(manifest .cache.static)" '$1 == "static" && $2 == s { print $4 }' <<<"$roots")
	[[ $got == "$(manifest .cache.type)" ]] || { echo "$1: static $(manifest .cache.static) holds '$got'"; return 1; }
	local type n kind count
	while IFS=$'\t' read -r type n kind; do
		[[ $kind == static || -z $kind ]] && continue
		count=$(awk -F'\t' -v t="$type" -v k="$kind" '$1 == k && $4 == t' <<<"$roots" | wc -l)
		if [[ $kind == stack\? ]]; then
			# The thread's local holds the array; a stale slot may hold an element too.
			count=$(awk -F'\t' -v t="$type[]" -v id="$(manifest .local_thread)" \
				'$1 == "stack?" && $2 == id && $4 == t' <<<"$roots" | wc -l)
			((count == 1)) || { echo "$1: thread $(manifest .local_thread)'s stack roots $count $type[]"; return 1; }
		else
			((count == n)) || { echo "$1: $count $kind roots of $type, manifest $n"; return 1; }
		fi
	done < <(manifest '.objects | to_entries[] | [.key, .value[0], .value[1]] | @tsv')
	! grep -v '^stack?' <<<"$roots" | grep -q $'\tFixture.Garbage$' || { echo "$1: a root holds garbage"; return 1; }
	! grep -q $'^stack?\t[0-9]*\t.*\tFixture.HandleOnly$' <<<"$roots"
}

# A path: its root's line is in /heap/roots, and each hop is a line of the refs
# of the object above it (or a dependent handle's secondary). Prints the path.
check_path() { # ADDR
	local path root addr prev= line
	run -0 tree_cat "/heap/objects/$1/path"
	path=$output
	[[ $path != unreachable ]] || { echo "$path"; return 0; }
	root=$(head -n1 <<<"$path")
	addr=$(sed -n 2p <<<"$path" | cut -f1)
	run -0 tree_cat /heap/roots
	grep -qF "$root"$'\t'"$addr"$'\t' <<<"$output" || { echo "$1: path root '$root' $addr not in /heap/roots"; return 1; }
	[[ $(sed -n 2p <<<"$path" | cut -f3) == - ]] || { echo "$1: the root object's field is not -"; return 1; }
	while IFS= read -r line; do
		addr=${line%%$'\t'*}
		if [[ -n $prev && $line != *$'\t<dependent handle>' ]]; then
			run -0 tree_cat "/heap/objects/$prev/refs"
			grep -qxF "$line" <<<"$output" || { echo "$1: hop '$line' is not in $prev's refs"; return 1; }
		fi
		prev=$addr
	done < <(tail -n +2 <<<"$path")
	[[ $addr == "$1" ]] || { echo "$1: the path ends at $addr"; return 1; }
	echo "$path"
}

# The path of the first object of each manifest type: from the root the manifest
# names, through the cache's dictionary for a cache entry; unreachable for garbage.
check_manifest_paths() { # DUMP
	use_dump "$1"
	local type n kind first out
	while IFS=$'\t' read -r type n kind; do
		run -0 tree_ls "/heap/types/$type"
		first=$(grep -m1 '^0x' <<<"$output")
		out=$(check_path "$first") || { echo "$out"; return 1; }
		case $kind in
		'') [[ $out == unreachable ]] || { echo "$1: $type $first: $out"; return 1; } ;;
		static)
			[[ $(head -n1 <<<"$out") == "static"$'\t'"$(manifest .cache.static)" &&
				$(sed -n 2p <<<"$out" | cut -f2) == "$(manifest .cache.type)" &&
				-n $(tail -n1 <<<"$out" | awk -F'\t' -v t="$type" '$2 == t && $3 ~ /^\[[0-9]+\]\.value$/') ]] ||
				{ echo "$1: $type $first: $out"; return 1; } ;;
		stack\?)
			[[ $(head -n1 <<<"$out") == "stack?"$'\t'"$(manifest .local_thread)" ]] ||
				{ echo "$1: $type $first: $out"; return 1; } ;;
		*)
			[[ $(head -n1 <<<"$out") == "$kind"$'\t'* && $(wc -l <<<"$out") == 2 ]] ||
				{ echo "$1: $type $first: $out"; return 1; } ;;
		esac
	done < <(manifest '.objects | to_entries[] | [.key, .value[0], .value[1]] | @tsv')
	# A byte array of the cache: one hop past its entry, by its field.
	run -0 tree_ls "/heap/types/Fixture.CacheEntry"
	first=$(grep -m1 '^0x' <<<"$output")
	local data
	run -0 tree_cat "/heap/objects/$first/refs"
	data=$(awk -F'\t' '$3 == "Data" { print $1 }' <<<"$output")
	out=$(check_path "$data") || { echo "$out"; return 1; }
	[[ $(tail -n1 <<<"$out") == "$data"$'\t'"System.Byte[]"$'\t'Data && $(wc -l <<<"$out") == 5 ]] ||
		{ echo "$1: $data: $out"; return 1; }
}

@test "roots/full: /heap/roots lines are well formed" { check_roots_format roots/full; }
@test "roots/full: live and dead objects per type equal the manifest's" { check_live_dead roots/full; }
@test "roots/full: the manifest's roots are in /heap/roots" { check_manifest_roots roots/full; }
@test "roots/full: paths start at the manifest's roots" { check_manifest_paths roots/full; }
@test "roots/heap: /heap/roots lines are well formed" { check_roots_format roots/heap; }
@test "roots/heap: live and dead objects per type equal the manifest's" { check_live_dead roots/heap; }
@test "roots/heap: the manifest's roots are in /heap/roots" { check_manifest_roots roots/heap; }
@test "roots/heap: paths start at the manifest's roots" { check_manifest_paths roots/heap; }

@test "handles/full: a dependent handle's secondary lives through its primary" {
	use_dump handles/full
	local sec out
	run -0 tree_ls /heap/types/Fixture.DepSecondary
	sec=$(grep -m1 '^0x' <<<"$output")
	out=$(check_path "$sec") || { echo "$out"; return 1; }
	[[ $(tail -n1 <<<"$out") == "$sec"$'\t'"Fixture.DepSecondary"$'\t<dependent handle>' &&
		$(tail -n2 <<<"$out" | head -n1 | cut -f2) == Fixture.DepPrimary ]] || { echo "$out"; return 1; }
	run -0 tree_cat /heap/live/stats
	grep -q $'\tFixture.DepSecondary$' <<<"$output"
}

@test "a path of no object says why" {
	use_dump roots/full
	run tree_cat /heap/objects/0x0000000000000010/path
	((status != 0)) || [[ $output == *unreadable* ]]
}

# Retained sizes: the cache's dictionary retains exactly itself, its two arrays and
# every entry with its byte array, and is first in /heap/retained; an entry retains
# itself and its data, its dominator the dictionary's entry array; the type files add
# up; garbage retains nothing.
check_retained() { # DUMP
	use_dump "$1"
	local dict entry data want got n bytes
	run -0 tree_cat /heap/roots
	dict=$(awk -F'\t' -v s="$(manifest .cache.static)" '$1 == "static" && $2 == s { print $3 }' <<<"$output")
	[[ -n $dict ]]
	run -0 tree_cat "/heap/objects/$dict/refs"
	local buckets entries
	buckets=$(awk -F'\t' '$3 == "_buckets" { print $1 }' <<<"$output")
	entries=$(awk -F'\t' '$3 == "_entries" { print $1 }' <<<"$output")
	[[ -n $buckets && -n $entries ]] || { echo "$1: $dict: no _buckets or _entries: $output"; return 1; }
	run -0 tree_ls /heap/types/Fixture.CacheEntry
	entry=$(grep -m1 '^0x' <<<"$output")
	run -0 tree_cat "/heap/objects/$entry/refs"
	data=$(awk -F'\t' '$3 == "Data" { print $1 }' <<<"$output")
	n=$(manifest .cache.entries)
	run -0 tree_cat /heap/stats
	bytes=$(awk -F'\t' '$4 == "Fixture.CacheEntry" { print $2 }' <<<"$output")
	want=$(($(tree_cat "/heap/objects/$dict/size") + $(tree_cat "/heap/objects/$buckets/size") +
		$(tree_cat "/heap/objects/$entries/size") + bytes + n * $(tree_cat "/heap/objects/$data/size")))
	got=$(tree_cat "/heap/objects/$dict/retained")
	[[ $got == "$want" ]] || { echo "$1: the cache retains $got bytes, expected $want"; return 1; }
	[[ $(tree_cat "/heap/objects/$dict/dominator") == roots ]]
	run -0 tree_cat /heap/retained
	[[ ${lines[0]} == "$dict"$'\t'"$want"$'\t'"$(manifest .cache.type)" ]] ||
		{ echo "$1: /heap/retained starts with ${lines[0]}"; return 1; }
	((${#lines[@]} <= 1000))
	# Largest first, each line's bytes its object's retained file.
	sort -t $'\t' -k2,2nr -c <<<"$output" || { echo "$1: /heap/retained is not sorted"; return 1; }
	IFS=$'\t' read -r a b _ <<<"${lines[5]}"
	[[ $(tree_cat "/heap/objects/$a/retained") == "$b" ]]
	want=$(($(tree_cat "/heap/objects/$entry/size") + $(tree_cat "/heap/objects/$data/size")))
	[[ $(tree_cat "/heap/objects/$entry/retained") == "$want" ]] || { echo "$1: $entry retains $(tree_cat "/heap/objects/$entry/retained"), expected $want"; return 1; }
	[[ $(tree_cat "/heap/objects/$entry/dominator") == "$entries"$'\t'* ]] || { echo "$1: $entry dominated by $(tree_cat "/heap/objects/$entry/dominator")"; return 1; }
	got=$(tree_cat /heap/types/Fixture.CacheEntry/retained)
	[[ $got == $((bytes + n * $(tree_cat "/heap/objects/$data/size"))) ]] || { echo "$1: Fixture.CacheEntry retains $got"; return 1; }
	run -0 tree_ls /heap/types/Fixture.Garbage
	local g
	g=$(grep -m1 '^0x' <<<"$output")
	[[ $(tree_cat "/heap/objects/$g/retained") == unreachable || $(tree_cat "/heap/objects/$g/path") == stack\?* ]]
}

@test "roots/full: retained sizes and dominators of the cache" { check_retained roots/full; }
@test "roots/heap: retained sizes and dominators of the cache" { check_retained roots/heap; }
