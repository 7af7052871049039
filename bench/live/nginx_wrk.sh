#!/usr/bin/env bash
# Throughput of nginx (Debian package) under wrk on loopback, bare and under kinsight live
# (full stream and aggregated), and with an empty program on raw_syscalls:sys_exit (the
# floor of any design built on that tracepoint), rounds interleaved; and kinsight's own CPU
# time per 10k requests. Needs root, nginx, wrk and a release build with the examples:
#   cargo build --release -p kinsight && cargo build --release -p kinsight-ebpf --examples
#   bash bench/live/nginx_wrk.sh target/release/kinsight
set -euo pipefail
K=${1:-target/release/kinsight}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNS=${CONNS:-32}
PORT=${PORT:-18181}
DIR=$(mktemp -d)
NGINX_PID=""
cleanup() {
    [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT

mkdir -p "$DIR/html" "$DIR/logs"
head -c 612 /dev/zero | tr '\0' 'k' > "$DIR/html/index.html"
cat > "$DIR/nginx.conf" <<CONF
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/logs/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    server {
        listen 127.0.0.1:$PORT;
        root $DIR/html;
    }
}
CONF
# nginx on the first CPU, wrk on the second: the same placement in every configuration
# (kinsight's own threads go where the scheduler puts them).
taskset -c 0 nginx -c "$DIR/nginx.conf" -p "$DIR" -g 'daemon off;' &
NGINX_PID=$!
sleep 1

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One wrk run; prints "requests/s requests".
run_wrk() {
    taskset -c 1 wrk -t2 -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:$PORT/" | awk '
        /requests in/ {req=$1}
        /Requests\/sec/ {rps=$2}
        END {print rps, req}'
}

# Starts kinsight live in a mode, runs wrk, prints "rps requests kinsight_cpu_seconds drops".
with_kinsight() {
    local mode=$1 avoid=${2:-} log="$DIR/k.log"
    KINSIGHT_BPF_AVOID=$avoid "$K" live --mode "$mode" --interval 3600 --view procs > /dev/null 2> "$log" < /dev/null &
    local pid=$!
    for _ in $(seq 300); do grep -q 'watching this host' "$log" && break; sleep 0.1; done
    local before; before=$(cpu_ticks "$pid")
    local out; out=$(run_wrk)
    local after; after=$(cpu_ticks "$pid")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo "$out $(awk -v a="$after" -v b="$before" 'BEGIN {print (a - b) / 100}')"
}

# An empty program on sys_exit, then wrk: prints "rps requests".
with_empty_program() {
    local log="$DIR/e.log"
    "$(dirname "$K")/examples/empty_programs" exit > "$log" 2>&1 < /dev/null &
    local pid=$!
    for _ in $(seq 300); do grep -q ready "$log" && break; sleep 0.1; done
    run_wrk
    kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "nginx + wrk -t2 -c$CONNS -d${DURATION}s on loopback, $ROUNDS rounds interleaved"
declare -A rps cpu req
for round in $(seq "$ROUNDS"); do
    read -r r n < <(run_wrk); rps[bare]+=" $r"
    read -r r n < <(with_empty_program); rps[empty_exit]+=" $r"
    read -r r n c < <(with_kinsight full); rps[full]+=" $r"; cpu[full]+=" $(awk -v c="$c" -v n="$n" 'BEGIN {printf "%.4f", c / n * 10000}')"
    read -r r n c < <(with_kinsight aggregated); rps[aggregated]+=" $r"; cpu[aggregated]+=" $(awk -v c="$c" -v n="$n" 'BEGIN {printf "%.4f", c / n * 10000}')"
    # Aggregated mode's fallbacks, forced: socket bytes at the syscall exit instead of the
    # best hook this kernel offers.
    read -r r n c < <(with_kinsight aggregated fexit-vfs,fexit-sockets,sock-tracepoints); rps[agg_sys_exit]+=" $r"; cpu[agg_sys_exit]+=" $(awk -v c="$c" -v n="$n" 'BEGIN {printf "%.4f", c / n * 10000}')"
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
b=$(echo "${rps[bare]}" | median)
printf "  %-13s %12s %10s %22s\n" config "requests/s" loss "kinsight CPU s / 10k req"
printf "  %-13s %12s %10s %22s   runs:%s\n" bare "$b" "-" "-" "${rps[bare]}"
r=$(echo "${rps[empty_exit]}" | median)
printf "  %-13s %12s %9.1f%% %22s   runs:%s\n" empty_exit "$r" "$(awk -v r="$r" -v b="$b" 'BEGIN {print (1 - r / b) * 100}')" "-" "${rps[empty_exit]}"
for m in full aggregated agg_sys_exit; do
    r=$(echo "${rps[$m]}" | median); c=$(echo "${cpu[$m]}" | median)
    printf "  %-13s %12s %9.1f%% %22s   runs:%s cpu:%s\n" "$m" "$r" "$(awk -v r="$r" -v b="$b" 'BEGIN {print (1 - r / b) * 100}')" "$c" "${rps[$m]}" "${cpu[$m]}"
done
