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

@test "meson install puts clrfs and clrfs(1) in place; the man page renders cleanly" {
	local dest=$BATS_TEST_TMPDIR/root build
	build=$(dirname "$CLRFS_BIN")
	run -0 meson install -C "$build" --destdir "$dest" --no-rebuild
	run -0 find "$dest" -type f
	grep -qE '/bin/clrfs$' <<<"$output"
	grep -qE '/share/man/man1/clrfs\.1$' <<<"$output"
	run -0 env LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$CLRFS_ROOT/docs/clrfs.1"
	[[ $output == *"mount a .NET (CoreCLR) memory dump"* ]]
	run -0 bash -c 'LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null' _ "$CLRFS_ROOT/docs/clrfs.1"
	[[ -z $output ]]
}

@test "clrfs(1) describes every top-level entry of the tree and every option" {
	local page entry opt
	page=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$CLRFS_ROOT/docs/clrfs.1" 2>/dev/null)
	run -0 "$CLRFS_BIN" --list / "$DUMP"
	for entry in "${lines[@]}"; do
		grep -qE "(^|[[:space:]])/$entry(/|[[:space:]]|\$)" <<<"$page" ||
			{ echo "clrfs(1) does not describe /$entry"; return 1; }
	done
	run -0 "$CLRFS_BIN" --help
	for opt in $(grep -oE '(^|[[:space:]])--?[a-zA-Z][a-zA-Z-]*' <<<"$output" | sort -u); do
		grep -qF -- "$opt" <<<"$page" || { echo "clrfs(1) does not describe $opt"; return 1; }
	done
}
