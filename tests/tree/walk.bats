#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets output
# Every fixture dump of the runtime line, full and heap: every directory lists, every name
# it lists can be looked up and read, and every symlink stays inside the mount and leads
# somewhere. The directories of objects (one per object of a type, /heap/objects) are
# sampled: two objects of each type, walked whole (their elements/ in the collections
# fixture only), and their /heap/objects links.
load helpers

# Walks the directories given whole with find, except under what the PRUNE patterns name
# (a -path pattern each, in the array PRUNE): find lists every directory (and fails when
# one does not list), head reads every file, no link may lead out of the mount or
# nowhere. Prints the count of entries; fails naming the first bad one.
walk() { # DIR...
	local root pat out
	local -a prune=() found
	for pat in "${PRUNE[@]}"; do prune+=(-path "$pat" -o); done
	root=$(realpath "$MNT")
	local -a expr=(-mindepth 1 \( "${prune[@]}" -false \) -prune -o)
	mapfile -d '' found < <(find "$@" "${expr[@]}" -print0 || printf 'find failed')
	[[ ${found[-1]-} != "find failed" ]] || { echo "a directory of $* does not list"; return 1; }
	out=$(find "$@" "${expr[@]}" -type f -print0 | xargs -0 -r head -q -c 4096 2>&1 >/dev/null) ||
		{ echo "a file does not read: $out"; return 1; }
	out=$(find "$@" "${expr[@]}" -type l -print0 | xargs -0 -r readlink -m -- |
		grep -v "^$root/" | head -n 3)
	[[ -z $out ]] || { echo "links leave the mount: $out"; return 1; }
	out=$(find "$@" "${expr[@]}" -xtype l -print | head -n 3)
	[[ -z $out ]] || { echo "links lead nowhere: $out"; return 1; }
	echo "${#found[@]}"
}

# Walks the whole tree of the mounted dump; in /heap/types, each type's info, objects and
# statics/, and two of its objects whole, which /heap/objects must also have. A type's
# directory is not listed: it holds one entry per object (millions in a large heap).
walk_dump() {
	local n k t a b
	local -a files=() dirs=() PRUNE=("$MNT/heap/types/*" "$MNT/heap/objects")
	n=$(walk "$MNT") || { echo "$n"; return 1; }
	mapfile -t types < <(ls -A "$MNT/heap/types")
	for t in "${types[@]}"; do
		t=$MNT/heap/types/$t
		[[ -f $t ]] && { files+=("$t"); continue; } # .unreadable
		files+=("$t/info" "$t/objects")
		[[ -d $t/statics ]] && dirs+=("$t/statics")
		a='' b=''
		{ read -r a _ && read -r b _; } <"$t/objects" || true
		for a in $a $b; do
			[[ $a == 0x* ]] || continue
			dirs+=("$t/$a")
			[[ -e $MNT/heap/objects/$a ]] || { echo "no /heap/objects/$a"; return 1; }
		done
	done
	k=$(printf '%s\0' "${files[@]}" | xargs -0 -r head -q -c 4096 2>&1 >/dev/null) ||
		{ echo "a file does not read: $k"; return 1; }
	# An object's elements/ holds one entry per element (100,000 for the heap
	# fixture's largest array): walked whole in the collections fixture only, whose
	# collections are small (collections.bats reads every element of each).
	PRUNE=()
	[[ ${WALK_ELEMENTS:-0} == 1 ]] || PRUNE=("*/elements")
	if ((${#dirs[@]})); then
		k=$(walk "${dirs[@]}") || { echo "$k"; return 1; }
		n=$((n + k))
	fi
	echo "$((n + ${#files[@]})) entries"
}

setup_file() { mount_dumps; } # only chooses FUSE or --print

# The dumps of the line: every fixture app's (the links build/fixtures/<line>/<app>), and
# the damaged ones scripts/fixtures makes; not bad/, most of which do not open.
line_dumps() {
	local d
	for d in "$CLRFS_FIXTURES"/*; do
		[[ -L $d || $d == */damaged || $d == */unknown-map || $d == */unknown-version ]] || continue
		for f in "$d"/*.core; do
			[[ -f $f ]] && echo "${d##*/}/$(basename "$f" .core)"
		done
	done
}

@test "every fixture dump: every listed name reads, every link stays inside" {
	need_fuse "the walk reads through the kernel, as find and cat do"
	local dump
	local -a dumps
	mapfile -t dumps < <(line_dumps)
	((${#dumps[@]} >= 20))
	for dump in "${dumps[@]}"; do
		mount_dump "$dump"
		use_dump "$dump"
		WALK_ELEMENTS=$([[ $dump == collections/* ]] && echo 1 || echo 0)
		run walk_dump
		unmount_dumps
		((status == 0)) || { echo "$dump: $output"; return 1; }
		echo "# $dump: $output" >&3
	done
}
