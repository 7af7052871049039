/* Records the kinsight BPF programs hand to user space, and the counters they keep in
 * the kernel. Shared by kinsight.bpf.c and, by hand, by src/record.rs: every field has a
 * fixed offset, little-endian, no implicit padding. */
#ifndef KINSIGHT_H
#define KINSIGHT_H

/* Record kinds. */
#define KS_REC_SYSCALL 1
#define KS_REC_PROCEXIT 2

/* The system calls traced, independent of the architecture's numbers. */
enum ks_syscall {
	KS_SC_NONE = 0,
	KS_SC_READ, KS_SC_WRITE, KS_SC_PREAD, KS_SC_PWRITE,
	KS_SC_READV, KS_SC_WRITEV, KS_SC_PREADV, KS_SC_PWRITEV,
	KS_SC_SENDTO, KS_SC_RECVFROM, KS_SC_SENDMSG, KS_SC_RECVMSG, KS_SC_SENDFILE,
	KS_SC_OPEN, KS_SC_OPENAT, KS_SC_OPENAT2, KS_SC_CREAT, KS_SC_CLOSE,
	KS_SC_SOCKET, KS_SC_CONNECT, KS_SC_ACCEPT, KS_SC_ACCEPT4, KS_SC_BIND, KS_SC_LISTEN,
	KS_SC_DUP, KS_SC_DUP2, KS_SC_DUP3, KS_SC_FCNTL, KS_SC_PIPE, KS_SC_PIPE2,
	KS_SC_CHDIR, KS_SC_FCHDIR,
	KS_SC_CLONE, KS_SC_CLONE3, KS_SC_FORK, KS_SC_VFORK, KS_SC_EXECVE, KS_SC_EXECVEAT,
	KS_SC_MAX,
};

/* Load-time configuration: the one variable of the object's .rodata. */
#define KS_CONFIG_MAGIC 0x6b696e73 /* "kins" */
struct ks_config {
	__u32 magic;
	__u32 mode;      /* KS_MODE_* */
	__u32 snaplen;   /* bytes of I/O buffers copied, < KS_DATA_MAX */
	__u32 self_tgid; /* kinsight itself, left out */
	__u32 v1_memory; /* 1: read the v1 memory cgroup id */
	/* Wake the consumer only when this much is waiting in the ring buffer: a wakeup per
	 * record costs the traced task more than the record itself. The consumer also polls. */
	__u32 wakeup_bytes;
	/* Aggregated mode: the hooks chosen for this kernel (KS_FILE_*, KS_NET_*), and whether
	 * TCP bytes wait in socket storage for the iterator (0) or go to conn_io on every
	 * call (1: the kernel refuses the socket-storage iterator). */
	__u32 file_hook;
	__u32 net_hook;
	__u32 conn_direct;
};

/* Aggregated mode: where file bytes are counted. */
#define KS_FILE_SYSCALL 0 /* raw_syscalls sys_exit, from the fd's file */
#define KS_FILE_FEXIT 1   /* fexit on vfs_read, vfs_write, vfs_readv, vfs_writev */

/* Aggregated mode: where socket bytes are counted. */
#define KS_NET_SOCK_TP 0  /* sock:sock_send_length / sock_recv_length (6.3+) */
#define KS_NET_FEXIT 1    /* fexit on tcp_sendmsg, tcp_recvmsg, udp(v6)_sendmsg/recvmsg */
#define KS_NET_SYSCALL 2  /* raw_syscalls sys_exit, from the fd's socket */

/* Capture modes. */
#define KS_MODE_FULL 0
#define KS_MODE_AGGREGATED 1

/* Sizes of the variable parts. Masks keep every copy provably inside the scratch buffer. */
#define KS_DATA_MAX 4096 /* I/O snapshot, or the argument list of clone/execve */
#define KS_AUX_MAX 1024  /* a path, a socket address or a tuple */
#define KS_COMM_LEN 16

/* One record: the fixed part below, then `data_len` bytes of data, `aux1_len` bytes of
 * aux1 and `aux2_len` bytes of aux2, back to back. */
struct ks_record {
	__u16 kind;
	__u16 syscall;    /* enum ks_syscall */
	__u16 data_len;
	__u16 aux1_len;
	__u16 aux2_len;
	__u16 pad;
	__u32 cpu;
	__u64 ts_enter;   /* monotonic ns; 0 when the enter was not seen */
	__u64 ts_exit;
	__u32 tid;
	__u32 pid;        /* thread group id */
	__u64 cgroup_v2;  /* bpf_get_current_cgroup_id() */
	__u64 cgroup_v1_memory; /* the v1 memory cgroup's id on v1/hybrid hosts, else 0 */
	__s64 ret;
	__u64 args[6];
	/* syscall-specific facts the kernel knows best:
	 *  clone/execve: [0] parent thread id, [1] (vtid << 32) | vpid, [2] (uid << 32) | gid,
	 *                [3] clone flags (Linux values)
	 *  open*:        [0] flags, [1] mode, [2] inode of the new fd, [3] device
	 *  pipe:         [0] fd1, [1] fd2, [2] inode
	 *  sendfile:     [0] offset after the call
	 *  procexit:     [0] exit code */
	__u64 extra[4];
};

#define KS_RECORD_FIXED 144

/* Aggregated mode: I/O bytes per process and cgroup pair. */
struct ks_proc_key {
	__u32 tgid;
	__u32 pad;
	__u64 cgroup_v2;
	__u64 cgroup_v1_memory;
};

struct ks_proc_val {
	__u64 file_read;
	__u64 file_write;
	__u64 net_read;
	__u64 net_write;
	__u64 file_read_ops;
	__u64 file_write_ops;
	__u64 net_read_ops;
	__u64 net_write_ops;
};

/* Aggregated mode: bytes per connection and process. Addresses in network order, ports
 * in host order, IPv4 in the first 4 bytes. */
struct ks_conn_key {
	__u32 tgid;
	__u16 family;
	__u8 pad0;
	__u8 proto; /* IPPROTO_TCP / IPPROTO_UDP */
	__u16 lport;
	__u16 rport;
	__u32 pad;
	__u8 laddr[16];
	__u8 raddr[16];
	__u64 cgroup_v2;
};

struct ks_conn_val {
	__u64 rx;
	__u64 tx;
	__u64 rx_ops;
	__u64 tx_ops;
	__u32 role; /* 0 unknown, 1 client (connected), 2 server (accepted); set when created */
	__u32 pad;
};

/* Per-CPU counters about the programs themselves (index in the `stats` array). */
/* Aggregation slots per CPU (see ks_slot), a power of two. */
#define KS_SLOT_WAYS_BITS 2
#define KS_SLOT_WAYS (1 << KS_SLOT_WAYS_BITS)

#define KS_STAT_RECORDS 0
#define KS_STAT_DROPS 1
#define KS_STAT_AGG_FULL 2
#define KS_STAT_MAX 3

#endif
