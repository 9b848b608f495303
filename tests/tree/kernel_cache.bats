#!/usr/bin/env bats
# What the kernel keeps for the mount is exactly what clrfs renders: entries
# and attributes handed out by readdirplus, and the bytes of small files
# pushed into the page cache right after their lookup (fs/ll_push.c), which
# then answer reads without asking the daemon. --print, which no kernel cache
# touches, is the reference.
load helpers

setup_file() { mount_dumps full heap/full; }
teardown_file() { unmount_dumps; }

setup() { use_dump full; }

# The bytes of PATH through the mount and through --print, in two files.
both() { # PATH
	cat -- "$MNT$1" >"$BATS_TEST_TMPDIR/mounted"
	clrfs_print --print "$1" >"$BATS_TEST_TMPDIR/printed"
}

@test "ls -l of a directory nothing has read yet shows every file's exact size" {
	need_fuse "ls -l"
	local id mode size name
	id=$(manifest '.threads[-1].managed_id')
	# readdirplus hands out no attributes for files not rendered yet, so
	# these sizes come from lookups that render the files.
	run -0 ls -ln -- "$MNT/threads/$id"
	while read -r mode _ _ _ size _ _ _ name; do
		[[ $mode == -* ]] || continue # the total, directories, symlinks
		both "/threads/$id/$name"
		[[ $size == "$(wc -c <"$BATS_TEST_TMPDIR/printed")" ]] ||
			{ echo "$name: ls says $size bytes"; return 1; }
		cmp "$BATS_TEST_TMPDIR/mounted" "$BATS_TEST_TMPDIR/printed"
	done <<<"$output"
	[[ $output == *" info"* && $output == *" name"* ]]
}

@test "a first glob over every thread reads what --print renders, file by file" {
	need_fuse "a glob"
	local f
	cat -- "$MNT"/threads/*/info >"$BATS_TEST_TMPDIR/glob"
	: >"$BATS_TEST_TMPDIR/want"
	for f in "$MNT"/threads/*/info; do
		clrfs_print --print "${f#"$MNT"}" >>"$BATS_TEST_TMPDIR/want"
	done
	(($(grep -c '^managed-id: ' "$BATS_TEST_TMPDIR/want") >= $(manifest '.threads | length')))
	cmp "$BATS_TEST_TMPDIR/glob" "$BATS_TEST_TMPDIR/want"
}

@test "a file larger than what is pushed (64 KiB) reads whole" {
	need_fuse "a large read"
	use_dump heap/full
	local dir=$MNT/heap/types/System.Byte[] a big=''
	for a in "$dir"/0x*; do
		(($(cat "$a/size") > 65536)) && { big=${a#"$MNT"}; break; }
	done
	[[ -n $big ]] || { echo "no byte[] over 64 KiB in the heap fixture"; return 1; }
	both "$big/value"
	(($(wc -c <"$BATS_TEST_TMPDIR/printed") > 65536))
	cmp "$BATS_TEST_TMPDIR/mounted" "$BATS_TEST_TMPDIR/printed"
	[[ $(stat -c %s "$MNT$big/value") == "$(wc -c <"$BATS_TEST_TMPDIR/printed")" ]]
}

# Mounts DUMP afresh with libfuse's request trace (and clrfs's OPTION...),
# reads every thread's FILE with one glob, unmounts; sets n (thread
# directories), lookups and reads (requests the glob's cat caused) and
# stores (pushes into the page cache).
trace_glob() { # FILE [OPTION...]
	local mnt=$BATS_TEST_TMPDIR/mnt log=$BATS_TEST_TMPDIR/trace.stderr pid before_l before_r i
	n=$(clrfs_print --list /threads | grep -c '^[0-9]')
	mkdir -p "$mnt"
	"$CLRFS_BIN" -d "${@:2}" "$DUMP" "$mnt" 2>"$log" &
	pid=$!
	for ((i = 0; i < 200; i++)); do [[ -e $mnt/info ]] && break; sleep 0.1; done
	before_l=$(grep -c 'opcode: LOOKUP' "$log" || true)
	before_r=$(grep -c 'opcode: READ ' "$log" || true)
	cat -- "$mnt"/threads/[0-9]*/"$1" >/dev/null
	lookups=$(($(grep -c 'opcode: LOOKUP' "$log") - before_l))
	reads=$(($(grep -c 'opcode: READ ' "$log" || true) - before_r))
	fusermount3 -u "$mnt"
	wait "$pid"
	stores=$(grep -c 'NOTIFY: code=4 ' "$log" || true)
	no_sanitizer_reports "$log"
	((n > 3))
}

@test "a glob over /threads looks each thread's directory up in the listing, not one by one" {
	need_fuse "a mount with a request trace"
	trace_glob name
	# One lookup for /threads and one per name file; one per thread
	# directory as well (2n + 1) would mean the listing's entries went unused.
	((lookups <= n + 1)) || { echo "$lookups lookups for $n thread directories"; return 1; }
}

@test "the files a glob looked up are read from the page cache, not the daemon" {
	need_fuse "a mount with a request trace"
	trace_glob info
	# Every info file was pushed after its lookup (again when the kernel
	# had not made its inode yet); the reads then stay in the kernel. A
	# read may still overtake its push on a busy machine: at most half.
	((stores >= n)) || { echo "$stores pushes for $n files"; return 1; }
	((reads <= n / 2)) || { echo "$reads reads of $n files reached the daemon ($stores pushes)"; return 1; }
}

@test "a glob's lookups set off rendering the same file in the other thread directories" {
	need_fuse "a mount with a request trace"
	trace_glob asynclocals
	# fs/ll_ahead.c traces each scan it starts, once it ends: exactly one
	# here, for the glob's file name in /threads; none for the listing.
	run -0 grep '^clrfs: ahead: ' "$BATS_TEST_TMPDIR/trace.stderr"
	[[ ${#lines[@]} == 1 ]] || { echo "$output"; return 1; }
	[[ $output =~ ^clrfs:\ ahead:\ threads/\*/asynclocals:\ ([0-9]+)\ files ]] ||
		{ echo "$output"; return 1; }
	((BASH_REMATCH[1] <= n)) || { echo "$output"; return 1; }
}

# Whether the fuse module offers FUSE over io_uring to new mounts: scripts/test
# turns it off for the first pass of the tree tests and on for the second.
uring_offered() { [[ $(cat /sys/module/fuse/parameters/enable_uring 2>/dev/null) == [Y1] ]]; }

@test "requests come by io_uring exactly when the kernel offers it" {
	need_fuse "a mount with a request trace"
	local log=$BATS_TEST_TMPDIR/trace.stderr answered
	trace_glob asynclocals
	if ! uring_offered; then
		run grep '^clrfs: io_uring' "$log"
		((status == 1)) || { echo "$output"; return 1; }
		return 0
	fi
	# fs/ll_uring.c traces the kernel's answer, and counts the requests
	# its queues answered when it stops: at least the glob's lookups.
	grep -q '^clrfs: io_uring: accepted' "$log" || { grep clrfs: "$log"; return 1; }
	answered=$(sed -n 's/^clrfs: io_uring: \([0-9]*\) requests answered by [0-9]* queues$/\1/p' "$log")
	((answered >= lookups && lookups >= n)) ||
		{ echo "$answered requests by io_uring, $lookups lookups, $n threads"; return 1; }
}

@test "--no-uring answers through /dev/fuse, and the glob reads the same" {
	need_fuse "a mount with a request trace"
	local mnt=$BATS_TEST_TMPDIR/mnt log=$BATS_TEST_TMPDIR/plain.stderr pid i f
	mkdir -p "$mnt"
	"$CLRFS_BIN" -d --no-uring "$DUMP" "$mnt" 2>"$log" &
	pid=$!
	for ((i = 0; i < 200; i++)); do [[ -e $mnt/info ]] && break; sleep 0.1; done
	cat -- "$mnt"/threads/[0-9]*/info >"$BATS_TEST_TMPDIR/glob"
	: >"$BATS_TEST_TMPDIR/want"
	for f in "$mnt"/threads/[0-9]*/info; do
		clrfs_print --print "${f#"$mnt"}" >>"$BATS_TEST_TMPDIR/want"
	done
	fusermount3 -u "$mnt"
	wait "$pid"
	no_sanitizer_reports "$log"
	run grep '^clrfs: io_uring' "$log"
	((status == 1)) || { echo "$output"; return 1; }
	[[ -s $BATS_TEST_TMPDIR/want ]]
	cmp "$BATS_TEST_TMPDIR/glob" "$BATS_TEST_TMPDIR/want"
}

@test "SIGTERM while files are being read ends the daemon and its helper threads cleanly" {
	need_fuse "a mount of its own"
	local mnt=$BATS_TEST_TMPDIR/mnt log=$BATS_TEST_TMPDIR/term.stderr pid reader i status=0
	mkdir -p "$mnt"
	"$CLRFS_BIN" -f "$DUMP" "$mnt" 2>"$log" &
	pid=$!
	for ((i = 0; i < 200; i++)); do [[ -e $mnt/info ]] && break; sleep 0.1; done
	(for f in "$mnt"/threads/[0-9]*/* "$mnt"/heap/types/*/0x*/type; do cat -- "$f"; done >/dev/null 2>&1) &
	reader=$!
	sleep 0.3
	kill -TERM "$pid"
	for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		echo "clrfs still running 10 s after SIGTERM"
		return 1
	fi
	wait "$pid" || status=$?
	wait "$reader" || true
	fusermount3 -u "$mnt" 2>/dev/null || true
	((status == 0)) || { echo "clrfs exited with status $status"; cat "$log"; return 1; }
	no_sanitizer_reports "$log"
}
