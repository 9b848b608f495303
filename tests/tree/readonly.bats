#!/usr/bin/env bats
# The mounted tree refuses writes, has exact sizes and the documented modes.
load helpers

setup_file() { mount_dumps full; }
teardown_file() { unmount_dumps; }

setup() { use_dump full; }

@test "writes fail with EROFS" {
	need_fuse "writing"
	run -1 touch "$MNT/x"
	[[ $output == *"Read-only file system"* ]]
	# shellcheck disable=SC2016 # $1 is for the inner shell
	run -1 bash -c 'echo > "$1"' _ "$MNT/info"
	[[ $output == *"Read-only file system"* ]]
	run -1 mkdir "$MNT/d"
	run -1 rm -f "$MNT/info"
	run -1 mv "$MNT/info" "$MNT/info2"
	run -0 tree_cat /info
	expect_field kind full
}

@test "st_size is the exact size of the rendered file" {
	need_fuse "stat"
	local f
	for f in info "threads/$(manifest '.threads[0].managed_id')/info"; do
		run -0 stat -c %s "$MNT/$f"
		[[ $output == "$(wc -c <"$MNT/$f")" ]] || { echo "$f: st_size $output"; return 1; }
	done
}

@test "files are 0440 and directories 0550, owned by the mounting user" {
	need_fuse "stat"
	run -0 stat -c '%a %u' "$MNT/info" "$MNT/threads" "$MNT/threads/$(manifest '.threads[0].managed_id')"
	[[ $output == "440 $EUID"$'\n'"550 $EUID"$'\n'"550 $EUID" ]]
}
