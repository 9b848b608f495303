#!/usr/bin/env bats
# The command line: --help, --version, usage errors, --list and --print without FUSE.
load helpers

setup() {
	[[ -x $CLRFS_BIN ]] || { echo "no clrfs binary at $CLRFS_BIN: run scripts/build"; return 1; }
	use_dump full
}

@test "--help prints usage and exits 0" {
	run -0 "$CLRFS_BIN" --help
	[[ $output == *"--print"* && $output == *"--list"* && $output == *MOUNTPOINT* ]]
}

@test "--version prints a version and exits 0" {
	run -0 "$CLRFS_BIN" --version
	[[ $output =~ [0-9]+\.[0-9]+ ]]
}

@test "missing arguments and unknown options fail with a usage message" {
	run --separate-stderr "$CLRFS_BIN"
	((status != 0 && status < 128))
	[[ -n $stderr ]]
	run --separate-stderr "$CLRFS_BIN" --no-such-option "$DUMP" /tmp
	((status != 0 && status < 128))
	[[ -n $stderr ]]
}

@test "--list / lists the top-level directories, sorted" {
	run -0 "$CLRFS_BIN" --list / "$DUMP"
	grep -qx info <<<"$output"
	grep -qx threads <<<"$output"
	[[ $output == "$(LC_ALL=C sort <<<"$output")" ]]
}

@test "--print of a path that does not exist fails" {
	run --separate-stderr "$CLRFS_BIN" --print /no-such-file "$DUMP"
	((status == 1))
	[[ $stderr == *"No such file"* ]]
}
