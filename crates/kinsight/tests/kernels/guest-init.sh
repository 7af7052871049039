#!/bin/busybox sh
# PID 1 of the kernel matrix guests (tests/kernels.rs). It starts kinsight in every mode at
# once, runs one workload while they watch, and writes to the second serial port
# (/dev/ttyS1) what the host checks:
#   === VALUE name value            a number the workload measured (sizes, pids)
#   === BEGIN name ... === END name  a file (kinsight's stdout and stderr of each run)
#   === DONE                         the last line: everything above is complete
# @NAME@ placeholders are filled in by the test.

/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t bpf bpf /sys/fs/bpf
ip link set lo up
# Raw: no \r added to the lines the host parses.
stty -F /dev/ttyS1 raw -echo
exec 3>/dev/ttyS1

value() { echo "=== VALUE $1 $2" >&3; }
section() { { echo "=== BEGIN $1"; cat "$2"; echo; echo "=== END $1"; } >&3; }
# A child that exited but was not waited for yet is a zombie: it still has a /proc entry.
alive() { [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }
# A listening socket on the port, IPv4 or IPv6 (busybox nc listens on both).
listening() { grep -sqE ":$(printf %04X "$1") 0+:0000 0A" /proc/net/tcp /proc/net/tcp6; }

value kernel "$(uname -r)"

# A process started before kinsight and alive throughout: every mode must list it.
sleep 100000 </dev/null &
value sleeper.pid $!

mkdir -p /www
for i in 1 2 3; do echo "kinsight test page $i" >/www/kinsight-test-$i; done

RUNS="aggregated full httplog proc"
start() {
    run=$1
    shift
    /kinsight live "$@" --format json --interval @INTERVAL@ --once </dev/null >/tmp/$run.json 2>/tmp/$run.stderr &
    echo $! >/tmp/$run.pid
}
start aggregated --mode aggregated --view procs
start full --mode full --view procs
start httplog --mode full --view httplog
start proc --mode proc --view procs

uptime_s() { cut -d' ' -f1 /proc/uptime; }
value uptime.kinsight_started "$(uptime_s)"
for run in $RUNS; do
    pid=$(cat /tmp/$run.pid)
    tries=0
    while ! grep -q "watching this host" /tmp/$run.stderr && alive $pid && [ $tries -lt 1200 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
done
value uptime.kinsight_ready "$(uptime_s)"
# Aggregated mode takes its baseline reading just after it says it is watching: bytes
# moved before that reading would not be counted.
sleep 1

# 1. File bytes: one read of /dev/zero, one write of /tmp/dd.out, dd's report in /tmp/dd.err.
dd if=/dev/zero of=/tmp/dd.out bs=1048576 count=1 </dev/null 2>/tmp/dd.err &
dd_pid=$!
wait $dd_pid
value dd.pid $dd_pid
value dd.out_bytes "$(wc -c </tmp/dd.out)"
value dd.err_bytes "$(wc -c </tmp/dd.err)"

# 2. Socket bytes: the client sends what dd writes into its pipe, the server writes what it
#    receives to /tmp/nc.out. busybox nc shuts its sending side when its stdin ends and
#    exits when the peer's side ends, so the server's stdin is a FIFO held open (never
#    written) until it is done: otherwise the client could quit before it sent everything.
mkfifo /tmp/nc.hold
nc -l -p @NC_PORT@ </tmp/nc.hold >/tmp/nc.out &
nc_server=$!
exec 4>/tmp/nc.hold
until listening @NC_PORT@; do sleep 0.1; done
dd if=/dev/zero bs=@NC_CHUNK@ count=@NC_CHUNKS@ 2>/dev/null | nc 127.0.0.1 @NC_PORT@ &
nc_client=$!
wait $nc_client
wait $nc_server
exec 4>&-
value nc_server.pid $nc_server
value nc_client.pid $nc_client
value nc.received_bytes "$(wc -c </tmp/nc.out)"

# 3. HTTP: three GETs of pages that exist, one at a time.
httpd -f -p 127.0.0.1:@HTTP_PORT@ -h /www &
httpd_pid=$!
until listening @HTTP_PORT@; do sleep 0.1; done
for i in 1 2 3; do
    wget -q -O /dev/null http://127.0.0.1:@HTTP_PORT@/kinsight-test-$i &
    value wget$i.pid $!
    wait $!
    value wget$i.exit $?
done
kill $httpd_pid
value uptime.workload_done "$(uptime_s)"

# A run that ended before the workload did has not seen all of it.
for run in $RUNS; do
    alive "$(cat /tmp/$run.pid)" || value $run.ended_before_the_workload 1
done
for run in $RUNS; do
    wait "$(cat /tmp/$run.pid)"
    value $run.exit $?
    section $run.json /tmp/$run.json
    section $run.stderr /tmp/$run.stderr
done
value uptime.done "$(uptime_s)"
echo "=== DONE" >&3
poweroff -f
