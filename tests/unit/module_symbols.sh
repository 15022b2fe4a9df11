#!/bin/sh
# usage: module_symbols.sh VIGILD MODULE...
#
# A module (vigil-http.so, vigil-snmp.so) calls vigil's own code from vigild,
# which exports it (src/cli/vigild_exports.list); the linker only keeps in
# vigild what vigild itself uses. So a refactor that drops vigild's last use
# of a function a module needs links fine and fails only when the module is
# loaded ("undefined symbol"). This fails first: every vigil:: symbol a
# module leaves undefined must be defined and exported by vigild.
set -eu
nm=${NM:-nm}
vigild=$1
shift
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
vigil='^_Z(N|NK|TV|TI|TS)+5vigil'
"$nm" -D --defined-only "$vigild" | awk '{print $NF}' | sed 's/@.*//' | sort -u >"$dir/defined"
status=0
for module in "$@"; do
  "$nm" -D --undefined-only "$module" | awk '{print $NF}' | sed 's/@.*//' | grep -E "$vigil" |
    sort -u >"$dir/needed" || true
  comm -23 "$dir/needed" "$dir/defined" >"$dir/missing"
  if [ -s "$dir/missing" ]; then
    echo "$module needs $(wc -l <"$dir/missing") vigil symbol(s) that $vigild does not export:"
    c++filt <"$dir/missing" | sed 's/^/  /'
    status=1
  else
    echo "$module: all $(wc -l <"$dir/needed") vigil symbols it needs are exported by $vigild"
  fi
done
exit $status
