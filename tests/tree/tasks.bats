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

# /tasks/chains: the fixture's chains, each from what its innermost method awaits to its
# outermost method: three of Level3Async <- Level2Async <- Level1Async on a
# TaskCompletionSource's Task<int>, one of DelayAsync, one of SemaphoreAsync; every
# method suspended at its first await (state 0).
check_chains() { # KIND
	use_dump "$1"
	local text blocks
	text=$(tree_cat /tasks/chains)
	# Blocks: a first line ADDR TYPE, then ADDR STATE METHOD lines.
	blocks=$(awk -v RS= '{
		n = split($0, l, "\n"); split(l[1], f, "\t"); s = f[2] ":"
		for (i = 2; i <= n; i++) { split(l[i], g, "\t"); s = s " " g[2] "/" g[3] }
		print s }' <<<"$text")
	# The WhenAll's promise joins its two inputs' chains (its type's name varies by line).
	blocks=$(sed -E 's#-/System\.Threading\.Tasks\.Task\+[A-Za-z]*WhenAll[A-Za-z]*Promise[^ ]*#-/WhenAllPromise#' <<<"$blocks")
	[[ $(grep -F 'Fixture.' <<<"$blocks" | sort) == "$(printf '%s\n' \
		"System.Threading.SemaphoreSlim+TaskNode: 0/Fixture.Tasks.SemaphoreAsync" \
		"System.Threading.Tasks.Task+DelayPromise: 0/Fixture.Tasks.DelayAsync" \
		"System.Threading.Tasks.Task<System.Int32>: 0/Fixture.Tasks.LeafAsync -/WhenAllPromise 0/Fixture.Tasks.WhenAllAsync" \
		"System.Threading.Tasks.Task<System.Int32>: 0/Fixture.Tasks.LeafAsync -/WhenAllPromise 0/Fixture.Tasks.WhenAllAsync" \
		"System.Threading.Tasks.Task<System.Int32>: 0/Fixture.Tasks.LeafAsync 0/Fixture.Tasks.ConfiguredAsync" \
		"System.Threading.Tasks.Task<System.Int32>: 0/Fixture.Tasks.ForkAAsync" \
		"System.Threading.Tasks.Task<System.Int32>: 0/Fixture.Tasks.ForkBAsync" \
		"System.Threading.Tasks.Task<System.Int32>: 0/Fixture.Tasks.ValueAsync" \
		"System.Threading.Tasks.Task<System.Int32>: 0/Fixture.Tasks.Level3Async 0/Fixture.Tasks.Level2Async 0/Fixture.Tasks.Level1Async" \
		"System.Threading.Tasks.Task<System.Int32>: 0/Fixture.Tasks.Level3Async 0/Fixture.Tasks.Level2Async 0/Fixture.Tasks.Level1Async" \
		"System.Threading.Tasks.Task<System.Int32>: 0/Fixture.Tasks.Level3Async 0/Fixture.Tasks.Level2Async 0/Fixture.Tasks.Level1Async" | sort)" ]] ||
		{ echo "$text"; return 1; }
	# Each box's line is a task /tasks/list has, with the same method; blocks sorted by
	# their first line's address.
	local list
	list=$(tree_cat /tasks/list)
	awk -F '\t' 'NF == 3 { print $1 "\t" $3 }' <<<"$text" | while IFS=$'\t' read -r addr method; do
		grep -qx "$addr"$'\t[A-Za-z]*\t'"$method" <<<"$list" || { echo "$addr $method not in the list"; exit 1; }
	done
	local firsts
	firsts=$(awk -v RS= '{ split($0, l, "\n"); split(l[1], f, "\t"); print f[1] }' <<<"$text" | grep -v '^-$')
	[[ $firsts == "$(LC_ALL=C sort <<<"$firsts")" ]]
}

@test "full: /tasks/chains follows each chain from what it awaits outward" { check_chains full; }
@test "heap: /tasks/chains follows each chain from what it awaits outward" { check_chains heap; }

# Under /heap/objects, each task of a chain has status and method as /tasks/list gives
# them, a box its state, and continuation leads to the next line of its block; the
# outermost method has none.
check_objects() { # KIND
	use_dump "$1"
	local text list block
	text=$(tree_cat /tasks/chains)
	list=$(tree_cat /tasks/list)
	while read -r block; do
		local -a addrs=() states=()
		while IFS=$'\t' read -r addr a b; do
			addrs+=("$addr")
			states+=("${b:+$a}")
		done < <(tr '|' '\n' <<<"$block")
		local i n=${#addrs[@]}
		for ((i = 0; i < n; i++)); do
			local addr=${addrs[i]} want
			want=$(grep "^$addr"$'\t' <<<"$list" | cut -f2,3)
			[[ $(tree_cat "/heap/objects/$addr/status")$'\t'$(tree_cat "/heap/objects/$addr/method") == "$want" ]] ||
				{ echo "$addr: not as listed: $want"; return 1; }
			if ((i > 0)) && [[ ${states[i]} != - ]]; then
				[[ $(tree_cat "/heap/objects/$addr/state") == "${states[i]}" ]] || { echo "$addr: state"; return 1; }
			fi
			if ((i + 1 < n)); then
				# One continuation a link; several (a fork) a directory of links.
				local links
				links=$(tree_readlink "/heap/objects/$addr/continuation" 2>/dev/null ||
					for l in $(tree_ls "/heap/objects/$addr/continuations"); do
						tree_readlink "/heap/objects/$addr/continuations/$l"
					done)
				grep -q "/objects/${addrs[i + 1]}$" <<<"$links" || { echo "$addr: continuation: $links"; return 1; }
			else
				run tree_readlink "/heap/objects/$addr/continuation"
				((status != 0)) || { echo "$addr: the outermost has a continuation: $output"; return 1; }
			fi
		done
	done < <(awk -v RS= '/Fixture\.Tasks\./ { gsub(/\n/, "|"); print }' <<<"$text")
}

@test "full: a chain's tasks have status, method, state and continuation" { check_objects full; }
@test "heap: a chain's tasks have status, method, state and continuation" { check_objects heap; }

# /tasks/stacks: the chains grouped by method sequence, by count descending.
check_task_stacks() { # KIND
	use_dump "$1"
	local got
	got=$(tree_cat /tasks/stacks | awk -v RS= '/Fixture\./ { gsub(/\n/, "|"); print }' |
		sed -E 's#\|System\.Threading\.Tasks\.Task\+[A-Za-z]*WhenAll[A-Za-z]*Promise[^|]*#|WhenAllPromise#')
	[[ $got == "$(printf '%s\n' \
		"3 chains|Fixture.Tasks.Level3Async|Fixture.Tasks.Level2Async|Fixture.Tasks.Level1Async" \
		"2 chains|Fixture.Tasks.LeafAsync|WhenAllPromise|Fixture.Tasks.WhenAllAsync" \
		"1 chains|Fixture.Tasks.DelayAsync" "1 chains|Fixture.Tasks.ForkAAsync" "1 chains|Fixture.Tasks.ForkBAsync" \
		"1 chains|Fixture.Tasks.LeafAsync|Fixture.Tasks.ConfiguredAsync" \
		"1 chains|Fixture.Tasks.SemaphoreAsync" "1 chains|Fixture.Tasks.ValueAsync")" ]] ||
		{ tree_cat /tasks/stacks; return 1; }
	# Counts not increasing over all blocks.
	got=$(tree_cat /tasks/stacks | grep -E '^[0-9]+ chains$' | cut -d' ' -f1)
	[[ $got == "$(sort -rn <<<"$got")" ]]
}

@test "full: /tasks/stacks groups the chains by their methods" { check_task_stacks full; }
@test "heap: /tasks/stacks groups the chains by their methods" { check_task_stacks heap; }

# A box's machine/ holds its hoisted parameter, awaits leads to the line above it in
# its chain, and asynclocals has the value its chain set before its first await.
check_boxes() { # KIND
	use_dump "$1"
	local block seen=""
	while read -r block; do
		local -a addrs=()
		while IFS=$'\t' read -r addr _; do addrs+=("$addr"); done < <(tr '|' '\n' <<<"$block")
		((${#addrs[@]} == 4)) || { echo "$block"; return 1; }
		local chain i
		chain=$(tree_cat "/heap/objects/${addrs[1]}/machine/chain")
		seen+="$chain "
		for ((i = 1; i < 4; i++)); do
			local a=${addrs[i]}
			[[ $(tree_cat "/heap/objects/$a/machine/chain") == "$chain" ]] || { echo "$a: chain"; return 1; }
			[[ $(tree_cat "/heap/objects/$a/machine/<>1__state") == 0 ]] || { echo "$a: state"; return 1; }
			[[ $(tree_readlink "/heap/objects/$a/awaits") == */objects/"${addrs[i - 1]}" ]] ||
				{ echo "$a: awaits"; return 1; }
			grep -q $'\t"chain '"$chain"'"$' < <(tree_cat "/heap/objects/$a/asynclocals") ||
				{ echo "$a: asynclocals"; tree_cat "/heap/objects/$a/asynclocals"; return 1; }
		done
	done < <(tree_cat /tasks/chains | awk -v RS= '/Level1Async/ { gsub(/\n/, "|"); print }')
	[[ $(tr ' ' '\n' <<<"$seen" | sed '/^$/d' | sort) == "$(printf '0\n1\n2')" ]] || { echo "chains: $seen"; return 1; }
}

@test "full: a box has its machine, what it awaits and its AsyncLocals" { check_boxes full; }
@test "heap: a box has its machine, what it awaits and its AsyncLocals" { check_boxes heap; }

# /tasks/chains against SOS's dumpasync (dotnet-dump, through Microsoft's DAC): the same
# chains, task by task, with the same states. Without dotnet-dump the test fails, unless
# CLRFS_NO_ORACLE=1 says to skip it (with the reason).
check_sos() { # KIND
	use_dump "$1"
	local ours theirs
	need_sos
	run -0 "$CLRFS_ROOT/scripts/sos" "$DUMP" dumpasync
	# SOS: "STACK N" then "ADDR MT (STATE) TYPE" lines, indented two spaces a level (a
	# tree: a fork's awaiters are siblings), STATE blank for a task that is no async
	# method; as "0xADDR/STATE ..." per path from the root to each leaf.
	theirs=$(awk 'function flush(   i, j, s) {
			for (i = 1; i <= n; i++) {
				path[depth[i]] = tok[i] # the lines come in pre-order
				if (i < n && depth[i + 1] > depth[i]) continue # not a leaf
				s = ""
				for (j = 0; j <= depth[i]; j++) s = s (j ? " " : "") path[j]
				print s
			}
			n = 0 }
		function tokdepth(line) { match(line, /^ */); return RLENGTH / 2 }
		/^STACK / { flush(); next }
		match($0, /^ *[0-9a-f]+ [0-9a-f]+ \([^)]*\)/) {
			st = $0; sub(/^ *[0-9a-f]+ [0-9a-f]+ \(/, "", st); sub(/\).*/, "", st); gsub(/ /, "", st)
			a = $1
			n++; depth[n] = tokdepth($0); tok[n] = "0x" a "/" (st == "" ? "-" : st)
		}
		END { flush() }' <<<"$output" | sort)
	ours=$(tree_cat /tasks/chains | awk -v RS= '{
		n = split($0, l, "\n"); s = ""
		for (i = 1; i <= n; i++) { k = split(l[i], f, "\t"); s = s (s == "" ? "" : " ") f[1] "/" (k == 3 ? f[2] : "-") }
		print s }' | sort)
	[[ $(wc -l <<<"$theirs") -ge 9 ]] || { echo "SOS: $output"; return 1; }
	[[ $ours == "$theirs" ]] || { echo "< clrfs, > SOS"; diff <(echo "$ours") <(echo "$theirs"); return 1; }
}

@test "full: /tasks/chains equals SOS dumpasync" { check_sos full; }
@test "heap: /tasks/chains equals SOS dumpasync" { check_sos heap; }
