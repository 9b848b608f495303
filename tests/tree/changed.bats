#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output
# A dump that shrinks while mounted (a new dump written to the same name, `truncate`):
# the daemon keeps answering, reads of what is gone say so, /info says so (guard.c).
load helpers

COPY=$BATS_FILE_TMPDIR/shrinking.core

setup_file() {
	cp "$FIXTURE/full.core" "$COPY"
	mount_dumps "$COPY"
}
teardown_file() { unmount_dumps; }

@test "a dump truncated while mounted: the mount answers, and /info says why" {
	need_fuse "the dump must change under a running daemon"
	use_dump "$COPY"
	run -0 tree_cat /info
	expect_field problems 0
	truncate -s 1M "$COPY"
	# Reads that need what is gone: an error or "<unreadable: ...>", never a dead mount.
	run tree_cat /heap/stats
	((status == 0 || status == 1))
	[[ $output != *"Transport endpoint is not connected"* ]]
	run tree_cat /threads/1/name
	[[ $output != *"Transport endpoint is not connected"* ]]
	run -0 tree_cat /info
	grep -q '^problem: the dump file changed while it was read: it was [0-9]* bytes and is 1048576' <<<"$output"
	[[ $(field problems) =~ ^[1-9][0-9]*$ ]]
	run -0 tree_ls /
	grep -qx threads <<<"$output"
	# unmount_dumps then checks the daemon ended with status 0.
}
