#!/usr/bin/env bats
# clrfs against ClrMD (tests/oracle, run by scripts/oracle through Microsoft's DAC) on the
# same dumps: /heap/stats line by line (count, bytes and name per MethodTable), the
# threads (managed id, OS id), each thread's managed frames (method names in order), the
# references, the roots, the live set and paths to objects. When ClrMD cannot be
# restored they fail, unless CLRFS_NO_ORACLE=1 says to skip them (with the reason).
# The oracle writes ClrMD's names and sizes in clrfs's form (tests/oracle/Program.cs
# lists each rule); the known gaps it bridges are reported as "# ..." lines.
# shellcheck disable=SC2016,SC2153 # jq programs in single quotes; use_dump sets DUMP
load helpers

DUMPS=(handles/full handles/heap handles-server/full handles-server/heap heap/full heap/heap heap-server/full heap-server/heap threads/full threads/heap heap-segments/heap stacks/full stacks/heap threadpool/full roots/full modules/full modules/heap)

setup_file() {
	local rc=0
	"$CLRFS_ROOT/scripts/oracle" --build 2>"$BATS_FILE_TMPDIR/oracle.build" || rc=$?
	if ((rc == 3)); then
		mv "$BATS_FILE_TMPDIR/oracle.build" "$BATS_FILE_TMPDIR/oracle.skip"
	elif ((rc != 0)); then
		cat "$BATS_FILE_TMPDIR/oracle.build" >&2
		return 1
	fi
	mount_dumps "${DUMPS[@]}"
}
teardown_file() { unmount_dumps; }

# Without ClrMD each comparison fails, saying why: a machine that cannot restore it
# says so with CLRFS_NO_ORACLE=1, and the comparisons are then skipped with the reason.
need_oracle() {
	[[ -f $BATS_FILE_TMPDIR/oracle.skip ]] || return 0
	local why
	why=$(tr '\n' ' ' <"$BATS_FILE_TMPDIR/oracle.skip")
	[[ ${CLRFS_NO_ORACLE:-0} == 1 ]] && skip "$why"
	echo "$why(CLRFS_NO_ORACLE=1 runs the tests without the oracle)"
	return 1
}

# Runs the oracle on the selected dump; its notes (stderr) go to $BATS_TEST_TMPDIR/notes.
oracle() { "$CLRFS_ROOT/scripts/oracle" "$@" "$DUMP" 2>"$BATS_TEST_TMPDIR/notes"; }

check_stats() { # DUMP
	need_oracle
	use_dump "$1"
	run -0 tree_cat /heap/stats
	local ours=$output theirs bad
	run -0 oracle stats
	theirs=$output
	[[ -n $theirs ]]
	# By MT: the same types, and per type the same count, bytes and name.
	bad=$(awk -F'\t' '
		NR == FNR { if ($3 != "-") { c[$3] = $1; b[$3] = $2; n[$3] = $4 } next }
		$3 == "-" { next }
		!($3 in c) { print "only in ClrMD: " $0; next }
		c[$3] != $1 || b[$3] != $2 { print $3 " " $4 ": clrfs " c[$3] " objects, " b[$3] " bytes; ClrMD " $1 " objects, " $2 " bytes" }
		n[$3] != $4 { print $3 ": named " n[$3] " by clrfs, " $4 " by ClrMD" }
		{ seen[$3] = 1 }
		END { for (mt in c) if (!(mt in seen)) print "only in clrfs: " c[mt] "\t" b[mt] "\t" mt "\t" n[mt] }' \
		<(echo "$ours") <(echo "$theirs"))
	[[ -z $bad ]] || { echo "$1: /heap/stats and ClrMD disagree:"; echo "$bad"; return 1; }
	# Then the whole file: the same totals and order.
	[[ $ours == "$theirs" ]] || { diff <(echo "$ours") <(echo "$theirs"); return 1; }
}

check_threads() { # DUMP
	need_oracle
	use_dump "$1"
	local ours="" id theirs
	run -0 tree_ls /threads
	for id in $output; do
		[[ $id == by-os-id ]] && continue
		run -0 tree_cat "/threads/$id/info"
		ours+="$(field managed-id)	$(field os-id)"$'\n'
	done
	ours=$(sort -n <<<"$ours" | sed '/^$/d')
	run -0 oracle threads
	theirs=$(cut -f1,2 <<<"$output")
	[[ -n $theirs ]]
	[[ $ours == "$theirs" ]] || { echo "$1: threads (managed id, OS id): < clrfs, > ClrMD"; diff <(echo "$ours") <(echo "$theirs"); return 1; }
}

# /handles/list without its type columns is ClrMD's handle list (Runtime.EnumerateHandles
# through the DAC: handle, kind, object, dependent secondary).
check_handles() { # DUMP
	need_oracle
	use_dump "$1"
	run -0 tree_cat /handles/list
	local ours theirs
	ours=$(awk -F'\t' -v OFS='\t' '{ if (NF == 6) print $1, $2, $3, $5; else print $1, $2, $3 }' <<<"$output")
	run -0 oracle handles
	theirs=$output
	[[ -n $theirs ]]
	[[ $ours == "$theirs" ]] || { echo "$1: handles: < clrfs, > ClrMD"; diff <(echo "$ours") <(echo "$theirs"); return 1; }
}

# ClrMD's finalizable objects are clrfs's registered and ready ones together (ClrMD
# does not tell them apart); its finalizer roots are clrfs's ready ones.
check_finalizer() { # DUMP
	need_oracle
	use_dump "$1"
	local reg ready ours theirs
	run -0 tree_cat /finalizer/registered
	reg=$(cut -f1 <<<"$output")
	run -0 tree_cat /finalizer/ready
	ready=$(cut -f1 <<<"$output")
	ours=$({ printf '%s\n%s\n' "$reg" "$ready" | sed '/^$/d; s/^/registered\t/' | LC_ALL=C sort; sed '/^$/d; s/^/ready\t/' <<<"$ready"; })
	run -0 oracle finalizer
	theirs=$output
	[[ -n $theirs ]]
	[[ $ours == "$theirs" ]] || { echo "$1: finalization queue: < clrfs, > ClrMD"; diff <(echo "$ours") <(echo "$theirs"); return 1; }
}

@test "handles/full: /handles/list equals ClrMD's handles" { check_handles handles/full; }
@test "handles/heap: /handles/list equals ClrMD's handles" { check_handles handles/heap; }
@test "handles-server/full: /handles/list equals ClrMD's handles" { check_handles handles-server/full; }
@test "handles-server/heap: /handles/list equals ClrMD's handles" { check_handles handles-server/heap; }
@test "heap-segments/heap: /handles/list equals ClrMD's handles" { check_handles heap-segments/heap; }

@test "handles/full: /finalizer equals ClrMD's finalizable objects and roots" { check_finalizer handles/full; }
@test "handles/heap: /finalizer equals ClrMD's finalizable objects and roots" { check_finalizer handles/heap; }
@test "handles-server/full: /finalizer equals ClrMD's finalizable objects and roots" { check_finalizer handles-server/full; }
@test "handles-server/heap: /finalizer equals ClrMD's finalizable objects and roots" { check_finalizer handles-server/heap; }
@test "heap-segments/heap: /finalizer equals ClrMD's finalizable objects and roots" { check_finalizer heap-segments/heap; }

@test "heap/full: /heap/stats equals ClrMD's" { check_stats heap/full; }
@test "heap/heap: /heap/stats equals ClrMD's" { check_stats heap/heap; }
@test "heap-server/full: /heap/stats equals ClrMD's" { check_stats heap-server/full; }
@test "heap-server/heap: /heap/stats equals ClrMD's" { check_stats heap-server/heap; }
@test "heap-segments/heap: /heap/stats equals ClrMD's" { check_stats heap-segments/heap; }
@test "threads/full: /heap/stats equals ClrMD's" { check_stats threads/full; }
@test "threads/heap: /heap/stats equals ClrMD's" { check_stats threads/heap; }

# Each thread's managed frames, innermost first, by method name: /threads/<id>/stack
# against ClrMD's EnumerateStackTrace (the runtime's [Frame]s are left out: ClrMD
# reports an active InlinedCallFrame twice, before and after its context is taken).
check_stacks() { # DUMP
	need_oracle
	use_dump "$1"
	local ours="" id n
	run -0 tree_ls /threads
	for id in $output; do
		[[ $id == by-os-id ]] && continue
		run -0 tree_cat "/threads/$id/stack"
		[[ $output != *'<unreadable'* ]] || { echo "thread $id: $output"; return 1; }
		ours+=$(managed_frames "$id" <<<"$output")$'\n'
	done
	ours=$(sort -s -n -k1,1 <<<"$ours" | sed '/^$/d')
	run -0 oracle stacks
	theirs=$(grep -v $'\t\\[' <<<"$output")
	n=$(wc -l <<<"$theirs")
	((n >= 10)) || { echo "$1: ClrMD saw $n managed frames"; return 1; }
	[[ $ours == "$theirs" ]] || { echo "$1: managed frames: < clrfs, > ClrMD"; diff <(echo "$ours") <(echo "$theirs"); return 1; }
}

# Every exception object's stacktrace file, by method name: ClrMD's
# ClrException.StackTrace of each exception on the heap.
check_exceptions() { # DUMP
	need_oracle
	use_dump "$1"
	local theirs ours="" addr n
	run -0 oracle exceptions
	theirs=$output
	n=$(grep -c . <<<"$theirs" || true)
	((n >= 3)) || { echo "$1: ClrMD saw $n frames in exceptions"; return 1; }
	for addr in $(cut -f1 <<<"$theirs" | sort -u); do
		run -0 tree_cat "/heap/objects/$addr/stacktrace"
		ours+=$(awk -F '\t' -v a="$addr" '{ sub(/\+0x[0-9a-f]+$/, "", $2); print a "\t" $2 }' <<<"$output")$'\n'
	done
	ours=$(sed '/^$/d' <<<"$ours")
	[[ $ours == "$theirs" ]] || { echo "$1: exception frames: < clrfs, > ClrMD"; diff <(echo "$ours") <(echo "$theirs"); return 1; }
}

@test "stacks/full: every exception's stack trace equals ClrMD's" { check_exceptions stacks/full; }
@test "stacks/heap: every exception's stack trace equals ClrMD's" { check_exceptions stacks/heap; }

@test "threads/full: each thread's managed frames equal ClrMD's" { check_stacks threads/full; }
@test "threads/heap: each thread's managed frames equal ClrMD's" { check_stacks threads/heap; }
@test "stacks/full: each thread's managed frames equal ClrMD's" { check_stacks stacks/full; }
@test "stacks/heap: each thread's managed frames equal ClrMD's" { check_stacks stacks/heap; }
@test "threadpool/full: each thread's managed frames equal ClrMD's" { check_stacks threadpool/full; }

@test "threads/full: thread ids and OS ids equal ClrMD's" { check_threads threads/full; }
@test "threads/heap: thread ids and OS ids equal ClrMD's" { check_threads threads/heap; }
@test "heap-server/full: thread ids and OS ids equal ClrMD's" { check_threads heap-server/full; }
@test "heap-server/heap: thread ids and OS ids equal ClrMD's" { check_threads heap-server/heap; }

# The oracle itself: its field values for the manifest's selected objects are the
# manifest's renderings, so later tests can compare clrfs's fields with it.
@test "heap/heap: the oracle's field values equal the manifest's" {
	need_oracle
	use_dump heap/heap
	local -A objects=()
	local type id name want line got n=0 bad=0
	while IFS=$'\t' read -r type id name want; do
		[[ -v objects[$type] ]] || { run -0 oracle fields "$type"; objects[$type]=$output; }
		line=$(awk -F'\t' -v id="Id=$id" '{ for (i = 2; i <= NF; i++) if ($i == id) { print; exit } }' <<<"${objects[$type]}")
		[[ -n $line ]] || { echo "$type Id=$id: not among the oracle's instances"; bad=1; continue; }
		got=$(tr '\t' '\n' <<<"$line" | awk -v k="$name=" 'index($0, k) == 1 { print substr($0, length(k) + 1) }')
		[[ -n $got ]] || continue # not a primitive or string: the oracle leaves it out
		n=$((n + 1))
		[[ $got == "$want" ]] || { echo "$type Id=$id: $name: manifest $want, oracle $got"; bad=1; }
	done < <(manifest '.selected[] | . as $o | .fields | to_entries[] | "\($o.type)\t\($o.id)\t\(.key)\t\(.value)"')
	((n >= 15)) || { echo "only $n field values compared"; return 1; }
	return "$bad"
}

# Each object's refs and referrers: for the first object of every type on the heap, its
# references (the ADDR column, sorted) against ClrMD's EnumerateReferenceAddresses of the
# same object, and the objects pointing at it against the same reversed from ClrMD's
# references of every object: classes, arrays of references and of structs, generics.
check_refs() { # DUMP
	need_oracle
	use_dump "$1"
	local dir=$BATS_TEST_TMPDIR type addr n=0
	oracle refs >"$dir/theirs"
	: >"$dir/wanted"
	: >"$dir/refs"
	: >"$dir/referrers"
	run -0 tree_ls /heap/types
	for type in "${lines[@]}"; do
		addr=$(tree_ls "/heap/types/$type" | grep -m1 -E '^0x[0-9a-f]{16}$') || continue
		echo "$addr" >>"$dir/wanted"
		tree_cat "/heap/types/$type/$addr/refs" | awk -F '\t' -v a="$addr" '{ print a "\t" $1 }' >>"$dir/refs"
		tree_cat "/heap/types/$type/$addr/referrers" | awk -F '\t' -v a="$addr" '{ print a "\t" $1 }' >>"$dir/referrers"
		n=$((n + 1))
	done
	((n >= 100)) || { echo "$1: only $n types"; return 1; }
	awk -F '\t' 'NR == FNR { w[$1] = 1; next } $1 in w' "$dir/wanted" "$dir/theirs" | sort >"$dir/theirs.refs"
	awk -F '\t' -v OFS='\t' 'NR == FNR { w[$1] = 1; next } $2 in w { print $2, $1 }' "$dir/wanted" "$dir/theirs" |
		sort -u >"$dir/theirs.referrers"
	sort -o "$dir/refs" "$dir/refs"
	sort -o "$dir/referrers" "$dir/referrers"
	(($(wc -l <"$dir/refs") >= 1000)) || { echo "$1: only $(wc -l <"$dir/refs") references"; return 1; }
	(($(wc -l <"$dir/referrers") >= 100)) || { echo "$1: only $(wc -l <"$dir/referrers") referrers"; return 1; }
	diff "$dir/refs" "$dir/theirs.refs" || { echo "refs: < clrfs, > ClrMD"; return 1; }
	diff "$dir/referrers" "$dir/theirs.referrers" || { echo "referrers: < clrfs, > ClrMD"; return 1; }
}

# Roots and the live set: ClrMD's own roots (Heap.EnumerateRoots: handles, the
# finalization queue, the stacks' precise roots from the JIT's GC info) are each one of
# /heap/roots', of the same kind (a precise stack root one of the conservative scan's);
# the objects reached from clrfs's roots, walked by ClrMD, are /heap/live/stats exactly;
# and what ClrMD's own roots reach is live for clrfs too, type by type.
check_live() { # DUMP
	need_oracle
	use_dump "$1"
	local dir=$BATS_TEST_TMPDIR bad
	tree_cat /heap/roots >"$dir/roots"
	tree_cat /heap/live/stats >"$dir/live"
	cut -f3 "$dir/roots" >"$dir/objects"
	oracle reach "$dir/objects" >"$dir/theirs"
	(($(grep -c '^root' "$dir/theirs") >= 10)) || { echo "$1: ClrMD lists few roots"; return 1; }
	bad=$(awk -F'\t' '
		BEGIN { k["StrongHandle"] = "handle-strong"; k["PinnedHandle"] = "handle-pinned"
			k["AsyncPinnedHandle"] = "handle-async-pinned"; k["RefCountedHandle"] = "handle-refcounted"
			k["SizedRefHandle"] = "handle-sizedref"; k["FinalizerQueue"] = "finalizer"; k["Stack"] = "stack?" }
		NR == FNR { ours[$1 "\t" $3] = 1; next }
		$1 != "root" { next }
		!($2 in k) { print "a root of kind " $2 ": " $3; next }
		!((k[$2] "\t" $3) in ours) { print "ClrMD root " $2 " " $3 " is no " k[$2] " root of clrfs" }' \
		"$dir/roots" "$dir/theirs")
	[[ -z $bad ]] || { echo "$1: $bad"; return 1; }
	diff "$dir/live" <(sed -n 's/^given\t//p' "$dir/theirs") || { echo "$1: < clrfs, > ClrMD from clrfs's roots"; return 1; }
	bad=$(awk -F'\t' 'NR == FNR { c[$3] = $1; next }
		$1 == "clrmd" && $4 != "-" && c[$4] < $2 { print $5 ": ClrMD " $2 " live, clrfs " c[$4] + 0 }' \
		"$dir/live" "$dir/theirs")
	[[ -z $bad ]] || { echo "$1: $bad"; return 1; }
}

# Paths: for the first object of each type the roots fixture's manifest lists, clrfs's
# path is the end of the one ClrMD's GCRoot finds (which starts at the handle holding
# the statics' array where clrfs starts at the static itself), or both say unreachable;
# the root kinds agree where both start at the same object.
check_paths() { # DUMP
	need_oracle
	use_dump "$1"
	local dir=$BATS_TEST_TMPDIR type first ours theirs kind n=0
	: >"$dir/targets"
	while read -r type; do
		first=$(tree_ls "/heap/types/$type" | grep -m1 -E '^0x[0-9a-f]{16}$')
		echo "$first" >>"$dir/targets"
	done < <(manifest '.objects | keys[]')
	oracle paths "$dir/targets" >"$dir/theirs"
	while IFS=$'\t' read -r first kind theirs; do
		ours=$(tree_cat "/heap/objects/$first/path")
		if [[ $kind == unreachable ]]; then
			[[ $ours == unreachable || $ours == stack\?* ]] || { echo "$1: $first: ClrMD finds no path; clrfs: $ours"; return 1; }
			n=$((n + 1))
			continue
		fi
		local hops
		hops=$(tail -n +2 <<<"$ours" | cut -f1 | paste -sd, -)
		[[ ,$theirs == *,"$hops" ]] || { echo "$1: $first: clrfs $hops is not the end of ClrMD's $theirs"; return 1; }
		if [[ ${theirs%%,*} == "${hops%%,*}" ]]; then
			case $kind in
			StrongHandle) [[ $ours == handle-strong* || $ours == static* ]] ;;
			FinalizerQueue) [[ $ours == finalizer* ]] ;;
			Stack) [[ $ours == stack\?* ]] ;;
			*) true ;;
			esac || { echo "$1: $first: ClrMD's root $kind, clrfs's $(head -n1 <<<"$ours")"; return 1; }
		fi
		n=$((n + 1))
	done <"$dir/theirs"
	((n == $(manifest '.objects | length'))) || { echo "$1: $n paths compared"; return 1; }
}

@test "roots/full: the live set walked by ClrMD from clrfs's roots, and ClrMD's roots" { check_live roots/full; }
@test "roots/full: paths end as ClrMD's GCRoot paths do" { check_paths roots/full; }
@test "stacks/heap: the live set walked by ClrMD from clrfs's roots, and ClrMD's roots" { check_live stacks/heap; }
@test "handles/full: the live set walked by ClrMD from clrfs's roots, and ClrMD's roots" { check_live handles/full; }

# Each module's Module, Assembly, image base and size, and path equal ClrMD's modules of
# the AppDomain.
check_modules() { # DUMP
	need_oracle
	use_dump "$1"
	local ours theirs m
	run -0 oracle modules
	theirs=$output
	ours=$(for m in $(tree_ls /modules); do
		tree_cat "/modules/$m/info" | awk -F': ' '{ v[$1] = substr($0, length($1) + 3) }
			END { print v["module"] "\t" v["assembly"] "\t" v["base"] "\t" v["size"] "\t" v["path"] }'
	done | LC_ALL=C sort)
	[[ $(wc -l <<<"$theirs") -ge 10 ]]
	[[ $ours == "$(LC_ALL=C sort <<<"$theirs")" ]] ||
		{ echo "$1: /modules and ClrMD's modules differ:"; diff <(LC_ALL=C sort <<<"$theirs") <(echo "$ours"); return 1; }
}

@test "modules/full: each module's address, assembly, image and path equal ClrMD's" { check_modules modules/full; }
@test "modules/heap: each module's address, assembly, image and path equal ClrMD's" { check_modules modules/heap; }

@test "heap/full: each type's first object's refs and referrers equal ClrMD's" { check_refs heap/full; }
@test "heap/heap: each type's first object's refs and referrers equal ClrMD's" { check_refs heap/heap; }
