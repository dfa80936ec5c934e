#!/bin/sh
# emcc-llvm-root.sh DIR [WRAPPER]: make DIR an LLVM_ROOT for emcc whose
# linker is wasm-ld-rpath, then use it with `export EM_LLVM_ROOT=DIR`.
#
# emcc runs its tools by absolute path, $LLVM_ROOT/<tool>[-$LLVM_ADD_VERSION]
# (Debian: /usr/bin/wasm-ld-14), so a wasm-ld first on PATH is never seen.
# DIR gets a symlink to every tool of emcc's LLVM_ROOT (those with the
# version suffix, when the config has one) and the linker's name pointing at
# the wrapper. Started under that name, the wrapper forwards to the program
# of the same name on PATH (/usr/bin/wasm-ld-14), or to $WASM_RPATH_LINKER.
# WRAPPER defaults to wasm-ld-rpath on PATH. Safe to re-run.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DIR [WRAPPER]" >&2; exit 2; }
dir=$1
wrapper=${2:-$(command -v wasm-ld-rpath || true)}
[ -n "$wrapper" ] || { echo "$0: wasm-ld-rpath not found on PATH" >&2; exit 1; }
case $wrapper in /*) ;; *) wrapper=$(pwd)/$wrapper ;; esac

# Ask emcc's own config reader, without a previous EM_LLVM_ROOT pointing
# here.
root=$(env -u EM_LLVM_ROOT em-config LLVM_ROOT)
llvm_version=$(env -u EM_LLVM_ROOT em-config LLVM_ADD_VERSION)
clang_version=$(env -u EM_LLVM_ROOT em-config CLANG_ADD_VERSION)
[ "$llvm_version" = None ] && llvm_version=
[ "$clang_version" = None ] && clang_version=
[ -d "$root" ] || { echo "$0: emcc's LLVM_ROOT '$root' is not a directory" >&2; exit 1; }

mkdir -p "$dir"
for suffix in ${llvm_version:+"-$llvm_version"} ${clang_version:+"-$clang_version"}; do
  for tool in "$root"/*"$suffix"; do
    [ -f "$tool" ] && ln -sfn "$tool" "$dir/"
  done
done
if [ -z "$llvm_version$clang_version" ]; then
  for tool in "$root"/*; do
    [ -f "$tool" ] && ln -sfn "$tool" "$dir/"
  done
fi
ln -sfn "$wrapper" "$dir/wasm-ld${llvm_version:+-$llvm_version}"
echo "EM_LLVM_ROOT=$dir"
