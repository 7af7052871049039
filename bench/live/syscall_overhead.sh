#!/usr/bin/env bash
# Cost of kinsight's tracing on a tight syscall loop (N getppid + N one-byte writes to
# /dev/null), every configuration measured in the same run, interleaved over ROUNDS
# rounds; prints the median and the minimum of each. Needs root and a release build:
#   cargo build --release -p kinsight
#   cargo build --release -p kinsight-ebpf --examples
#   bash bench/live/syscall_overhead.sh target/release
set -euo pipefail
BIN=${1:-target/release}
N=${N:-5000000}
ROUNDS=${ROUNDS:-3}
LOOP="$BIN/examples/syscall_loop"
EMPTY="$BIN/examples/empty_programs"
K="$BIN/kinsight"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# The loop runs on the last CPU in every configuration (kinsight's own threads and other
# work land elsewhere more often), which halves the spread between rounds.
CPU=$(( $(nproc) - 1 ))
run_loop() { taskset -c "$CPU" "$LOOP" "$N" | sed 's/.*total_ns=//'; }

# Starts a helper (its output in a file), waits until it prints `ready`, runs the loop,
# stops the helper by its pid.
with_helper() {
    local ready=$1; shift
    local log="$OUT/helper.log"
    : > "$log"
    "$@" > "$log" 2>&1 < /dev/null &
    local pid=$!
    for _ in $(seq 300); do
        grep -q "$ready" "$log" && break
        sleep 0.1
    done
    grep -q "$ready" "$log" || { echo "helper not ready: $(cat "$log")" >&2; exit 1; }
    run_loop
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

declare -A results
for round in $(seq "$ROUNDS"); do
    results[bare]+=" $(run_loop)"
    results[empty_exit]+=" $(with_helper ready "$EMPTY" exit)"
    results[empty_enter_exit]+=" $(with_helper ready "$EMPTY" enter-exit)"
    results[aggregated]+=" $(with_helper 'watching this host' "$K" live --mode aggregated --interval 3600 --view procs)"
    # The fallbacks of aggregated mode, forced: connections counted on every call (no
    # socket iterator), and socket bytes at the syscall exit (no socket tracepoints).
    results[agg_no_iter]+=" $(KINSIGHT_BPF_AVOID=sock-iterator with_helper 'watching this host' "$K" live --mode aggregated --interval 3600 --view procs)"
    results[agg_sys_exit]+=" $(KINSIGHT_BPF_AVOID=fexit-vfs,fexit-sockets,sock-tracepoints with_helper 'watching this host' "$K" live --mode aggregated --interval 3600 --view procs)"
    results[full]+=" $(with_helper 'watching this host' "$K" live --mode full --interval 3600 --view procs)"
done

stat() { tr ' ' '\n' | grep -v '^$' | sort -n | awk -v what="$1" '{a[NR]=$1} END {print (what == "min") ? a[1] : a[int((NR+1)/2)]}'; }
echo "ns per (getppid + write) pair; $ROUNDS rounds of $N each:"
printf "  %-18s %10s %10s   %s\n" config median min runs
for k in bare empty_exit empty_enter_exit aggregated agg_no_iter agg_sys_exit full; do
    med=$(echo "${results[$k]}" | stat median); min=$(echo "${results[$k]}" | stat min)
    eval "med_$k=$med; min_$k=$min"
    printf "  %-18s %10s %10s  %s\n" "$k" "$med" "$min" "${results[$k]}"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "ratios (median / min):"
echo "  aggregated / empty sys_exit program      = $(ratio "$med_aggregated" "$med_empty_exit") / $(ratio "$min_aggregated" "$min_empty_exit")   (target <= 1.15)"
echo "  aggregated / empty enter+exit programs   = $(ratio "$med_aggregated" "$med_empty_enter_exit") / $(ratio "$min_aggregated" "$min_empty_enter_exit")"
echo "  aggregated, no socket iterator / empty sys_exit = $(ratio "$med_agg_no_iter" "$med_empty_exit") / $(ratio "$min_agg_no_iter" "$min_empty_exit")"
echo "  aggregated, sockets at sys_exit / empty sys_exit = $(ratio "$med_agg_sys_exit" "$med_empty_exit") / $(ratio "$min_agg_sys_exit" "$min_empty_exit")"
echo "  full stream / bare                       = $(ratio "$med_full" "$med_bare") / $(ratio "$min_full" "$min_bare")   (target <= 4)"
echo "  empty sys_exit program / bare            = $(ratio "$med_empty_exit" "$med_bare") / $(ratio "$min_empty_exit" "$min_bare")"
