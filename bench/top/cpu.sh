#!/usr/bin/env bash
# CPU of `kinsight top` itself on this live host (root), in tmux at 120x40, nobody typing.
#
# The UI alone: `top --connect` to a `kinsight up` watching this host, so that the pipeline's
# CPU is in the `up` process and the figure is the UI's (requests, JSON, drawing). Then the
# in-process shape (`top --mode full`: UI and pipeline in one process) beside `up` alone.
# Each figure is utime+stime from /proc/PID/stat over SECONDS (default 30), as % of one core.
#
#   bash bench/top/cpu.sh target/release/kinsight [SECONDS]
set -euo pipefail
K=$(realpath "${1:?path to the kinsight binary}")
SECONDS_PER_RUN=${2:-30}
PORT=17171
SOCK=kinsight-top-bench-$$
HZ=$(getconf CLK_TCK)
DATA=$(mktemp -d)
trap 'tmux -L $SOCK kill-server 2>/dev/null || true; kill $UP 2>/dev/null || true; rm -rf "$DATA"' EXIT

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# CPU % of one core used by PID over the run, after a warm-up of 5 s.
measure() {
    sleep 5
    local a b
    a=$(ticks "$1")
    sleep "$SECONDS_PER_RUN"
    b=$(ticks "$1")
    awk -v d=$((b - a)) -v hz="$HZ" -v s="$SECONDS_PER_RUN" 'BEGIN { printf "%.2f", 100 * d / hz / s }'
}

# Runs `kinsight top ARGS` in tmux; prints its CPU %.
top_cpu() {
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    tmux -L "$SOCK" -f /dev/null new-session -d -s t -x 120 -y 40 "exec $K top $*"
    local pid
    pid=$(tmux -L "$SOCK" display-message -p -t t '#{pane_pid}')
    measure "$pid"
    tmux -L "$SOCK" kill-server
}

"$K" up --capture full --no-kubernetes --bind 127.0.0.1:$PORT --data-dir "$DATA" >/dev/null 2>&1 &
UP=$!
until curl -sf "http://127.0.0.1:$PORT/api/status" >/dev/null; do sleep 0.2; done
sleep 3
URL=http://127.0.0.1:$PORT

echo "| shape | view | refresh | CPU % of one core |"
echo "|---|---|---:|---:|"
echo "| kinsight up alone (the pipeline, for reference) | - | - | $(measure $UP) |"
for view in physical procs; do
    for interval in 1 2 10; do
        echo "| top --connect (the UI alone) | $view | $interval s | $(top_cpu --connect $URL --view $view --interval $interval) |"
    done
done
kill $UP; wait $UP 2>/dev/null || true
for interval in 1 2; do
    echo "| top --mode full (UI + pipeline in one process) | procs | $interval s | $(top_cpu --mode full --no-kubernetes --view procs --interval $interval) |"
done
