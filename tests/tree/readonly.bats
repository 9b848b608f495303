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

@test "files, directories and symlinks carry the dump file's modification time" {
	need_fuse "stat"
	local want
	want=$(stat -c %Y "$DUMP")
	run -0 stat -c '%X %Y %Z' "$MNT/info" "$MNT/threads" "$MNT/threads/$(manifest '.threads[0].managed_id')/info"
	[[ $output == "$(printf '%s %s %s\n' "$want" "$want" "$want" "$want" "$want" "$want" "$want" "$want" "$want")" ]] ||
		{ echo "dump $want; tree: $output"; return 1; }
	run -0 find "$MNT/handles" -type l -print -quit
	[[ -n $output ]]
	run -0 stat -c %Y "$output"
	[[ $output == "$want" ]]
}

# The kernel refuses writes to an "ro" mount before they reach the daemon, so the test
# above would pass without any write handler. Mounted with -o rw (the user's -o come
# last), each write reaches clrfs, whose own answer must be EROFS.
@test "the daemon itself refuses every write (a mount with -o rw)" {
	need_fuse "writing"
	((EUID == 0)) || skip "needs root: the 0440/0550 modes stop others before the daemon"
	local mnt=$BATS_TEST_TMPDIR/rw i f
	f=threads/$(manifest '.threads[0].managed_id')/info
	mkdir -p "$mnt"
	"$CLRFS_BIN" -o rw "$DUMP" "$mnt"
	for ((i = 0; i < 100; i++)); do [[ -e $mnt/info ]] && break; sleep 0.1; done
	grep -qs " $mnt fuse.clrfs rw," /proc/mounts || { fusermount3 -u "$mnt"; echo "not mounted rw"; return 1; }
	local -a fails=()
	try() { # WHAT COMMAND...
		run "${@:2}"
		[[ $status != 0 && $output == *"Read-only file system"* ]] || fails+=("$1: status $status: $output")
	}
	try create touch "$mnt/new"
	try setattr touch "$mnt/$f"
	try chmod chmod 0666 "$mnt/$f"
	try write bash -c 'echo x >>"$1"' _ "$mnt/$f"
	try truncate truncate -s 0 "$mnt/$f"
	try mkdir mkdir "$mnt/threads/d"
	try mknod mkfifo "$mnt/threads/p"
	try unlink rm -f "$mnt/$f"
	try rmdir rmdir "$mnt/handles"
	try rename mv "$mnt/info" "$mnt/info2"
	try symlink ln -s info "$mnt/l"
	try link ln "$mnt/info" "$mnt/hard"
	try setxattr setfattr -n user.x -v 1 "$mnt/info"
	run -0 cat "$mnt/info"
	fusermount3 -u "$mnt"
	((${#fails[@]} == 0)) || { printf '%s\n' "${fails[@]}"; return 1; }
}
