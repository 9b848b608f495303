#!/usr/bin/env bats
# /threads of the full and the heap dump of the threads fixture, against its manifest.
load helpers

setup_file() { mount_dumps full heap; }
teardown_file() { unmount_dumps; }

# Prints "managed_id os_tid background threadpool" per manifest thread.
manifest_threads() { manifest '.threads[] | "\(.managed_id) \(.os_tid) \(.background) \(.threadpool)"'; }

check_listing() { # KIND
	use_dump "$1"
	local id ids
	run -0 tree_ls /threads
	ids=$output
	for id in $(manifest '.threads[].managed_id'); do
		grep -qx "$id" <<<"$ids" || { echo "thread $id missing from /threads:"; echo "$ids"; return 1; }
	done
	grep -qx by-os-id <<<"$ids"
	# Sorted, and /info counts exactly the managed threads listed.
	[[ $ids == "$(LC_ALL=C sort <<<"$ids")" ]]
	run -0 tree_cat /info
	expect_field threads "$(grep -cE '^[0-9]+$' <<<"$ids")"
}

check_thread_info() { # KIND
	use_dump "$1"
	local id tid bg pool state row rows
	mapfile -t rows < <(manifest_threads)
	for row in "${rows[@]}"; do
		read -r id tid bg pool <<<"$row"
		run -0 tree_cat "/threads/$id/info"
		expect_field managed-id "$id"
		expect_field os-id "$tid"
		expect_field background "$bg"
		expect_field thread-pool-worker "$pool"
		expect_field_re state-bits '^0x[0-9a-f]{8}$'
		expect_field_re gc-mode '^(cooperative|preemptive)$'
		expect_field_re thread '^0x[0-9a-f]{16}$'
		expect_field_re object '^0x[0-9a-f]{16}$'
		state=" $(field state) "
		if [[ $bg == true ]]; then
			[[ $state == *" background "* ]] || { echo "thread $id: state lacks background: $output"; return 1; }
		else
			[[ $state != *" background "* ]] || { echo "thread $id: state says background: $output"; return 1; }
		fi
	done
	# Exactly one manifest thread is a thread-pool worker.
	[[ $(manifest '[.threads[] | select(.threadpool)] | length') == 1 ]]
}

check_by_os_id() { # KIND
	use_dump "$1"
	local id tid row rows
	mapfile -t rows < <(manifest_threads)
	for row in "${rows[@]}"; do
		read -r id tid _ <<<"$row"
		run -0 tree_readlink "/threads/by-os-id/$tid"
		[[ $output == "../$id" ]] || { echo "by-os-id/$tid -> '$output', expected ../$id"; return 1; }
		if [[ $TREE_MODE == fuse ]]; then
			run -0 cat "$MNT/threads/by-os-id/$tid/info"
			expect_field managed-id "$id"
		fi
	done
}

# /threads/<id>/object links to the Thread object under /heap/objects, whose
# address /threads/<id>/info gives and whose type is System.Threading.Thread.
check_object_link() { # KIND
	use_dump "$1"
	local id addr
	for id in $(manifest '.threads[].managed_id'); do
		run -0 tree_cat "/threads/$id/info"
		addr=$(field object)
		[[ $addr =~ ^0x[0-9a-f]{16}$ ]] || { echo "thread $id: object: $addr"; return 1; }
		run -0 tree_readlink "/threads/$id/object"
		[[ $output == "../../heap/objects/$addr" ]] || { echo "thread $id: object -> $output"; return 1; }
		run -0 tree_cat "/threads/$id/object/type"
		[[ $output == System.Threading.Thread ]]
	done
}

# /threads/<id>/name holds the manifest's name (empty for an unnamed thread), and
# /threads/<id>/info has it on its name: line.
check_names() { # KIND
	use_dump "$1"
	local id name
	for id in $(manifest '.threads[].managed_id'); do
		name=$(manifest ".threads[] | select(.managed_id == $id) | .name // \"\"")
		run -0 tree_cat "/threads/$id/name"
		[[ $output == "$name" ]] || { echo "thread $id: name '$output', expected '$name'"; return 1; }
		run -0 tree_cat "/threads/$id/info"
		[[ $(field name) == "$name" ]] || { echo "thread $id: info name '$(field name)'"; return 1; }
	done
	# The unnamed thread's file is empty: not even a newline.
	id=$(manifest '.threads[] | select(.name == null) | .managed_id' | head -n1)
	[[ -n $id ]]
	[[ $(tree_cat "/threads/$id/name" | wc -c) -eq 0 ]]
}

@test "full: /threads lists every manifest thread" { check_listing full; }
@test "heap: /threads lists every manifest thread" { check_listing heap; }
@test "full: /threads/<id>/info matches the manifest" { check_thread_info full; }
@test "heap: /threads/<id>/info matches the manifest" { check_thread_info heap; }
@test "full: /threads/by-os-id/<tid> links to ../<id>" { check_by_os_id full; }
@test "heap: /threads/by-os-id/<tid> links to ../<id>" { check_by_os_id heap; }
@test "full: /threads/<id>/object links to its System.Threading.Thread" { check_object_link full; }
@test "heap: /threads/<id>/object links to its System.Threading.Thread" { check_object_link heap; }
@test "full: /threads/<id>/name is the thread's name" { check_names full; }
@test "heap: /threads/<id>/name is the thread's name" { check_names heap; }
