# shellcheck shell=bash
# Shared helpers for scripts/*: source it, do not run it.

CLRFS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CLRFS_ROOT

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# shellcheck disable=SC2034 # used by scripts/setup
CLRFS_PACKAGES=(build-essential gcc git meson ninja-build pkg-config libfuse3-dev fuse3 liburing-dev
	uthash-dev libjansson-dev libcmocka-dev bats libelf-dev jq gdb groff-base man-db attr
	qemu-system-arm cpio parallel)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Prints "VERSION DIR" of the newest Microsoft.NETCore.App runtime, DIR holding createdump.
dotnet_runtime() {
	command -v dotnet >/dev/null || return 1
	dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" {
		dir = $3; gsub(/[][]/, "", dir); v = $2 } END { if (v) print v, dir "/" v }'
}

runtime_version() { local r; r=$(dotnet_runtime) && echo "${r%% *}"; }

# Prints the path of the runtime's createdump.
find_createdump() {
	local r
	r=$(dotnet_runtime) || return 1
	[[ -x ${r#* }/createdump ]] || return 1
	echo "${r#* }/createdump"
}

# The runtime lines the tests cover besides the SDK's own (10.0): each is the
# Microsoft.NETCore.App runtime pack of that version from NuGet, laid out by
# scripts/runtimes as a DOTNET_ROOT in build/runtimes/<version>.
# shellcheck disable=SC2034 # used by scripts/runtimes, scripts/fixtures, scripts/test
CLRFS_PACK_VERSIONS=(8.0.34 9.0.23 11.0.0)

# Prints "major.minor" of a version.
version_line() { local IFS=.; read -ra v <<<"$1"; echo "${v[0]}.${v[1]}"; }

# Prints the DOTNET_ROOT that runs a runtime version: the SDK's own for its
# runtime, else the pack's layout (scripts/runtimes makes it).
runtime_root() { # VERSION
	local r
	r=$(dotnet_runtime) || return 1
	if [[ $1 == "${r%% *}" ]]; then
		r=${r#* }
		echo "${r%/shared/Microsoft.NETCore.App/*}"
	else
		echo "$CLRFS_ROOT/build/runtimes/$1"
	fi
}

# Prints the directory of a runtime version's libcoreclr.so and createdump.
runtime_dir() { echo "$(runtime_root "$1")/shared/Microsoft.NETCore.App/$1"; }

# Prints the target framework a fixture app is built for to run on a runtime
# line: SDK 10 cannot target net11.0, so 11.0 runs the net10.0 build rolled
# forward (DOTNET_ROLL_FORWARD=Major).
line_tfm() { # LINE
	case $1 in
	8.0 | 9.0 | 10.0) echo "net$1" ;;
	*) echo net10.0 ;;
	esac
}

# The linux-arm64 runtime packs whose lines are tested besides the SDK's: 9.0.23 and
# 11.0.0 (arm64_lines prints every arm64 line: arm64-10.0 arm64-9.0 arm64-11.0); no 8.0
# arm64 pack is served here.
# shellcheck disable=SC2034 # used by scripts/fixtures, scripts/test
CLRFS_ARM64_PACK_VERSIONS=(9.0.23 11.0.0)
arm64_lines() {
	local v
	echo "arm64-$(version_line "$(runtime_version)")"
	for v in "${CLRFS_ARM64_PACK_VERSIONS[@]}"; do echo "arm64-$(version_line "$v")"; done
}

# The runtime versions the tests run on, the SDK's own first.
test_versions() { echo "$(runtime_version)" "${CLRFS_PACK_VERSIONS[@]}"; }

# Says whether this machine can mount FUSE filesystems (0 when it can).
# CLRFS_NO_FUSE=1 says no, to exercise the --print/--list fallback.
fuse_usable() {
	[[ ${CLRFS_NO_FUSE:-0} != 1 && -c /dev/fuse ]] && command -v fusermount3 >/dev/null &&
		(exec 9<>/dev/fuse) 2>/dev/null
}
