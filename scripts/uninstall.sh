#!/bin/sh
# uninstall.sh [PREFIX]: removes what `cmake --install` of wasm-rpath put
# under PREFIX, and nothing else.
#
# The install writes PREFIX/share/wasm-rpath/installed-files: the SHA-256
# and the path (relative to PREFIX) of every file it installed. A file is
# removed only if it is still a regular file under PREFIX with that content
# and no Debian package owns it; anything else (a file changed since, a
# link, the same path now from a .deb, a line naming a path outside PREFIX)
# is kept and said. Then the directories that this left empty are removed,
# up to PREFIX (never PREFIX itself). Without PREFIX, the prefix this script
# is installed in (PREFIX/share/wasm-rpath/uninstall.sh).
#
# (CMake's build/install_manifest.txt is not used: it lists what the last
# install *of that build tree* wrote, with absolute paths, and `cpack`
# overwrites it with its own staging of /usr.)
set -eu
if [ $# -gt 1 ]; then
  echo "usage: $0 [PREFIX]" >&2
  exit 2
fi
if [ $# -eq 1 ]; then
  prefix=$1
else
  prefix=$(cd "$(dirname "$0")/../.." && pwd)
fi
prefix=$(cd "$prefix" 2>/dev/null && pwd) || {
  echo "uninstall.sh: error: '$1': no such directory" >&2
  exit 1
}
manifest=$prefix/share/wasm-rpath/installed-files
if [ ! -f "$manifest" ] || [ -L "$manifest" ]; then
  echo "uninstall.sh: error: '$manifest': not found; was wasm-rpath installed into '$prefix' by cmake --install?" >&2
  exit 1
fi
owned_by_package() {
  command -v dpkg-query >/dev/null 2>&1 && dpkg-query -S "$1" >/dev/null 2>&1
}
removed=0 kept=0
dirs=""
while IFS= read -r line; do
  hash=${line%%  *}
  rel=${line#*  }
  case "/$rel/" in
    //|*/../*|*/./*) echo "uninstall.sh: warning: '$rel': not a path under the prefix; ignored" >&2
                     kept=$((kept + 1)); continue ;;
  esac
  case "$rel" in
    /*) echo "uninstall.sh: warning: '$rel': not a path under the prefix; ignored" >&2
        kept=$((kept + 1)); continue ;;
  esac
  f=$prefix/$rel
  if [ -L "$f" ]; then
    echo "uninstall.sh: warning: '$f': a symbolic link now, not the installed file; kept" >&2
    kept=$((kept + 1)); continue
  fi
  [ -e "$f" ] || continue
  if [ ! -f "$f" ]; then
    echo "uninstall.sh: warning: '$f': not a regular file now; kept" >&2
    kept=$((kept + 1)); continue
  fi
  if owned_by_package "$f"; then
    echo "uninstall.sh: warning: '$f': belongs to a Debian package ($(dpkg-query -S "$f" 2>/dev/null | cut -d: -f1)); kept" >&2
    kept=$((kept + 1)); continue
  fi
  if [ "$(sha256sum < "$f" | cut -d' ' -f1)" != "$hash" ]; then
    echo "uninstall.sh: warning: '$f': changed since it was installed; kept" >&2
    kept=$((kept + 1)); continue
  fi
  rm -f -- "$f"
  removed=$((removed + 1))
  dirs="$dirs
$(dirname -- "$rel")"
done < "$manifest"
rm -f -- "$manifest"
dirs="$dirs
share/wasm-rpath"
# Deepest first; each directory and its parents while they are empty, up to
# the prefix.
printf '%s\n' "$dirs" | awk 'NF { print gsub("/", "/"), $0 }' | sort -k1,1rn -k2 | uniq |
  cut -d' ' -f2- | while IFS= read -r d; do
    while [ -n "$d" ] && [ "$d" != "." ]; do
      rmdir -- "$prefix/$d" 2>/dev/null || break
      d=$(dirname -- "$d")
    done
  done
echo "uninstall.sh: removed $removed files from '$prefix'; kept $kept"
