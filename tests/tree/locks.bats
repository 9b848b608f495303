#!/usr/bin/env bats
# /locks of the full and the heap dump of the locks fixture: an AB/BA Monitor deadlock, a
# Monitor held three times without contention (a thin lock), a contended Monitor with two
# waiters, a thread in Monitor.Wait and, from .NET 9, a System.Threading.Lock held with one
# waiter. The manifest gives each lock's kind, owner, recursion and waiters by managed id.
load helpers

setup_file() {
	use_fixture locks
	mount_dumps full heap
}
teardown_file() { unmount_dumps; }
setup() { use_fixture locks; }

# The /locks/list line of the manifest's lock I: the one of its type (and, for a Lock, of
# its owner).
list_line() { # LIST I
	local type owner
	type=$(manifest ".locks[$2].type")
	owner=$(manifest ".locks[$2].owner // \"-\"")
	awk -F '\t' -v t="$type" -v o="$owner" '$2 == t && (t != "System.Threading.Lock" || $4 == o)' <<<"$1"
}

check_list() { # KIND
	use_dump "$1"
	local list line n i want_w got_w
	list=$(tree_cat /locks/list)
	# OBJECT TYPE KIND OWNER RECURSION WAITERS, sorted by object.
	run -1 grep -vE $'^0x[0-9a-f]{16}\t[^\t]+\t(thin|syncblock|lock)\t(-|[0-9]+)\t[0-9]+\t(-|([0-9]+|[0-9]+ waiting)(,([0-9]+|[0-9]+ waiting))*)$' <<<"$list"
	[[ $(cut -f1 <<<"$list") == "$(cut -f1 <<<"$list" | LC_ALL=C sort)" ]]
	# Every lock of the fixture, as the manifest has it; no other line of its types.
	n=$(manifest '.locks | length')
	(($(grep -cF $'\tFixture.' <<<"$list") == $(manifest '[.locks[] | select(.type | startswith("Fixture."))] | length')))
	for ((i = 0; i < n; i++)); do
		line=$(list_line "$list" "$i")
		[[ -n $line && $(wc -l <<<"$line") == 1 ]] || { echo "lock $i: '$line' in"; echo "$list"; return 1; }
		IFS=$'\t' read -r _ _ kind owner rec got_w <<<"$line"
		[[ $kind == "$(manifest ".locks[$i].kind")" && $owner == "$(manifest ".locks[$i].owner // \"-\"")" &&
			$rec == "$(manifest ".locks[$i].recursion")" ]] || { echo "lock $i: $line"; return 1; }
		# WAITERS: every waiter by id, as the runtime records who waits.
		want_w=$(manifest ".locks[$i].waiters | sort | join(\",\")")
		[[ $got_w == "${want_w:--}" ]] || { echo "lock $i: $line, want waiters ${want_w:--}"; return 1; }
	done
}

@test "full: /locks/list gives each lock's kind, owner, recursion and waiters" { check_list full; }
@test "heap: /locks/list gives each lock's kind, owner, recursion and waiters" { check_list heap; }

check_thread_locks() { # KIND
	use_dump "$1"
	local list role id want
	list=$(tree_cat /locks/list)
	for role in $(manifest '.threads | keys[]'); do
		id=$(manifest ".threads.$role")
		want=$(awk -F '\t' -v id="$id" '$4 == id { print $1 "\t" $2 "\t" $3 "\t" $5 }' <<<"$list")
		run -0 tree_cat "/threads/$id/locks"
		[[ $output == "$want" ]] || { echo "$role ($id): '$output', want '$want'"; return 1; }
	done
	# The holders hold what the manifest says.
	run -0 tree_cat "/threads/$(manifest .threads.recursive)/locks"
	[[ $output == *$'\tFixture.Recursive\tthin\t3' ]]
	run -0 tree_cat "/threads/$(manifest .threads.sleeper)/locks"
	[[ -z $output ]]
}

@test "full: /threads/<id>/locks lists the locks each thread holds" { check_thread_locks full; }
@test "heap: /threads/<id>/locks lists the locks each thread holds" { check_thread_locks heap; }

check_object_lock() { # KIND
	use_dump "$1"
	local list line addr
	list=$(tree_cat /locks/list)
	while IFS= read -r line; do
		addr=${line%%$'\t'*}
		run -0 tree_cat "/heap/objects/$addr/lock"
		[[ $output == "$line" ]] || { echo "$addr: '$output', want '$line'"; return 1; }
	done <<<"$list"
	# An object no one locks has no lock file.
	addr=$(tree_ls /heap/types/System.String | head -n1)
	run -0 tree_ls "/heap/objects/$addr"
	[[ $output != *lock* ]] || { echo "$addr: $output"; return 1; }
}

@test "full: /heap/objects/<addr>/lock is the object's /locks/list line" { check_object_lock full; }
@test "heap: /heap/objects/<addr>/lock is the object's /locks/list line" { check_object_lock heap; }

# The held sync blocks against SOS's syncblk (dotnet-dump, through Microsoft's DAC): the
# same objects, recursion and owner (SOS gives its OS id); before 11.0 MonitorHeld is 1
# for the owner and 2 per waiter. Without dotnet-dump the test fails, unless
# CLRFS_NO_ORACLE=1 says to skip it.
check_sos() { # KIND
	use_dump "$1"
	local ours theirs
	need_sos
	run -0 "$CLRFS_ROOT/scripts/sos" "$DUMP" syncblk
	# SOS: INDEX SYNCBLOCK HELD RECURSION THREAD OSID (hex) DBGID OBJECT TYPE.
	theirs=$(awk '$1 ~ /^[0-9]+$/ && NF >= 9 { print "0x" $8, $4, tolower($6) }' <<<"$output" | sort)
	local list line obj owner rec os held
	list=$(tree_cat /locks/list)
	ours=$(awk -F '\t' '$3 == "syncblock" && $4 != "-" { print $1, $4, $5 }' <<<"$list" | while read -r obj owner rec; do
		run -0 tree_cat "/threads/$owner/info"
		printf '%s %s %x\n' "$obj" "$rec" "$(field os-id)"
	done | sort)
	[[ $(wc -l <<<"$theirs") -ge 3 ]] || { echo "SOS: $output"; return 1; }
	[[ $ours == "$theirs" ]] || { echo "< clrfs, > SOS"; diff <(echo "$ours") <(echo "$theirs"); return 1; }
	[[ ${CLRFS_FIXTURES##*/} != 11.0 ]] || return 0
	while read -r obj held; do
		line=$(grep "^$obj"$'\t' <<<"$list")
		IFS=$'\t' read -r _ _ _ _ _ w <<<"$line"
		# Waiters: each id one, "N waiting" N.
		w=$(tr ',' '\n' <<<"$w" | awk '/ waiting$/ { n += $1; next } /^[0-9]+$/ { n++ } END { print n + 0 }')
		((held == 1 + 2 * w)) || { echo "$line: SOS MonitorHeld $held"; return 1; }
	done < <(awk '$1 ~ /^[0-9]+$/ && NF >= 9 { print "0x" $8, $3 }' <<<"$output")
}

@test "full: /locks/list's held sync blocks equal SOS syncblk" { check_sos full; }
@test "heap: /locks/list's held sync blocks equal SOS syncblk" { check_sos heap; }

# blocked-on in each thread's info: the lock it waits to enter or waits on.
check_blocked_on() { # KIND
	use_dump "$1"
	local role id want
	for role in $(manifest '.threads | keys[]'); do
		id=$(manifest ".threads.$role")
		run -0 tree_cat "/threads/$id/info"
		local got
		got=$(field blocked-on)
		case $role in
		deadlock_a) want="Fixture.DeadlockB syncblock" ;;
		deadlock_b) want="Fixture.DeadlockA syncblock" ;;
		waiter_1 | waiter_2) want="Fixture.Contended syncblock" ;;
		monitor_wait) want="Fixture.WaitTarget syncblock (Monitor.Wait)" ;;
		lock_waiter) want="System.Threading.Lock lock" ;;
		*) want=none ;;
		esac
		if [[ $want == none ]]; then
			[[ $got == none ]] || { echo "$role: $got"; return 1; }
		else
			[[ $got =~ ^0x[0-9a-f]{16}\ (.*)$ && ${BASH_REMATCH[1]} == "$want" ]] ||
				{ echo "$role: '$got', want '$want'"; return 1; }
		fi
	done
}

@test "full: /threads/<id>/info says which lock a thread is blocked on" { check_blocked_on full; }
@test "heap: /threads/<id>/info says which lock a thread is blocked on" { check_blocked_on heap; }

# /locks/deadlocks: the AB/BA cycle, from its smallest id.
check_deadlocks() { # KIND
	use_dump "$1"
	local a b want
	run -0 tree_cat /locks/deadlocks
	a=$(manifest .threads.deadlock_a)
	b=$(manifest .threads.deadlock_b)
	local list oa ob
	list=$(tree_cat /locks/list)
	oa=$(awk -F '\t' '$2 == "Fixture.DeadlockA" { print $1 }' <<<"$list")
	ob=$(awk -F '\t' '$2 == "Fixture.DeadlockB" { print $1 }' <<<"$list")
	want=$(printf '%s\twaits for %s Fixture.DeadlockB\theld by %s\n%s\twaits for %s Fixture.DeadlockA\theld by %s' \
		"$a" "$ob" "$b" "$b" "$oa" "$a")
	((a < b)) || want=$(printf '%s\n%s' "$(sed -n 2p <<<"$want")" "$(sed -n 1p <<<"$want")")
	[[ $output == "$want" ]] || { echo "got:"; echo "$output"; echo "want:"; echo "$want"; return 1; }
}

@test "full: /locks/deadlocks finds the AB/BA cycle" { check_deadlocks full; }
@test "heap: /locks/deadlocks finds the AB/BA cycle" { check_deadlocks heap; }
