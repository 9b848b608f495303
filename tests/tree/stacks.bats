#!/usr/bin/env bats
# /threads/<id>/stack of the full and the heap dump of the stacks fixture, whose threads
# block at known places (Monitor.Wait, Thread.Sleep, a recursion, a blocking read(2)
# through a P/Invoke, a thread-pool work item), against its manifest.
load helpers

setup_file() {
	use_fixture stacks
	mount_dumps full heap threadpool/full
}
teardown_file() { unmount_dumps; }
setup() { use_fixture stacks; }

# Whether the lines WANT appear in GOT in that order (other lines between them).
in_order() { # WANT GOT
	awk 'BEGIN { i = 0 } NR == FNR { want[n++] = $0; next } i < n && $0 == want[i] { i++ } END { exit (i < n) }' "$1" "$2"
}

check_frames() { # KIND
	use_dump "$1"
	local id row frames
	mapfile -t rows < <(manifest '.threads[] | "\(.managed_id) \(.role)"')
	((${#rows[@]} == 7))
	for row in "${rows[@]}"; do
		read -r id role <<<"$row"
		run -0 tree_cat "/threads/$id/stack"
		# Every line a frame: SP, IP, then what runs there; no line says unreadable.
		run -1 grep -vE $'^0x[0-9a-f]{16}\t0x[0-9a-f]{16}\t[^\t]+$' <<<"$output"
		run -0 tree_cat "/threads/$id/stack"
		manifest ".threads[] | select(.managed_id == $id) | .frames[]" >"$BATS_TEST_TMPDIR/want"
		managed_frames <<<"$output" >"$BATS_TEST_TMPDIR/got"
		in_order "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" ||
			{ echo "thread $id ($role): want, in order:"; cat "$BATS_TEST_TMPDIR/want";
			  echo "stack:"; echo "$output"; return 1; }
	done
}

check_sp_order() { # KIND
	use_dump "$1"
	local id
	for id in $(manifest '.threads[].managed_id'); do
		run -0 tree_cat "/threads/$id/stack"
		# Outward, the managed frames' stack pointers grow.
		local sp ip frame last=0
		while IFS=$'\t' read -r sp ip frame; do
			[[ $frame == \[* ]] && continue
			((sp >= last)) || { echo "thread $id:"; echo "$output"; return 1; }
			last=$sp
		done <<<"$output"
	done
}

@test "full: each thread's stack has the manifest's frames, innermost first" { check_frames full; }
@test "heap: each thread's stack has the manifest's frames, innermost first" { check_frames heap; }
@test "full: the managed frames' stack pointers grow outward" { check_sp_order full; }

@test "the P/Invoke's thread is in native code under an [InlinedCallFrame]" {
	use_dump full
	local id
	id=$(manifest '.threads[] | select(.role == "pinvoke") | .managed_id')
	run -0 tree_cat "/threads/$id/stack"
	# The innermost frame is libc's read (named from libc's dynamic symbols), then the
	# transition, then the marshalling
	# stub the runtime made for it (SetLastError asks for one: up to 10.0 a dynamic
	# method, named as ClrMD names it; from 11.0 the P/Invoke method itself), then
	# the caller.
	[[ ${lines[0]} =~ $'\t'libc\.so\.6!(__libc_|__)?read\+0x[0-9a-f]+$ ]] || { echo "$output"; return 1; }
	[[ ${lines[1]} == *$'\t[InlinedCallFrame]' ]] || { echo "$output"; return 1; }
	[[ ${lines[2]} == *$'\t(dynamicClass).IL_STUB_PInvoke+0x'* ||
		${lines[2]} == *$'\tFixture.Stacks.read+0x'* ]] || { echo "$output"; return 1; }
	[[ ${lines[3]} == *$'\tFixture.Stacks.BlockingRead+0x'* ]] || { echo "$output"; return 1; }
}

# Native code is unwound by its module's call frame information: the sleeping thread's
# stack starts in libc's wait, and goes from the thread's outermost method (the
# manifest's, or 10.0's Thread.StartCallback that calls it) through the runtime's
# code out to libc's thread start, the outermost frame.
check_native() { # KIND
	use_dump "$1"
	local id native='^libc\.so\.6[+!]' outer after
	id=$(manifest '.threads[] | select(.role == "sleep") | .managed_id')
	outer=$(manifest ".threads[] | select(.managed_id == $id) | .frames[-1]")
	run -0 tree_cat "/threads/$id/stack"
	[[ $(cut -f3 <<<"${lines[0]}") =~ $native ]] || { echo "$output"; return 1; }
	[[ $(cut -f3 <<<"${lines[-1]}") =~ $native ]] || { echo "$output"; return 1; }
	[[ $(managed_frames <<<"$output" | tail -n1) == @($outer|System.Threading.Thread.StartCallback) ]] ||
		{ echo "$output"; return 1; }
	after=$(awk -F '\t' -v o="$outer" 'p { print $3 } index($3, o "+") == 1 { p = 1 }' <<<"$output")
	grep -q '^libcoreclr\.so[+!]' <<<"$after" || { echo "$output"; return 1; }
}

@test "full: native frames are unwound, innermost to the thread's start" { check_native full; }
@test "heap: native frames are unwound, innermost to the thread's start" { check_native heap; }

# The same registers and stack memory: the same frames. Only a native frame's symbol may
# differ: a heap dump leaves the module's dynamic section out, and a dump read on
# another machine (arm64's) has no module file to take it from.
@test "full and heap dumps give the same stacks" {
	local id
	for id in $(manifest '.threads[].managed_id'); do
		diff <(use_dump full && tree_cat "/threads/$id/stack" | native_modules_only) \
			<(use_dump heap && tree_cat "/threads/$id/stack" | native_modules_only)
	done
}

# /stacks against the threads' own stack files: every thread in exactly one block, the
# block's frames those of each of its threads (the FRAME column), counts right and not
# increasing.
check_grouped() { # KIND
	use_dump "$1"
	local -A seen=()
	local want_ids got=0 last=1000000 count ids id frames
	want_ids=$(tree_ls /threads | grep -E '^[0-9]+$' | sort -n)
	tree_cat /stacks >"$BATS_TEST_TMPDIR/stacks"
	# Blocks are separated by one blank line.
	awk -v RS= -v dir="$BATS_TEST_TMPDIR" '{ f = dir "/block." NR; printf "%s\n", $0 > f; close(f) }' \
		"$BATS_TEST_TMPDIR/stacks"
	for block in "$BATS_TEST_TMPDIR"/block.*; do
		read -r count _ ids < <(head -n1 "$block")
		[[ $count =~ ^[0-9]+$ && $(sed -n 1p "$block") == "$count threads: "* ]] || { cat "$block"; return 1; }
		((count <= last)) || { echo "block of $count after one of $last"; return 1; }
		last=$count
		IFS=, read -ra list <<<"$ids"
		((${#list[@]} == count)) || { cat "$block"; return 1; }
		frames=$(tail -n +2 "$block")
		for id in "${list[@]}"; do
			[[ -z ${seen[$id]:-} ]] || { echo "thread $id in two blocks"; return 1; }
			seen[$id]=1
			[[ $(tree_cat "/threads/$id/stack" | awk -F '\t' 'NF == 3 { print $3; next } { print }') == "$frames" ]] ||
				{ echo "thread $id's stack is not its block's:"; cat "$block"; return 1; }
		done
		got=$((got + count))
	done
	[[ $(printf '%s\n' "${!seen[@]}" | sort -n) == "$want_ids" ]]
	((got == $(wc -l <<<"$want_ids")))
}

@test "full: /stacks puts each thread in the block of its own stack" { check_grouped full; }
@test "heap: /stacks puts each thread in the block of its own stack" { check_grouped heap; }

# /threadpool/running: the pool worker of the stacks fixture runs PoolItem; it is the
# only worker in the dispatch loop. Where stacks are not walked, it says why.
check_running() { # KIND
	use_dump "$1"
	local id
	id=$(manifest '.threads[] | select(.role == "pool") | .managed_id')
	run -0 tree_cat /threadpool/running
	[[ $output == "$id"$'\tFixture.Stacks.PoolItem' ]] || { echo "$output"; return 1; }
}

@test "full: /threadpool/running names the work item a worker runs" { check_running full; }
@test "heap: /threadpool/running names the work item a worker runs" { check_running heap; }

# The threadpool fixture: each of its blocked workers runs the fixture's own item; the
# one that queued the local items is one of them.
@test "threadpool: /threadpool/running lists every blocked worker and its item" {
	use_dump threadpool/full
	local owner
	owner=$(manifest '.local | keys[0]')
	run -0 tree_cat /threadpool/running
	[[ ${#lines[@]} == "$(manifest .workers)" ]] || { echo "$output"; return 1; }
	run -1 grep -vE $'^[0-9]+\tFixture\\.Program\\+' <<<"$output"
	run -0 tree_cat /threadpool/running
	grep -q "^$owner"$'\t' <<<"$output" || { echo "$output"; return 1; }
}

# The fixture's caught exception: its stacktrace file has the frames it was thrown
# through, from the throw to the catch, exactly.
check_exception() { # KIND
	use_dump "$1"
	local type dir addr
	type=$(manifest .exception.type)
	run -0 tree_ls "/heap/types/$type"
	addr=$(grep -E '^0x[0-9a-f]{16}$' <<<"$output")
	[[ $(wc -l <<<"$addr") == 1 ]] || { echo "$output"; return 1; }
	dir=/heap/types/$type/$addr
	run -0 tree_cat "$dir/stacktrace"
	run -1 grep -vE $'^0x[0-9a-f]{16}\t[^\t]+\\+0x[0-9a-f]+$' <<<"$output"
	run -0 tree_cat "$dir/stacktrace"
	[[ $(cut -f2 <<<"$output" | sed 's/+0x[0-9a-f]*$//') == "$(manifest '.exception.frames[]')" ]] ||
		{ echo "$output"; return 1; }
	# Objects that are no exception have no stacktrace file.
	run -0 tree_ls "/heap/types/System.String"
	addr=$(grep -m1 -E '^0x' <<<"$output")
	run -0 tree_ls "/heap/types/System.String/$addr"
	! grep -qx stacktrace <<<"$output"
}

@test "full: an exception's stacktrace lists the frames it was thrown through" { check_exception full; }
@test "heap: an exception's stacktrace lists the frames it was thrown through" { check_exception heap; }
