#!/usr/bin/env bats
# /tasks of the full and the heap dump of the tasks fixture, whose tasks never complete:
# chains of async methods awaiting a TaskCompletionSource, an await of Task.Delay and of
# SemaphoreSlim.WaitAsync, a Task.Run whose delegate blocks. The manifest gives the
# count, status and method of each; the runtime's own pending tasks come besides.
load helpers

setup_file() {
	use_fixture tasks
	mount_dumps full heap
}
teardown_file() { unmount_dumps; }
setup() { use_fixture tasks; }

check_stats() { # KIND
	use_dump "$1"
	local want line
	run -0 tree_cat /tasks/stats
	# Every line COUNT STATUS METHOD, counts not increasing.
	run -1 grep -vE $'^[0-9]+\t(Created|WaitingForActivation|WaitingToRun|Running|WaitingForChildrenToComplete)\t[^\t]+$' <<<"$output"
	run -0 tree_cat /tasks/stats
	[[ $(cut -f1 <<<"$output") == "$(cut -f1 <<<"$output" | sort -rn)" ]] || { echo "$output"; return 1; }
	# The fixture's lines, exactly; no other line names the fixture.
	want=$(manifest '.stats[] | "\(.count)\t\(.status)\t\(.method)"' | sort)
	[[ $(grep -F $'\tFixture.' <<<"$output" | sort) == "$want" ]] ||
		{ echo "want:"; echo "$want"; echo "got:"; echo "$output"; return 1; }
}

check_list() { # KIND
	use_dump "$1"
	local stats list
	stats=$(tree_cat /tasks/stats)
	list=$(tree_cat /tasks/list)
	# Sorted by address; each an object of the heap whose type is a task; the list's
	# lines, counted by STATUS and METHOD, are the stats.
	run -1 grep -vE $'^0x[0-9a-f]{16}\t[A-Za-z]+\t[^\t]+$' <<<"$list"
	[[ $(cut -f1 <<<"$list") == "$(cut -f1 <<<"$list" | LC_ALL=C sort)" ]]
	diff <(awk -F '\t' '{ c[$2 "\t" $3]++ } END { for (k in c) print c[k] "\t" k }' <<<"$list" | sort) \
		<(sort <<<"$stats")
	local addr
	for addr in $(grep -F $'\tFixture.Tasks.Level' <<<"$list" | cut -f1); do
		run -0 tree_readlink "/heap/objects/$addr"
		[[ $output == ../types/*/"$addr" ]] || { echo "$addr -> $output"; return 1; }
	done
	(($(grep -cF $'\tFixture.Tasks.Level' <<<"$list") == 9))
}

@test "full: /tasks/stats counts the fixture's tasks by status and method" { check_stats full; }
@test "heap: /tasks/stats counts the fixture's tasks by status and method" { check_stats heap; }
@test "full: /tasks/list lists each pending task, by address" { check_list full; }
@test "heap: /tasks/list lists each pending task, by address" { check_list heap; }
