#!/usr/bin/env bats
# shellcheck disable=SC2154 # run --separate-stderr sets stderr, stderr_lines
# Bad dumps (made from a real one by scripts/fixtures): one clear sentence, never a crash.
load helpers

setup() {
	[[ -x $CLRFS_BIN ]] || { echo "no clrfs binary at $CLRFS_BIN: run scripts/build"; return 1; }
	[[ -d $BAD ]] || { echo "no bad inputs in $BAD: run scripts/fixtures"; return 1; }
}

# Runs clrfs --print /info on FILE; fails on a crash or a sanitizer report.
print_info() { # FILE [OPTION...]
	run --separate-stderr "$CLRFS_BIN" "${@:2}" --print /info "$1"
	printf 'status %s\nstdout:\n%s\nstderr:\n%s\n' "$status" "$output" "$stderr"
	((status < 128))
	if grep -qE "$SANITIZER_RE" <<<"$stderr"; then return 1; fi
}

# Fails unless clrfs failed with status 1..STATUS_MAX and one stderr line matching REGEX.
expect_one_line_error() { # REGEX STATUS_MAX
	((status >= 1 && status <= $2))
	[[ -z $output ]]
	((${#stderr_lines[@]} == 1))
	[[ ${stderr_lines[0]} =~ $1 ]]
}

@test "a file that is not ELF: one line saying so" {
	print_info "$BAD/notelf.core"
	expect_one_line_error 'not an ELF' 125
}

@test "a core of a process that is not .NET: one line saying so" {
	print_info "$BAD/sleep.core"
	expect_one_line_error 'not a \.NET process' 125
}

# A copy of the threads heap dump (its first 64 KiB: the ELF header is what is read
# first) with each BYTES written at its OFFSET.
poked_header() { # NAME OFFSET PRINTF-BYTES [OFFSET PRINTF-BYTES...]
	local f=$BATS_TEST_TMPDIR/$1.core
	head -c 65536 "$FIXTURE/heap.core" >"$f"
	shift
	while (($#)); do
		printf "$2" | dd of="$f" bs=1 seek="$1" conv=notrunc status=none
		shift 2
	done
	echo "$f"
}

@test "a dump of an architecture clrfs does not read: one line naming it" {
	# e_machine (offset 18) EM_RISCV (243): a 64-bit little-endian core of riscv.
	print_info "$(poked_header riscv 18 '\xf3\x00')"
	expect_one_line_error 'unsupported ELF core of riscv: clrfs reads x86_64 and aarch64 dumps' 125
	# An unnamed machine, by its number.
	print_info "$(poked_header m4660 18 '\x34\x12')"
	expect_one_line_error 'unsupported ELF core of machine 4660: ' 125
	# EI_CLASS (offset 4) ELFCLASS32 with EM_386 (3) or EM_ARM (40): 32-bit dumps.
	print_info "$(poked_header x86 4 '\x01' 18 '\x03\x00')"
	expect_one_line_error 'unsupported ELF core of x86 \(32-bit\): clrfs reads 64-bit' 125
	print_info "$(poked_header arm 4 '\x01' 18 '\x28\x00')"
	expect_one_line_error 'unsupported ELF core of arm \(32-bit\): clrfs reads 64-bit' 125
}

@test "program headers pointing past the end: status 1 and one line" {
	print_info "$BAD/corrupt.core"
	expect_one_line_error '.' 1
}

@test "a truncated dump: one line, or /info naming the problem" {
	print_info "$BAD/truncated.core"
	if ((status == 0)); then
		[[ $(field problems) =~ ^[1-9][0-9]*$ ]]
		grep -q '^problem: ' <<<"$output"
	else
		expect_one_line_error '.' 1
	fi
}

@test "a dump that does not exist: status 1, No such file" {
	print_info "$BAD/no-such.core"
	expect_one_line_error 'No such file' 1
}

# The major version of the fixtures' runtime.
fixture_major() { jq -r .runtime_version "$FIXTURE/manifest.json" | cut -d. -f1; }

@test "a heap dump whose runtime files cannot be found: /info says which; --search-path finds them" {
	print_info "$BAD/moved.core"
	((status == 0))
	grep -qE '^problem: module file .*/Microsoft\.NETCore\.App/x+/libcoreclr\.so not found' <<<"$output"
	if (($(fixture_major) >= 11)); then
		# 11.0 puts its contract descriptor and the runtime data it names into heap
		# dumps (dotnet/runtime PR #121360): the runtime opens without its file, and
		# the problem is the one line on stderr.
		((${#stderr_lines[@]} == 0))
		grep -qx "runtime-version: $(jq -r .runtime_version "$FIXTURE/manifest.json")" <<<"$output"
		grep -qx 'contract-descriptor: .* (from dump)' <<<"$output"
		expect_field problems 1
		run -0 "$CLRFS_BIN" --list /threads "$BAD/moved.core"
	else
		# One warning on stderr, and /info names the missing file; no /threads.
		((${#stderr_lines[@]} == 1))
		[[ ${stderr_lines[0]} == "clrfs: warning: "*libcoreclr.so* ]]
		grep -qE '^runtime-error: .*libcoreclr\.so' <<<"$output"
		# The runtime's error counts as a problem and is listed as one.
		expect_field problems 2
		! grep -q '^runtime-version:' <<<"$output"
		run "$CLRFS_BIN" --list /threads "$BAD/moved.core"
		((status == 1))
	fi

	# The runtime's real directory, from the intact dump, as a search path.
	local dir
	dir=$("$CLRFS_BIN" --print /info "$FIXTURE/heap.core" | sed -n 's/^runtime-module: //p')
	dir=$(dirname "$dir")
	run --separate-stderr "$CLRFS_BIN" --search-path "$dir" --print /info "$BAD/moved.core"
	((status == 0))
	grep -qx "runtime-version: $(jq -r .runtime_version "$FIXTURE/manifest.json")" <<<"$output"
	grep -qx "threads: $("$CLRFS_BIN" --list /threads "$FIXTURE/heap.core" | grep -c '^[0-9]')" <<<"$output"
	expect_field problems 0
}

@test "a module file that does not match the dump is refused and named once" {
	# A search path whose libcoreclr.so is another library: its build-id differs.
	local dir=$BATS_TEST_TMPDIR/wrong rt
	rt=$("$CLRFS_BIN" --print /info "$FIXTURE/heap.core" | sed -n 's/^runtime-module: //p')
	mkdir -p "$dir"
	cp "$(dirname "$rt")/libclrjit.so" "$dir/libcoreclr.so"
	print_info "$BAD/moved.core" --search-path "$dir"
	((status == 0))
	# Before 11.0 the runtime cannot open without the file (see the test above).
	if (($(fixture_major) >= 11)); then
		! grep -qE '^runtime-error: ' <<<"$output"
	else
		grep -qE '^runtime-error: ' <<<"$output"
	fi
	run grep -cE "^problem: module file $dir/libcoreclr\\.so does not match the dump \\(build-id [0-9a-f]+ in the dump, [0-9a-f]+ in the file\\)" <<<"$output"
	[[ $output == 1 ]]
}

@test "a FIFO, a device or a directory as the dump: one line, at once" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	# Opened without blocking and checked before any read: no writer needed.
	run --separate-stderr timeout 20 "$CLRFS_BIN" --print /info "$BATS_TEST_TMPDIR/fifo"
	expect_one_line_error 'a FIFO, not a regular file' 1
	print_info /dev/null
	expect_one_line_error 'a character device, not a regular file' 1
	print_info "$BATS_TEST_TMPDIR"
	expect_one_line_error 'a directory, not a regular file' 1
}

@test "a module file that is a FIFO is refused, named, and nothing waits on it" {
	local dir=$BATS_TEST_TMPDIR/fifo
	mkdir -p "$dir"
	mkfifo "$dir/libcoreclr.so"
	run --separate-stderr timeout 20 "$CLRFS_BIN" --search-path "$dir" --print /info "$BAD/moved.core"
	((status == 0))
	run grep -c "^problem: module file $dir/libcoreclr\\.so is a FIFO" <<<"$output"
	[[ $output == 1 ]]
}

@test "a mount point that is not a directory: one line, status 1, nothing mounted" {
	local file=$BATS_TEST_TMPDIR/file
	touch "$file"
	run --separate-stderr timeout 20 "$CLRFS_BIN" -f "$FIXTURE/heap.core" "$file"
	expect_one_line_error 'not a directory: the mount point must be one' 1
	run -1 grep -qF " $file " /proc/self/mounts
}
