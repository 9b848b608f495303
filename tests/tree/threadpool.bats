#!/usr/bin/env bats
# /threadpool (tests/fixtures/threadpool manifest "global", "local", "min", "max"): the
# queued work items with every worker blocked, as runs of TARGET in dequeue order,
# compared exactly for a full and a heap dump.
load helpers

DUMPS=(threadpool/full threadpool/heap)
use_fixture threadpool

setup_file() { mount_dumps "${DUMPS[@]}"; }
teardown_file() { unmount_dumps; }

# The runs "COUNT TARGET" of a queue file's TARGET column.
runs() { cut -f3 | uniq -c | sed 's/^ *//'; }

check_queues() { # DUMP
	use_dump "$1"
	run -0 tree_cat /threadpool/global
	[[ $(runs <<<"$output") == "$(manifest '.global[] | "\(.count) \(.target)"')" ]] ||
		{ runs <<<"$output"; return 1; }
	grep -qvE $'^0x[0-9a-f]{16}\t[^\t]+\t[^\t]+$' <<<"$output" && return 1
	run -0 tree_ls /threadpool/local
	[[ $output == "$(manifest '.local | keys[]')" ]]
	local id
	for id in $output; do
		run -0 tree_cat "/threadpool/local/$id"
		[[ $(runs <<<"$output") == "$(manifest ".local[\"$id\"][] | \"\(.count) \(.target)\"")" ]] ||
			{ runs <<<"$output"; return 1; }
	done
	run -0 tree_cat /threadpool/info
	expect_field min-workers "$(manifest .min)"
	expect_field max-workers "$(manifest .max)"
	# Every worker is blocked inside a callback: all working, none idle.
	expect_field workers "$(manifest .workers)"
	expect_field workers-working "$(manifest .workers)"
	expect_field workers-idle 0
	expect_field high-priority-queue-length 0
	expect_field global-queue-length "$(manifest '[.global[].count] | add')"
	expect_field local-queue-length "$(manifest '.local | to_entries[] | "\(.key) \([.value[].count] | add)"')"
}

@test "threadpool: global and local queues and info (full dump)" { check_queues threadpool/full; }
@test "threadpool: global and local queues and info (heap dump)" { check_queues threadpool/heap; }
