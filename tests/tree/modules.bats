#!/usr/bin/env bats
# /modules and /loadcontexts (issue 19) against the modules fixture's manifest
# (tests/fixtures/modules): every assembly the process loaded, with its file, path,
# assembly name, version and load context; every AssemblyLoadContext with its
# collectibility, state (a collectible context unloaded while an object of its
# assembly is still held: "unloading") and its modules; the types of a module with
# objects. Full and heap dumps.
# shellcheck disable=SC2016 # jq programs in single quotes
load helpers

DUMPS=(modules/full modules/heap)
use_fixture modules

setup_file() { mount_dumps "${DUMPS[@]}"; }
teardown_file() { unmount_dumps; }

check_modules() { # DUMP
	use_dump "$1"
	local want file k n
	want=$(manifest '.assemblies[].file' | LC_ALL=C sort)
	run -0 tree_ls /modules
	[[ $output == "$want" ]] || { echo "$1: /modules lists:"; diff <(echo "$want") <(echo "$output"); return 1; }
	n=$(manifest '.assemblies | length')
	((n >= 10)) || { echo "$1: $n assemblies in the manifest"; return 1; }
	for ((k = 0; k < n; k++)); do
		file=$(manifest ".assemblies[$k].file")
		run -0 tree_cat "/modules/$file/info"
		expect_field file "$file"
		expect_field path "$(manifest ".assemblies[$k].path")"
		expect_field assembly-name "$(manifest ".assemblies[$k].name")"
		expect_field version "$(manifest ".assemblies[$k].version")"
		expect_field loadcontext "$(manifest ".assemblies[$k].context")"
		expect_field_re module '^0x[0-9a-f]{16}$'
		expect_field_re base '^0x[0-9a-f]{16}$'
		expect_field_re in-dump '^[0-9]+ of [0-9]+ bytes$'
		run -0 tree_readlink "/modules/$file/loadcontext"
		[[ $output == "../../loadcontexts/$(manifest ".assemblies[$k].context")" ]] ||
			{ echo "$1: $file: loadcontext -> $output"; return 1; }
	done
}

check_contexts() { # DUMP
	use_dump "$1"
	local want name k n
	want=$(manifest '.contexts[].name' | LC_ALL=C sort)
	run -0 tree_ls /loadcontexts
	[[ $output == "$want" ]] || { echo "$1: /loadcontexts lists:"; diff <(echo "$want") <(echo "$output"); return 1; }
	n=$(manifest '.contexts | length')
	for ((k = 0; k < n; k++)); do
		name=$(manifest ".contexts[$k].name")
		run -0 tree_cat "/loadcontexts/$name/info"
		expect_field name "$name"
		expect_field collectible "$([[ $(manifest ".contexts[$k].collectible") == true ]] && echo yes || echo no)"
		expect_field state "$(manifest ".contexts[$k].state")"
		expect_field modules "$(manifest ".contexts[$k].modules | length")"
		run -0 tree_cat "/loadcontexts/$name/object/type"
		[[ $output == System.Runtime.Loader.*AssemblyLoadContext ]] || { echo "$1: $name: object of $output"; return 1; }
		run -0 tree_ls "/loadcontexts/$name/modules"
		[[ $output == "$(manifest ".contexts[$k].modules[]" | LC_ALL=C sort)" ]] ||
			{ echo "$1: $name: modules/ lists $output"; return 1; }
		# each link leads to its module's directory
		local m
		for m in $output; do
			[[ $(tree_cat "/loadcontexts/$name/modules/$m/info" | sed -n 's/^file: //p') == "$m" ]] ||
				{ echo "$1: $name: modules/$m leads elsewhere"; return 1; }
		done
	done
	# The fixture's own: one of each kind.
	[[ $(manifest '[.contexts[] | select(.state == "unloading" and .collectible)] | length') == 1 ]]
	[[ $(manifest '[.contexts[] | select(.collectible | not) | select(.name != "Default")] | length') == 1 ]]
}

# A module's types: those of its objects, as /heap/stats counts them.
check_types() { # DUMP
	use_dump "$1"
	run -0 tree_cat /modules/System.Formats.Tar.dll/types
	grep -qP '^1\t24\t0x[0-9a-f]{16}\tSystem\.Formats\.Tar\.TarEntryFormat$' <<<"$output" ||
		{ echo "$1: Tar's types: $output"; return 1; }
	[[ $(tail -n1 <<<"$output") == $'1\t24\t-\tTotal' ]] || { echo "$1: Tar's types: $output"; return 1; }
	run -0 tree_cat /modules/System.Private.CoreLib.dll/types
	local corelib=$output
	grep -qP '\tSystem\.String$' <<<"$corelib"
	! grep -q 'TarEntryFormat' <<<"$corelib"
	# every type of the heap in exactly one module's types
	run -0 tree_cat /heap/stats
	local total module_total=0 t
	total=$(tail -n1 <<<"$output" | cut -f1)
	for t in $(tree_ls /modules); do
		module_total=$((module_total + $(tree_cat "/modules/$t/types" | tail -n1 | cut -f1)))
	done
	((module_total == total)) || { echo "$1: the modules' types count $module_total objects, /heap/stats $total"; return 1; }
}

@test "modules/full: /modules lists every loaded assembly with its path, name, version and context" { check_modules modules/full; }
@test "modules/heap: /modules lists every loaded assembly with its path, name, version and context" { check_modules modules/heap; }
@test "modules/full: /loadcontexts lists each context, collectible, unloading and its modules" { check_contexts modules/full; }
@test "modules/heap: /loadcontexts lists each context, collectible, unloading and its modules" { check_contexts modules/heap; }
@test "modules/full: a module's types are those of its objects" { check_types modules/full; }
@test "modules/heap: a module's types are those of its objects" { check_types modules/heap; }

# A module's path in the dump rewritten in place (UTF-16, the same length) to end in
# "../../<LF>Formats.Tar.dll": its directory is one escaped component, its info one
# record per line.
@test "modules/full: a path holding '../' and a line break is one escaped name" {
	local patched=$BATS_TEST_TMPDIR/patched.core
	cp "$FIXTURE/full.core" "$patched"
	LC_ALL=C perl -e '
		my $f = shift;
		open(my $fh, "+<:raw", $f) or die "$f: $!\n";
		local $/;
		my $d = <$fh>;
		my ($from, $to) = map { join("", map { $_ . "\0" } split //, $_) }
			("System.Formats.Tar.dll", "../../\nFormats.Tar.dll");
		my $n = ($d =~ s/\Q$from\E\0\0/$to\0\0/g);
		$n or die "$f: no UTF-16 path of System.Formats.Tar.dll\n";
		seek($fh, 0, 0);
		print $fh $d;
		close($fh) or die "$f: $!\n";' "$patched"
	run -0 "$CLRFS_BIN" --list /modules "$patched"
	grep -qx '%0AFormats.Tar.dll' <<<"$output" || { echo "/modules lists: $output"; return 1; }
	! grep -q 'System.Formats.Tar.dll' <<<"$output"
	run -0 "$CLRFS_BIN" --print /modules/%0AFormats.Tar.dll/info "$patched"
	expect_field file '%0AFormats.Tar.dll'
	expect_field_re path '/\.\./\.\./%0AFormats\.Tar\.dll$'
	expect_field assembly-name System.Formats.Tar
	run -0 "$CLRFS_BIN" --list /loadcontexts/plugins/modules "$patched"
	[[ $output == '%0AFormats.Tar.dll' ]]
	run -0 "$CLRFS_BIN" --readlink /loadcontexts/plugins/modules/%0AFormats.Tar.dll "$patched"
	[[ $output == '../../../modules/%0AFormats.Tar.dll' ]]
}

# Fixture.Plugins, a static class of the fixture's module, which has no object of its
# own on the heap: its statics are listed, they are roots, and what they hold is live.
check_static_roots() { # DUMP
	use_dump "$1"
	local obj
	run -0 tree_cat /modules/modules.dll/types
	[[ $output == $'0\t0\t-\tTotal' ]] || { echo "$1: the fixture's module has objects: $output"; return 1; }
	run -0 tree_readlink /statics/Fixture.Plugins/TarFormat
	obj=${output##*/}
	[[ $obj =~ ^0x[0-9a-f]{16}$ ]]
	run -0 tree_cat "/heap/objects/$obj/type"
	[[ $output == System.Formats.Tar.TarEntryFormat ]]
	run -0 tree_cat /heap/roots
	grep -qxP "static\tFixture\.Plugins\.TarFormat\t$obj\tSystem\.Formats\.Tar\.TarEntryFormat" <<<"$output" ||
		{ echo "$1: no static root for Fixture.Plugins.TarFormat"; return 1; }
	run -0 tree_cat "/heap/objects/$obj/path"
	[[ ${lines[0]} == $'static\tFixture.Plugins.TarFormat' ]] || { echo "$1: path $output"; return 1; }
	run -0 tree_cat /heap/live/stats
	grep -qP '^1\t24\t0x[0-9a-f]{16}\tSystem\.Formats\.Tar\.TarEntryFormat$' <<<"$output"
}

@test "modules/full: the statics of a module without objects are listed and are roots" { check_static_roots modules/full; }
@test "modules/heap: the statics of a module without objects are listed and are roots" { check_static_roots modules/heap; }
