#!/usr/bin/env bash
# Side-by-side: `kinsight read` against sysdig 0.29.3 on the same large capture, built by
# repeating the real k8s trace's events (shifted in time) TIMES times.
#   bash bench/compare.sh [TIMES]        (default 20: about 2.9M events)
# Needs: sysdig (apt), hyperfine (apt). Writes bench/out/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
TIMES=${1:-20}
OUT=bench/out
mkdir -p "$OUT"
SRC=../shared/traces/bencer/k8s_backend_capture.scap
BIG="$OUT/k8s_x${TIMES}.scap"

cargo build --release -q -p kinsight -p kinsight-scap --example repeat_trace
TD=${CARGO_TARGET_DIR:-target}
K=$TD/release/kinsight
if [ ! -s "$BIG" ]; then
    $TD/release/examples/repeat_trace "$SRC" "$BIG" --times "$TIMES"
fi
EVENTS=$("$K" read "$BIG" --view events | wc -l)
echo "input: $BIG, $(du -h "$BIG" | cut -f1), $EVENTS events"

# Equivalent work, one pass each: network per container, top connections, HTTP log.
hyperfine --warmup 1 --runs 5 --export-markdown "$OUT/hyperfine.md" \
    -n "kinsight containers"   "$K read $BIG --view containers" \
    -n "sysdig topcontainers_net" "sysdig -r $BIG -c topcontainers_net" \
    -n "kinsight connections"  "$K read $BIG --view connections" \
    -n "sysdig topconns"       "sysdig -r $BIG -c topconns" \
    -n "kinsight httplog"      "$K read $BIG --view httplog" \
    -n "sysdig httplog"        "sysdig -r $BIG -c httplog"

echo
echo "peak resident memory (KiB):"
for cmd in "$K read $BIG --view containers" "sysdig -r $BIG -c topcontainers_net" \
           "$K read $BIG --view connections" "sysdig -r $BIG -c topconns" \
           "$K read $BIG --view httplog" "sysdig -r $BIG -c httplog"; do
    rss=$( { /usr/bin/time -f "%M" $cmd > /dev/null; } 2>&1 | tail -1 )
    echo "  $rss  $cmd"
done
