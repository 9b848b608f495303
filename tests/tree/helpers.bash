# shellcheck shell=bash
# Tree tests: mount a fixture dump with FUSE or, where /dev/fuse is unusable, read the
# same tree through `clrfs --print/--list/--readlink`; compare it with the manifest.
# Environment: CLRFS_BIN (default build/clrfs), CLRFS_FIXTURES (default build/fixtures/<line>,
# the line of the SDK's runtime: scripts/test runs the tests once per runtime line).
# shellcheck disable=SC2034,SC2154 # bats sets output, status; tests use BAD
bats_require_minimum_version 1.5.0

# shellcheck source=../../scripts/lib.sh
. "$BATS_TEST_DIRNAME/../../scripts/lib.sh"
: "${CLRFS_BIN:=$CLRFS_ROOT/build/clrfs}"
: "${CLRFS_FIXTURES:=$CLRFS_ROOT/build/fixtures/$(version_line "$(runtime_version)")}"

# Selects the fixture app (a directory of $CLRFS_FIXTURES) whose dumps a KIND names
# and whose manifest `manifest` reads; threads unless a test file says otherwise.
use_fixture() { # APP
	FIXTURE=$CLRFS_FIXTURES/$1
	MANIFEST=$FIXTURE/manifest.json
}
use_fixture threads
BAD=$CLRFS_FIXTURES/bad
SANITIZER_RE='AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|LeakSanitizer'
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# A dump is named by its KIND (full, heap) in the selected fixture app, by APP/KIND in
# any app, or by its absolute path (a dump a test made). These print its file and a name
# for its mount point and logs.
dump_file() {
	if [[ $1 == /* ]]; then
		echo "$1"
	elif [[ $1 == */* ]]; then
		echo "$CLRFS_FIXTURES/$1.core"
	else
		echo "$FIXTURE/$1.core"
	fi
}
dump_tag() { if [[ $1 == /* ]]; then basename "$1" .core; else echo "${1//\//-}"; fi; }

# setup_file: mounts the fixture dumps of the given kinds (full, heap, APP/KIND) under
# $BATS_FILE_TMPDIR/mnt-<tag>, or selects print mode when FUSE is unusable.
mount_dumps() {
	[[ -x $CLRFS_BIN ]] || { echo "no clrfs binary at $CLRFS_BIN: run scripts/build" >&2; return 1; }
	[[ -f $MANIFEST ]] || { echo "no fixtures in $CLRFS_FIXTURES: run scripts/fixtures" >&2; return 1; }
	local d
	for d; do
		[[ -f $(dump_file "$d") ]] || { echo "no dump $(dump_file "$d"): run scripts/fixtures" >&2; return 1; }
	done
	export TREE_MODE=fuse
	fuse_usable || { print_mode; return 0; }
	local kind
	for kind; do
		mount_dump "$kind" || return 1
		[[ $TREE_MODE == fuse ]] || return 0
	done
}

print_mode() {
	TREE_MODE=print
	echo '# no usable /dev/fuse: testing through --print/--list' >&3
}

mount_dump() { # KIND
	local core kind dir=$BATS_FILE_TMPDIR i
	core=$(dump_file "$1")
	kind=$(dump_tag "$1")
	local mnt=$dir/mnt-$kind err=$dir/daemon-$kind.stderr
	mkdir -p "$mnt"
	# The subshell records the daemon's pid and, once it ends, its exit status.
	(
		"$CLRFS_BIN" -f "$core" "$mnt" >"$dir/daemon-$kind.stdout" 2>"$err" &
		echo $! >"$dir/daemon-$kind.pid"
		status=0
		wait $! || status=$?
		echo "$status" >"$dir/daemon-$kind.status.tmp" && mv "$dir/daemon-$kind.status.tmp" "$dir/daemon-$kind.status"
	) </dev/null >/dev/null 2>&1 3>&- &
	for ((i = 0; i < 200; i++)); do
		[[ -e $mnt/info ]] && return 0
		[[ -f $dir/daemon-$kind.status ]] && break
		sleep 0.1
	done
	if grep -qE '/dev/fuse|fusermount|Operation not permitted' "$err"; then
		cat "$err" >&3
		unmount_dumps
		print_mode
		return 0
	fi
	echo "clrfs did not mount $core within 20 s; its stderr:" >&2
	cat "$err" >&2
	return 1
}

# teardown_file: unmounts, waits for each daemon (bounded), fails on a non-zero exit
# status or on a sanitizer report in any stderr clrfs wrote.
unmount_dumps() {
	local pidf kind pid status i failed=0
	for pidf in "$BATS_FILE_TMPDIR"/daemon-*.pid; do
		[[ -f $pidf ]] || continue
		kind=${pidf##*/daemon-}
		kind=${kind%.pid}
		pid=$(<"$pidf")
		fusermount3 -u "$BATS_FILE_TMPDIR/mnt-$kind" 2>/dev/null ||
			fusermount3 -uz "$BATS_FILE_TMPDIR/mnt-$kind" 2>/dev/null || true
		for ((i = 0; i < 200; i++)); do
			[[ -f $BATS_FILE_TMPDIR/daemon-$kind.status ]] && break
			sleep 0.1
		done
		if [[ ! -f $BATS_FILE_TMPDIR/daemon-$kind.status ]]; then
			echo "clrfs ($kind) still running 20 s after unmount: killed" >&2
			kill -KILL "$pid" 2>/dev/null || true
			failed=1
		else
			status=$(<"$BATS_FILE_TMPDIR/daemon-$kind.status")
			[[ $status == 0 ]] || { echo "clrfs ($kind) exited with status $status" >&2; failed=1; }
		fi
		rm -f "$pidf"
	done
	no_sanitizer_reports "$BATS_FILE_TMPDIR"/*.stderr || failed=1
	return "$failed"
}

no_sanitizer_reports() { # FILE...
	local f
	for f; do
		[[ -f $f ]] || continue
		if grep -qE "$SANITIZER_RE" "$f"; then
			echo "sanitizer report in $f:" >&2
			cat "$f" >&2
			return 1
		fi
	done
}

# Selects the dump (full, heap, APP/KIND, which also selects APP, or an absolute path)
# that tree_cat/tree_ls/tree_readlink read.
use_dump() {
	[[ $1 != */* || $1 == /* ]] || use_fixture "${1%/*}"
	DUMP=$(dump_file "$1")
	MNT=$BATS_FILE_TMPDIR/mnt-$(dump_tag "$1")
}

# Runs clrfs in print mode; its stderr goes to the file's log (scanned at teardown)
# and, when it fails, to stderr too.
clrfs_print() { # OPTION PATH
	local e=$BATS_TEST_TMPDIR/print.stderr rc=0
	"$CLRFS_BIN" "$1" "$2" "$DUMP" 2>"$e" || rc=$?
	cat "$e" >>"$BATS_FILE_TMPDIR/print.stderr"
	((rc == 0)) || cat "$e" >&2
	return "$rc"
}

tree_cat() { if [[ $TREE_MODE == fuse ]]; then cat -- "$MNT$1"; else clrfs_print --print "$1"; fi; }
tree_ls() { if [[ $TREE_MODE == fuse ]]; then LC_ALL=C ls -1A -- "$MNT$1"; else clrfs_print --list "$1"; fi; }
tree_readlink() { if [[ $TREE_MODE == fuse ]]; then readlink -- "$MNT$1"; else clrfs_print --readlink "$1"; fi; }

need_fuse() { [[ $TREE_MODE == fuse ]] || skip "no usable /dev/fuse: $1 needs a mount"; }

# Prints the value of the first "KEY: value" line of $output.
field() { awk -v k="$1: " 'index($0, k) == 1 { print substr($0, length(k) + 1); exit }' <<<"$output"; }

# Fails unless "KEY: value" in $output has exactly the expected value.
expect_field() { # KEY EXPECTED
	local got
	got=$(field "$1")
	[[ $got == "$2" ]] && return 0
	printf '%s: expected "%s", got "%s"; the file reads:\n%s\n' "$1" "$2" "$got" "$output"
	return 1
}

# Fails unless "KEY: value" in $output matches the extended regex.
expect_field_re() { # KEY REGEX
	local got
	got=$(field "$1")
	[[ $got =~ $2 ]] && return 0
	printf '%s: expected to match /%s/, got "%s"; the file reads:\n%s\n' "$1" "$2" "$got" "$output"
	return 1
}

manifest() { jq -r "$1" "$MANIFEST"; }

# Whether clrfs walks thread stacks on this line's dumps: runtimes that describe their
# Frames (10.0 and later), x86_64 or arm64 (docs/design.md, Stacks). Elsewhere /info has
# one problem line for it and each stack file says why in one <unreadable: ...> line.
# The managed frames of a stack file's text (stdin), innermost first: the FRAME
# column less its +0xOFFSET, on lines that name a method (not a runtime [Frame], not
# native code: module!symbol+0xOFF or module+0xOFF, a module named with no '.' but
# in ".so"), each after ID and a tab when one is given.
managed_frames() { # [ID]
	awk -F '\t' -v id="${1-}" 'NF == 3 && $3 !~ /^\[/ && $3 !~ /!/ && $3 !~ /^[^.]*(\.so[.0-9]*)?\+0x[0-9a-f]+$/ {
		sub(/\+0x[0-9a-f]+$/, "", $3); print (id == "" ? "" : id "\t") $3 }'
}
# A stack file's text (stdin) with each native frame's symbol and offset left out:
# module! (a heap dump may lack the dynamic section that names a symbol).
native_modules_only() { sed -E 's/^([^\t]*\t[^\t]*\t[^.!+\t]*(\.so[.0-9]*)?)[!+][^\t]*$/\1!/'; }

# SOS (scripts/sos: dotnet-dump) for a comparison test: skips on arm64 dumps, which SOS
# does not read on x86_64; without dotnet-dump fails, unless CLRFS_NO_ORACLE=1 says to
# skip (with the reason).
need_sos() {
	local rc=0
	[[ ${CLRFS_FIXTURES##*/} != arm64-* ]] || skip "SOS reads no arm64 dump on x86_64"
	"$CLRFS_ROOT/scripts/sos" --install 2>"$BATS_TEST_TMPDIR/sos.err" || rc=$?
	if ((rc == 3)); then
		[[ ${CLRFS_NO_ORACLE:-0} == 1 ]] && skip "$(cat "$BATS_TEST_TMPDIR/sos.err")"
		cat "$BATS_TEST_TMPDIR/sos.err"
		return 1
	fi
	((rc == 0))
}
