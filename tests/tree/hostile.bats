#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output, lines
# Hostile names (tests/fixtures/names): the names fixture's full dump as it is (a type name
# of over 10,000 bytes, a thread name with a line break and a tab), and a copy this file
# makes with names rewritten in place: the namespace "Fixture" to "../../.", the type
# "Marker" to "/tmp/x", "Broken" to "Br<LF>k<TAB>e", the fields "Up" to ".." and
# "Secret" to ".hidde". No name may leave the mount, break a record, or hide an entry.
load helpers

use_fixture names
PATCHED=$BATS_FILE_TMPDIR/patched.core

# Rewrites NUL-delimited strings of FILE in place, same length each: FROM=TO pairs
# (perl escapes allowed). Fails unless every pair matched at least once.
rewrite_strings() { # FILE FROM=TO...
	local f=$1
	shift
	LC_ALL=C perl -e '
		use strict;
		my $f = shift;
		open(my $fh, "+<:raw", $f) or die "$f: $!\n";
		local $/;
		my $d = <$fh>;
		for (@ARGV) {
			my ($from, $to) = map { eval "\"$_\"" } split /=/, $_, 2;
			length($from) == length($to) or die "$_: lengths differ\n";
			my $n = ($d =~ s/\0\Q$from\E\0/\0$to\0/g);
			$n or die "$f: no string \"$from\"\n";
		}
		seek($fh, 0, 0);
		print $fh $d;
		close($fh) or die "$f: $!\n";' "$f" "$@"
}

setup_file() {
	cp "$FIXTURE/full.core" "$PATCHED"
	rewrite_strings "$PATCHED" 'Fixture=../../.' 'Marker=/tmp/x' 'Broken=Br\nk\te' 'Up=..' \
		'Secret=.hidde'
	mount_dumps full "$PATCHED"
}
teardown_file() { unmount_dumps; }

use_patched() { use_dump "$PATCHED"; }

# Every symlink under DIR, resolved, stays inside the mount (and exists).
links_stay_inside() { # DIR
	local root link target n=0
	root=$(realpath "$MNT")
	while IFS= read -r -d '' link; do
		target=$(readlink -m -- "$link")
		[[ $target == "$root"/* ]] || { echo "$link -> $(readlink -- "$link") leaves the mount"; return 1; }
		[[ -e $link ]] || { echo "$link -> $(readlink -- "$link") leads nowhere"; return 1; }
		n=$((n + 1))
	done < <(find "$MNT$1" -type l -print0)
	echo "$n links"
}

@test "patched: names with '/', '..' and a leading dot are escaped, and every link stays inside" {
	need_fuse "symlinks are resolved by the kernel"
	use_patched
	run -0 tree_ls /heap/types
	grep -qx '%2E.%2F..%2F..%2Ftmp%2Fx' <<<"$output"
	grep -qx '%2E.%2F..%2F..Br%0Ak%09e' <<<"$output"
	local marker=/heap/types/%2E.%2F..%2F..%2Ftmp%2Fx addr
	run -0 tree_cat "$marker/info"
	grep -qx 'name: ..%2F..%2F..%2Ftmp%2Fx' <<<"$output"
	addr=$(tree_cat "$marker/objects" | head -n 1 | cut -f1)
	run -0 tree_ls "$marker/$addr/fields"
	[[ $output == "$(printf '%s\n' %2E. %2Ehidde Value)" ]]
	run -0 tree_cat "$marker/$addr/fields/Value"
	[[ $output == 7 || $output == 8 ]]
	run -0 tree_cat "$marker/$addr/fields/%2Ehidde/value"
	[[ $output == s3cr3t ]]
	run -0 links_stay_inside /heap
	run -0 links_stay_inside /threads
	# Each object of the renamed types is reached back through /heap/objects.
	run -0 tree_readlink "/heap/objects/$addr"
	[[ $output == "../types/%2E.%2F..%2F..%2Ftmp%2Fx/$addr" ]]
}

@test "patched: a line break and a tab in a name do not break a record" {
	use_patched
	run -0 tree_cat /heap/stats
	local types
	types=$(tree_ls /heap/types | grep -vc '^\.')
	# One line per type and the total; four columns each.
	((${#lines[@]} == types + 1))
	run -0 awk -F'\t' 'NF != 4 { print NR ": " $0; bad = 1 } END { exit bad }' <<<"$output"
	run -0 tree_cat /heap/stats
	grep -qP '^1\t24\t0x[0-9a-f]{16}\t..%2F..%2F..Br%0Ak%09e$' <<<"$output"
}

@test "a type name of over 10,000 bytes: a cut directory name, the whole name in info and stats" {
	use_dump full
	local want dir
	want=$(manifest .wide)
	((${#want} == $(manifest .wide_bytes) && ${#want} > 10000))
	run -0 tree_ls /heap/types
	dir=$(grep '^Fixture\.Wide<' <<<"$output")
	# 230 bytes of the name, "~" and 16 hex digits of a hash of it.
	[[ $dir =~ ^(.{230})~[0-9a-f]{16}$ && ${BASH_REMATCH[1]} == "${want:0:230}" ]]
	run -0 tree_cat "/heap/types/$dir/info"
	expect_field name "$want"
	run -0 tree_cat /heap/stats
	grep -qF "	$want" <<<"$output"
}

@test "a thread name with a line break and a tab: raw in name, one token in info" {
	use_dump full
	local id
	id=$(manifest .evil_thread.managed_id)
	run -0 tree_cat "/threads/$id/name"
	[[ $output == "$(manifest .evil_thread.name)" ]]
	run -0 tree_cat "/threads/$id/info"
	expect_field name 'evil%0Aname%09x'
	# The same keys as any thread's info: no line was forged.
	diff <(cut -d: -f1 <<<"$output") <(tree_cat /threads/1/info | cut -d: -f1)
}
