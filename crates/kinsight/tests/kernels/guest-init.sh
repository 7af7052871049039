#!/bin/busybox sh
# PID 1 of the kernel matrix guests (tests/kernels.rs). It runs kinsight in each mode in
# turn, each watching its own copy of the workload, and writes to the second serial port
# (/dev/ttyS1) what the host checks:
#   === VALUE name value            what the workload measured (sizes, pids), per run
#   === BEGIN name ... === END name  a file: kinsight's stdout and stderr of each run
#   === STARTED                      the first line, written before kinsight runs
#   === DONE                         the last line: everything above is complete
# @NAME@ placeholders are filled in by the test.
#
# While kinsight watches, the script forks as little as it can (builtins, no grep): under
# TCG a full-mode kinsight takes a while over every event, and events it has not read when
# its interval ends are not in its output.

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
# Before kinsight ever runs: the host retries a boot that died with nothing here.
echo "=== STARTED" >&3

value() { echo "=== VALUE $1 $2" >&3; }
section() { { echo "=== BEGIN $1"; cat "$2"; echo; echo "=== END $1"; } >&3; }
uptime_s() { read -r up _ </proc/uptime; echo "$up"; }
# said FILE TEXT: a line of FILE contains TEXT.
said() {
    while IFS= read -r line; do
        case $line in *"$2"*) return 0 ;; esac
    done <"$1"
    return 1
}
# A child that exited but was not waited for yet is a zombie: it still has a /proc entry.
alive() {
    [ -e "/proc/$1" ] || return 1
    read -r stat <"/proc/$1/stat"
    case $stat in *") Z "*) return 1 ;; esac
}
# listening HEXPORT: a socket listens on the port, IPv4 or IPv6 (busybox nc listens on both).
listening() {
    for table in /proc/net/tcp /proc/net/tcp6; do
        [ -e $table ] || continue
        while read -r _ local _ state _; do
            [ "$state" = 0A ] && [ "${local##*:}" = "$1" ] && return 0
        done <$table
    done
    return 1
}

value kernel "$(uname -r)"

# A process started before kinsight and alive throughout: proc mode must list it.
sleep 100000 </dev/null &
value sleeper.pid $!

mkdir -p /www
for i in 1 2 3; do echo "kinsight test page $i" >/www/kinsight-test-$i; done
mkfifo /tmp/nc.hold
NC_PORT_HEX=$(printf %04X @NC_PORT@)
HTTP_PORT_HEX=$(printf %04X @HTTP_PORT@)

# 1. File bytes: one read of /dev/zero, one write of /tmp/dd.out, dd's report in /tmp/dd.err.
# 2. Socket bytes: the client sends what dd writes into its pipe, the server writes what it
#    receives to /tmp/nc.out. busybox nc shuts its sending side when its stdin ends and
#    exits when the peer's side ends, so the server's stdin is a FIFO held open (never
#    written) until it is done: otherwise the client could quit before it sent everything.
bytes_workload() {
    rm -f /tmp/dd.out /tmp/dd.err /tmp/nc.out
    dd if=/dev/zero of=/tmp/dd.out bs=1048576 count=1 </dev/null 2>/tmp/dd.err &
    dd_pid=$!
    wait $dd_pid
    value $1.dd.pid $dd_pid
    value $1.dd.out_bytes "$(wc -c </tmp/dd.out)"
    value $1.dd.err_bytes "$(wc -c </tmp/dd.err)"

    nc -l -p @NC_PORT@ </tmp/nc.hold >/tmp/nc.out &
    nc_server=$!
    exec 4>/tmp/nc.hold
    until listening $NC_PORT_HEX; do sleep 0.1; done
    dd if=/dev/zero bs=@NC_CHUNK@ count=@NC_CHUNKS@ 2>/dev/null | nc 127.0.0.1 @NC_PORT@ &
    nc_client=$!
    wait $nc_client
    wait $nc_server
    exec 4>&-
    value $1.nc_server.pid $nc_server
    value $1.nc_client.pid $nc_client
    value $1.nc.received_bytes "$(wc -c </tmp/nc.out)"
}

# 3. HTTP: three GETs of pages that exist, one at a time.
http_workload() {
    httpd -f -p 127.0.0.1:@HTTP_PORT@ -h /www &
    httpd_pid=$!
    until listening $HTTP_PORT_HEX; do sleep 0.1; done
    for i in 1 2 3; do
        wget -q -O /dev/null http://127.0.0.1:@HTTP_PORT@/kinsight-test-$i &
        value $1.wget$i.pid $!
        wait $!
        value $1.wget$i.exit $?
    done
    kill $httpd_pid
    wait $httpd_pid
}

# 4. Proc mode: the processes already there (the sleeper).
no_workload() { :; }

# watch RUN INTERVAL WORKLOAD KINSIGHT-ARGS...: kinsight live watching WORKLOAD RUN.
watch() {
    run=$1 interval=$2 workload=$3
    shift 3
    started=$(uptime_s)
    /kinsight live "$@" --format json --interval $interval --once </dev/null >/tmp/$run.json 2>/tmp/$run.stderr &
    kinsight=$!
    tries=0
    while ! said /tmp/$run.stderr "watching this host" && alive $kinsight && [ $tries -lt 1200 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    ready=$(uptime_s)
    # Aggregated mode takes its baseline reading just after it says it is watching: bytes
    # moved before that reading would not be counted.
    sleep 1
    $workload $run
    alive $kinsight || value $run.ended_before_the_workload 1
    value $run.seconds "$started $ready $(uptime_s)"
    wait $kinsight
    value $run.exit $?
    section $run.json /tmp/$run.json
    section $run.stderr /tmp/$run.stderr
}

watch aggregated @AGGREGATED_INTERVAL@ bytes_workload --mode aggregated --view procs
# Aggregated mode again without fexit and the socket iterator: the plan of kernels that
# refuse them (socket tracepoints on 6.12, the syscall exit on 6.1).
export KINSIGHT_BPF_AVOID=fexit-vfs,fexit-sockets,sock-iterator
watch aggregated_fallback @AGGREGATED_INTERVAL@ bytes_workload --mode aggregated --view procs
unset KINSIGHT_BPF_AVOID
watch full @FULL_INTERVAL@ bytes_workload --mode full --view procs
watch httplog @FULL_INTERVAL@ http_workload --mode full --view httplog
watch proc 3 no_workload --mode proc --view procs
echo "=== DONE" >&3
poweroff -f
