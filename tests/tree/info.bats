#!/usr/bin/env bats
# /info of the full and the heap dump of the threads fixture, against its manifest.
load helpers

setup_file() { mount_dumps full heap; }
teardown_file() { unmount_dumps; }

check_info() { # KIND
	use_dump "$1"
	run -0 tree_cat /info
	expect_field dump "$DUMP"
	expect_field format elf-core
	expect_field kind "$1"
	# The ELF machine's name, for the architecture .NET reported.
	local arch
	arch=$(manifest .arch)
	case $arch in
	X64) expect_field arch x86_64 ;;
	Arm64) expect_field arch aarch64 ;;
	*) echo "the manifest names an architecture this test does not know: $arch"; return 1 ;;
	esac
	expect_field pointer-size 8
	expect_field pid "$(manifest .pid)"
	expect_field runtime coreclr
	expect_field runtime-version "$(manifest .runtime_version)"
	expect_field_re runtime-build '^[0-9]+\.[0-9]+\.[0-9]+'
	expect_field_re runtime-module '^/.*/libcoreclr\.so$'
	expect_field_re runtime-base '^0x[0-9a-f]{16}$'
	# .NET 8 publishes no contract descriptor: clrfs's table for 8.0 gives every layout.
	local line
	line=$(manifest .runtime_version | cut -d. -f1-2)
	if [[ $line == 8.0 ]]; then
		expect_field contract-descriptor none
	else
		expect_field_re contract-descriptor '^[1-9][0-9]* types, [1-9][0-9]* globals, [1-9][0-9]* contracts'
	fi
	expect_field layout-table "$line"
	expect_field_re threads '^[1-9][0-9]*$'
}

check_problems() { # KIND
	use_dump "$1"
	run -0 tree_cat /info
	# The runtime's files are on this machine, so even the heap dump lacks nothing.
	expect_field problems 0
	run -1 grep -q '^problem: ' <<<"$output"
}

check_deterministic() { # KIND
	use_dump "$1"
	local first second
	first=$(tree_cat /info)
	second=$(tree_cat /info)
	[[ $first == "$second" ]]
	# A separate process renders the same bytes (in FUSE mode: the same as the mount).
	second=$("$CLRFS_BIN" --print /info "$DUMP")
	diff <(echo "$first") <(echo "$second")
	run -0 tree_ls /
	grep -qx info <<<"$output"
	grep -qx threads <<<"$output"
}

@test "full: /info describes the dump and the runtime" { check_info full; }
@test "heap: /info describes the dump and the runtime" { check_info heap; }
@test "full: /info reports no problems" { check_problems full; }
@test "heap: /info reports no problems" { check_problems heap; }
@test "full: /info renders the same bytes every time" { check_deterministic full; }
@test "heap: /info renders the same bytes every time" { check_deterministic heap; }
