#!/usr/bin/env bash
# The kernel's own accounting of kinsight's BPF programs (run time per call) over the
# syscall loop, for each hook plan aggregated mode can take on this kernel. Steadier than
# wall-clock ratios on a shared VM: it counts only time spent inside the programs. Needs
# root, bpftool and a release build:
#   cargo build --release -p kinsight && cargo build --release -p kinsight-ebpf --examples
#   bash bench/live/program_cost.sh target/release
set -euo pipefail
BIN=${1:-target/release}
N=${N:-2000000}
K="$BIN/kinsight"
LOOP="$BIN/examples/syscall_loop"
BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)
CPU=$(( $(nproc) - 1 ))
LOG=$(mktemp)
trap 'rm -f "$LOG"; sysctl -qw kernel.bpf_stats_enabled=0' EXIT

# plan name → the hooks to avoid
declare -A plans=(
    [best]=""
    [no_iterator]="sock-iterator"
    [sock_tracepoints]="fexit-vfs,fexit-sockets,sock-iterator"
    [syscall_exit]="fexit-vfs,fexit-sockets,sock-tracepoints"
)
# Programs are told apart from other kinsights' by their ids: loaded after this point.
max_id() { "$BPFTOOL" prog show --json | python3 -c 'import json, sys; print(max([p["id"] for p in json.load(sys.stdin)] or [0]))'; }
for plan in best no_iterator sock_tracepoints syscall_exit; do
    first=$(max_id)
    KINSIGHT_BPF_AVOID=${plans[$plan]} "$K" live --mode aggregated --interval 3600 --view procs > /dev/null 2> "$LOG" < /dev/null &
    pid=$!
    for _ in $(seq 300); do grep -q 'watching this host' "$LOG" && break; sleep 0.1; done
    sysctl -qw kernel.bpf_stats_enabled=1
    taskset -c "$CPU" "$LOOP" "$N" > /dev/null
    echo "== $plan: $(grep -o 'file bytes:.*processes: [^;)]*' "$LOG")"
    "$BPFTOOL" prog show --json | python3 -c '
import json, sys
first = int(sys.argv[1])
for p in json.load(sys.stdin):
    name = p.get("name", "")
    ours = p["id"] > first
    if ours and name.startswith("ks_") and p.get("run_cnt"):
        n, t = p["run_cnt"], p["run_time_ns"]
        print(f"   {name:24} {n:>10} calls  {t / n:6.1f} ns/call")
' "$first"
    sysctl -qw kernel.bpf_stats_enabled=0
    kill "$pid"; wait "$pid" 2>/dev/null || true
done
