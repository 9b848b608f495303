# shellcheck shell=bash
# Shared helpers for scripts/*: source it, do not run it.

CLRFS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CLRFS_ROOT

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# shellcheck disable=SC2034 # used by scripts/setup
CLRFS_PACKAGES=(build-essential gcc git meson ninja-build pkg-config libfuse3-dev fuse3 liburing-dev
	uthash-dev libjansson-dev libcmocka-dev bats libelf-dev jq gdb)

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

# Says whether this machine can mount FUSE filesystems (0 when it can).
# CLRFS_NO_FUSE=1 says no, to exercise the --print/--list fallback.
fuse_usable() {
	[[ ${CLRFS_NO_FUSE:-0} != 1 && -c /dev/fuse ]] && command -v fusermount3 >/dev/null &&
		(exec 9<>/dev/fuse) 2>/dev/null
}
