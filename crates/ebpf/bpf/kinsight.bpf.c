// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* kinsight's kernel side: system calls, process exits and socket byte counts from
 * tracepoints (BTF-typed raw tracepoints), CO-RE so that one object runs on every kernel
 * with BTF.
 *
 * Full mode: one record per traced syscall, written at syscall exit into a ring buffer
 * (arguments are still in the saved registers then, so no enter map is needed; the enter
 * time comes from task storage). Aggregated mode: file bytes per process and cgroup and
 * network bytes per connection are counted in maps here; only process lifecycle records
 * go to user space. A full ring buffer costs a dropped record and a counter increment,
 * never a blocked task. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "kinsight.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space before loading (the only variable in .rodata, found by its magic);
 * being constant to the verifier, the branches of the other mode are compiled away. */
const volatile struct ks_config ks_cfg = { .magic = KS_CONFIG_MAGIC, .mode = KS_MODE_FULL, .snaplen = 80 };
#define ks_mode (ks_cfg.mode)
#define ks_snaplen (ks_cfg.snaplen)
#define ks_self_tgid (ks_cfg.self_tgid)
#define ks_v1_memory (ks_cfg.v1_memory)
#define ks_file_hook (ks_cfg.file_hook)
#define ks_net_hook (ks_cfg.net_hook)
#define ks_conn_direct (ks_cfg.conn_direct)

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFCHR 0020000
#define EINPROGRESS 115
#define MSG_PEEK 2
#define SOCK_STREAM 1
#define USER_CS 0x33 /* 64-bit user code segment: 32-bit (compat) syscalls have other numbers */
#define PF_KTHREAD 0x00200000

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by user space */
} events SEC(".maps");

/* Where a record is built before it is copied to the ring buffer. */
struct scratch {
	struct ks_record r;
	__u8 payload[3 * KS_DATA_MAX];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KS_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* Enter time of the syscall in flight, per task. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} enter_ts SEC(".maps");

/* Aggregated mode: bytes per process and cgroup pair, per CPU. Not an LRU: an evicted
 * entry would come back from zero and user space could not tell it from a reading that
 * raced with a flush (see ks_slot). User space deletes the entries of processes that exited
 * after reading them; when the map is full, new pairs are counted in KS_STAT_AGG_FULL. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 32768);
	__type(key, struct ks_proc_key);
	__type(value, struct ks_proc_val);
} proc_io SEC(".maps");

/* Aggregated mode: the bytes of the last (task, cgroups) that did I/O on this CPU, not yet
 * added to proc_io. Adding to a hash map on every read and write would cost the traced
 * task more than everything else the program does; a slot is found without hashing (a
 * per-CPU array lookup is inlined) and, in a loop of I/O calls by one task, is all that is
 * touched. Each CPU has KS_SLOT_WAYS slots, a task always uses the one its id picks:
 * a server and its client alternating on a CPU then keep a slot each. When another task
 * does I/O through the same slot, the slot's bytes move to proc_io and it changes hands.
 *
 * User space reads the slots, proc_io, then the slots again, and reads again when a slot
 * changed hands in between (its bytes moved into proc_io while it was being read). A change
 * of hands is bracketed by `seq_lo` (lowest address, written last) and `seq_hi` (highest,
 * written first): a copy of the slot that overlapped a change has them differ. Programs on one CPU do not interleave on
 * kernels without full preemption (preempt=none or voluntary); with full preemption a task
 * preempted inside the program can, rarely, add its bytes to the next owner's slot. */
struct ks_slot {
	__u64 seq_lo;
	__u64 task;
	__u64 css_set;
	struct ks_proc_key key;
	struct ks_proc_val v;
	__u64 seq_hi;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KS_SLOT_WAYS);
	__type(key, __u32);
	__type(value, struct ks_slot);
} proc_slot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ks_conn_key);
	__type(value, struct ks_conn_val);
} conn_io SEC(".maps");

/* Aggregated mode: each TCP socket's byte counters, in the socket's own storage (found
 * without hashing, like the tasks' counters). `total` only grows and is written by the
 * socket's I/O; `flushed` is how much of it is in conn_io, advanced with compare-and-swap
 * by the flushes: when the connection closes, and by the ks_flush_sockets iterator user
 * space runs before each reading. UDP sockets, which have no close to hook, count straight
 * into conn_io. */
struct ks_sock_counts {
	__u64 rx;
	__u64 tx;
	__u64 rx_ops;
	__u64 tx_ops;
};

struct ks_sock_counters {
	/* The conn_io key, taken at the socket's first bytes: by the time it closes, the
	 * kernel may have released its port already. key.tgid == 0: not taken yet. */
	struct ks_conn_key key;
	__u32 role;  /* 0 unknown, 1 client, 2 server: from the socket's state changes */
	__u32 pad;
	struct ks_sock_counts total;
	struct ks_sock_counts flushed;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ks_sock_counters);
} sock_counters SEC(".maps");

/* Aggregated mode without the socket-storage iterator (ks_conn_direct): which end each TCP
 * socket is, by socket address, set when its handshake is seen and dropped when it
 * closes. An LRU: a socket whose close was missed cannot keep its entry for ever. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u32);
} sock_role SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);
	if (v)
		*v += 1;
}

/* x86_64 syscall numbers to what we trace. */
static __always_inline __u16 syscall_kind(long nr)
{
	switch (nr) {
	case 0: return KS_SC_READ;
	case 1: return KS_SC_WRITE;
	case 2: return KS_SC_OPEN;
	case 3: return KS_SC_CLOSE;
	case 17: return KS_SC_PREAD;
	case 18: return KS_SC_PWRITE;
	case 19: return KS_SC_READV;
	case 20: return KS_SC_WRITEV;
	case 22: return KS_SC_PIPE;
	case 32: return KS_SC_DUP;
	case 33: return KS_SC_DUP2;
	case 40: return KS_SC_SENDFILE;
	case 41: return KS_SC_SOCKET;
	case 42: return KS_SC_CONNECT;
	case 43: return KS_SC_ACCEPT;
	case 44: return KS_SC_SENDTO;
	case 45: return KS_SC_RECVFROM;
	case 46: return KS_SC_SENDMSG;
	case 47: return KS_SC_RECVMSG;
	/* sendmmsg / recvmmsg: read as a sendmsg / recvmsg of their first message (see
	 * ks_sys_exit). */
	case 307: return KS_SC_SENDMSG;
	case 299: return KS_SC_RECVMSG;
	case 49: return KS_SC_BIND;
	case 50: return KS_SC_LISTEN;
	case 56: return KS_SC_CLONE;
	case 57: return KS_SC_FORK;
	case 58: return KS_SC_VFORK;
	case 59: return KS_SC_EXECVE;
	case 72: return KS_SC_FCNTL;
	case 80: return KS_SC_CHDIR;
	case 81: return KS_SC_FCHDIR;
	case 85: return KS_SC_CREAT;
	case 257: return KS_SC_OPENAT;
	case 288: return KS_SC_ACCEPT4;
	case 292: return KS_SC_DUP3;
	case 293: return KS_SC_PIPE2;
	case 295: return KS_SC_PREADV;
	case 296: return KS_SC_PWRITEV;
	case 322: return KS_SC_EXECVEAT;
	case 327: return KS_SC_PREADV;
	case 328: return KS_SC_PWRITEV;
	case 435: return KS_SC_CLONE3;
	case 437: return KS_SC_OPENAT2;
	default: return KS_SC_NONE;
	}
}

static __always_inline int is_lifecycle(__u16 sc)
{
	return sc == KS_SC_CLONE || sc == KS_SC_CLONE3 || sc == KS_SC_FORK || sc == KS_SC_VFORK ||
	       sc == KS_SC_EXECVE || sc == KS_SC_EXECVEAT;
}

static __always_inline __u64 v1_memory_cgroup_id(struct task_struct *t)
{
	if (!ks_v1_memory)
		return 0;
	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return 0;
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (id < 0 || id >= CGROUP_SUBSYS_COUNT)
		return 0;
	/* Direct loads through the task's BTF pointers (no helper calls): this runs for
	 * every traced syscall. */
	struct cgroup_subsys_state *css = t->cgroups->subsys[id];
	if (!css)
		return 0;
	return css->cgroup->kn->id;
}

static __always_inline struct file *fd_file(struct task_struct *t, long fd)
{
	if (fd < 0 || !t->files)
		return NULL;
	/* `t` is the current task's BTF pointer: direct loads; the array slot at a variable
	 * index needs a helper read. */
	struct fdtable *fdt = t->files->fdt;
	if (!fdt)
		return NULL;
	if ((unsigned long)fd >= fdt->max_fds)
		return NULL;
	struct file **arr = fdt->fd;
	if (bpf_ksym_exists(bpf_rdonly_cast)) {
		/* A direct load of the array slot instead of a helper call: the slot is read
		 * through a BTF cast to a struct whose first member is a `struct file *`. */
		struct kiocb *slot = bpf_core_cast((void *)&arr[fd], struct kiocb);
		return slot->ki_filp;
	}
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]);
	return f;
}

static __always_inline __u32 file_mode(struct file *f)
{
	if (!f)
		return 0;
	/* Direct loads through a BTF cast where the kernel has it (6.2+): no helper calls on
	 * the path every counted read and write takes. */
	if (bpf_ksym_exists(bpf_rdonly_cast)) {
		struct file *bf = bpf_core_cast(f, struct file);
		return bf->f_inode->i_mode;
	}
	return BPF_CORE_READ(f, f_inode, i_mode);
}

/* The inode types whose bytes are file bytes (regular files and devices, as sysdig). */
static __always_inline int counts_as_file(__u32 fmt)
{
	return fmt == S_IFREG || fmt == S_IFCHR || fmt == S_IFBLK;
}

static __always_inline struct sock *file_sock(struct file *f)
{
	if ((file_mode(f) & S_IFMT) != S_IFSOCK)
		return NULL;
	if (bpf_ksym_exists(bpf_rdonly_cast)) {
		struct socket *bs = bpf_core_cast(bpf_core_cast(f, struct file)->private_data, struct socket);
		return bs->sk;
	}
	struct socket *s = BPF_CORE_READ(f, private_data);
	if (!s)
		return NULL;
	return BPF_CORE_READ(s, sk);
}

/* The socket type (SOCK_STREAM, SOCK_DGRAM...) of `sk`. */
static __always_inline int sock_type(struct sock *sk)
{
	if (bpf_ksym_exists(bpf_rdonly_cast))
		return bpf_core_cast(sk, struct sock)->sk_socket->type;
	return BPF_CORE_READ(sk, sk_socket, type);
}

/* Copies `len` (< KS_AUX_MAX) bytes from kernel memory. */
#define AUX_MASK (KS_AUX_MAX - 1)
#define DATA_MASK (KS_DATA_MAX - 1)
/* Longest scap socket address: family and a unix path. */
#define KS_SOCKADDR_MAX (1 + 108)

/* Writes a scap socket tuple for `sk` at `dst` (room: KS_AUX_MAX): family, then source
 * address and port, destination address and port. `inbound` puts the peer first (what
 * accept and recv* report), else the local end first. Returns the length, 0 if none. */
static __always_inline __u32 put_tuple(__u8 *dst, struct sock *sk, int inbound)
{
	if (!sk)
		return 0;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	__u16 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		__u32 laddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 raddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		dst[0] = AF_INET;
		if (inbound) {
			__builtin_memcpy(dst + 1, &raddr, 4);
			__builtin_memcpy(dst + 5, &rport, 2);
			__builtin_memcpy(dst + 7, &laddr, 4);
			__builtin_memcpy(dst + 11, &lport, 2);
		} else {
			__builtin_memcpy(dst + 1, &laddr, 4);
			__builtin_memcpy(dst + 5, &lport, 2);
			__builtin_memcpy(dst + 7, &raddr, 4);
			__builtin_memcpy(dst + 11, &rport, 2);
		}
		return 13;
	}
	if (family == AF_INET6) {
		dst[0] = AF_INET6;
		__u8 *l = dst + (inbound ? 19 : 1);
		__u8 *r = dst + (inbound ? 1 : 19);
		BPF_CORE_READ_INTO(l, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(r, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
		__builtin_memcpy(l + 16, &lport, 2);
		__builtin_memcpy(r + 16, &rport, 2);
		return 37;
	}
	if (family == AF_UNIX) {
		struct unix_sock *us = (struct unix_sock *)sk;
		__u64 peer = (__u64)BPF_CORE_READ(us, peer);
		/* The two socket addresses, copied as bytes (the verifier forbids splitting a
		 * pointer into unaligned byte stores). */
		__u64 ends[2] = { (__u64)sk, peer };
		dst[0] = AF_UNIX;
		bpf_probe_read_kernel(dst + 1, sizeof(ends), ends);
		/* The path: the socket's own address, else its peer's. */
		struct unix_address *addr = BPF_CORE_READ(us, addr);
		if (!addr && peer)
			addr = BPF_CORE_READ((struct unix_sock *)peer, addr);
		long n = 0;
		if (addr)
			n = bpf_probe_read_kernel_str(dst + 17, 108, &addr->name[0].sun_path);
		if (n <= 0) {
			dst[17] = 0;
			n = 1;
		}
		return 17 + (n & 127);
	}
	return 0;
}

/* Writes a scap socket address from a user sockaddr at `dst` (room: KS_AUX_MAX). */
static __always_inline __u32 put_user_sockaddr(__u8 *dst, const void *uaddr, long ulen)
{
	__u16 family = 0;
	if (!uaddr || ulen < 2 || bpf_probe_read_user(&family, 2, uaddr))
		return 0;
	if (family == AF_INET && ulen >= 8) {
		struct sockaddr_in sin = {};
		bpf_probe_read_user(&sin, sizeof(sin), uaddr);
		__u16 port = bpf_ntohs(sin.sin_port);
		dst[0] = AF_INET;
		__builtin_memcpy(dst + 1, &sin.sin_addr.s_addr, 4);
		__builtin_memcpy(dst + 5, &port, 2);
		return 7;
	}
	if (family == AF_INET6 && ulen >= 24) {
		struct sockaddr_in6 sin6 = {};
		bpf_probe_read_user(&sin6, sizeof(sin6), uaddr);
		__u16 port = bpf_ntohs(sin6.sin6_port);
		dst[0] = AF_INET6;
		__builtin_memcpy(dst + 1, &sin6.sin6_addr, 16);
		__builtin_memcpy(dst + 17, &port, 2);
		return 19;
	}
	if (family == AF_UNIX) {
		dst[0] = AF_UNIX;
		long n = bpf_probe_read_user_str(dst + 1, 108, (const char *)uaddr + 2);
		if (n <= 0) {
			dst[1] = 0;
			n = 1;
		}
		return 1 + (n & 127);
	}
	return 0;
}

/* A tuple for the send and recv calls on datagram socket `sk`: its peer is the user
 * address `uaddr` when one is given (unconnected sockets), else the socket's own peer.
 * Stream sockets get none: their tuple was set at connect/accept, and readers take a
 * tuple on these calls as a datagram's peer. */
static __always_inline __u32 put_io_tuple(__u8 *dst, struct sock *sk, const void *uaddr, long ulen, int inbound)
{
	if (!sk || sock_type(sk) == SOCK_STREAM)
		return 0;
	__u32 n = put_tuple(dst, sk, inbound);
	if (n == 0 || !uaddr || ulen < 2)
		return n;
	__u8 peer[KS_SOCKADDR_MAX] = {};
	__u32 m = put_user_sockaddr(peer, uaddr, ulen);
	/* Replace the peer end with the given address when families agree. */
	if (n == 13 && m == 7) {
		__u8 *p = dst + (inbound ? 1 : 7);
		__builtin_memcpy(p, peer + 1, 6);
	} else if (n == 37 && m == 19) {
		__u8 *p = dst + (inbound ? 1 : 19);
		__builtin_memcpy(p, peer + 1, 18);
	}
	return n;
}

/* Copies up to `max` bytes of a user buffer to the record's data area. */
static __always_inline __u32 put_user_data(struct scratch *s, __u32 off, const void *ubuf, __u64 len)
{
	__u32 room = ks_snaplen;
	if (room > DATA_MASK)
		room = DATA_MASK;
	if (off >= room)
		return 0;
	__u64 n = len;
	if (n > room - off)
		n = room - off;
	n &= DATA_MASK;
	off &= DATA_MASK;
	if (n == 0 || bpf_probe_read_user(&s->payload[off], n, ubuf))
		return 0;
	return n;
}

/* iovecs of one call copied, at most. gRPC's C core writes an HTTP/2 header block as one
 * iovec per name and per value (24 for a first call), so fewer would cut its HEADERS
 * frames at a few bytes whatever the snaplen, and lose the HPACK table with them. */
#define KS_IOV_MAX 32

/* Copies the first buffers of an iovec array, up to the snaplen and `total` bytes. */
static __always_inline __u32 put_user_iov(struct scratch *s, const struct iovec *iov, long cnt, __u64 total)
{
	__u32 off = 0;
#pragma unroll
	for (int i = 0; i < KS_IOV_MAX; i++) {
		if (i >= cnt || total == 0)
			break;
		struct iovec v = {};
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		__u64 n = v.iov_len < total ? v.iov_len : total;
		__u32 got = put_user_data(s, off, v.iov_base, n);
		if (got == 0)
			break;
		off += got;
		total -= got;
	}
	return off;
}

/* The process's argument list (NUL-separated) from its mm, at most KS_DATA_MAX - 1 bytes. */
static __always_inline __u32 put_args(struct scratch *s, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	if (!mm)
		return 0;
	unsigned long start = BPF_CORE_READ(mm, arg_start);
	unsigned long end = BPF_CORE_READ(mm, arg_end);
	if (end <= start)
		return 0;
	__u64 n = end - start;
	if (n > DATA_MASK)
		n = DATA_MASK;
	n &= DATA_MASK;
	if (bpf_probe_read_user(&s->payload[0], n, (const void *)start))
		return 0;
	return n;
}

static __always_inline void fill_process(struct ks_record *r, struct task_struct *t)
{
	/* The parent *thread*, as sysdig's drivers report it (readers take it as the thread
	 * whose fd table and cwd the child copies). */
	r->extra[0] = BPF_CORE_READ(t, real_parent, pid);
	struct pid *tp = BPF_CORE_READ(t, thread_pid);
	unsigned int level = BPF_CORE_READ(tp, level);
	__u32 vtid = BPF_CORE_READ(tp, numbers[level].nr);
	struct pid *pp = BPF_CORE_READ(t, group_leader, thread_pid);
	unsigned int plevel = BPF_CORE_READ(pp, level);
	__u32 vpid = BPF_CORE_READ(pp, numbers[plevel].nr);
	r->extra[1] = ((__u64)vtid << 32) | vpid;
	__u32 uid = BPF_CORE_READ(t, cred, euid.val);
	__u32 gid = BPF_CORE_READ(t, cred, egid.val);
	r->extra[2] = ((__u64)uid << 32) | gid;
}

static __always_inline __u32 put_kernel_fd_file_facts(struct ks_record *r, struct task_struct *t, long fd)
{
	struct file *f = fd_file(t, fd);
	if (!f)
		return 0;
	r->extra[2] = BPF_CORE_READ(f, f_inode, i_ino);
	r->extra[3] = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	return 1;
}

static __always_inline void send(struct scratch *s)
{
	__u32 size = KS_RECORD_FIXED + (s->r.data_len & DATA_MASK) + (s->r.aux1_len & AUX_MASK) + (s->r.aux2_len & AUX_MASK);
	if (size > sizeof(*s))
		return;
	__u64 flags = BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= ks_cfg.wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&events, s, size, flags))
		stat_inc(KS_STAT_DROPS);
	else
		stat_inc(KS_STAT_RECORDS);
}

/* ---------------------------------------------------------------------------------- */

SEC("tp_btf/sys_enter")
int BPF_PROG(ks_sys_enter, struct pt_regs *regs, long id)
{
	if (ks_mode != KS_MODE_FULL || !syscall_kind(id))
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 *ts = bpf_task_storage_get(&enter_ts, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ts)
		*ts = bpf_ktime_get_ns();
	return 0;
}

/* What a counter gained since it was last flushed; claims it for this flush. */
static __always_inline __u64 take(__u64 *total, __u64 *flushed)
{
	__u64 cur = *(volatile __u64 *)total;
	__u64 prev = *(volatile __u64 *)flushed;
	if (cur <= prev)
		return 0;
	if (__sync_val_compare_and_swap(flushed, prev, cur) != prev)
		return 0; /* another flush got there first; the rest goes with the next one */
	return cur - prev;
}

/* Keeps the stores before it before the stores after it. A compiler barrier is enough: the
 * JIT emits stores in program order, and x86 makes them visible in that order. */
#define ks_store_order() asm volatile("" ::: "memory")

/* Adds a slot's bytes to proc_io, this CPU's part of the slot's key. */
static __always_inline void slot_flush(struct ks_slot *sl)
{
	if (!(sl->v.file_read_ops | sl->v.file_write_ops | sl->v.net_read_ops | sl->v.net_write_ops))
		return;
	struct ks_proc_val *v = bpf_map_lookup_elem(&proc_io, &sl->key);
	if (!v) {
		if (bpf_map_update_elem(&proc_io, &sl->key, &sl->v, BPF_NOEXIST) == 0)
			return;
		/* Created by another CPU meanwhile, or the map is full. */
		v = bpf_map_lookup_elem(&proc_io, &sl->key);
		if (!v) {
			stat_inc(KS_STAT_AGG_FULL);
			return;
		}
	}
	/* proc_io is per-CPU: this CPU's part is ours alone. */
	v->file_read += sl->v.file_read;
	v->file_write += sl->v.file_write;
	v->net_read += sl->v.net_read;
	v->net_write += sl->v.net_write;
	v->file_read_ops += sl->v.file_read_ops;
	v->file_write_ops += sl->v.file_write_ops;
	v->net_read_ops += sl->v.net_read_ops;
	v->net_write_ops += sl->v.net_write_ops;
}

enum account_kind { ACCOUNT_FILE_READ, ACCOUNT_FILE_WRITE, ACCOUNT_NET_READ, ACCOUNT_NET_WRITE };

/* Counts `bytes` of one I/O call of the current task in this CPU's slot. */
static __always_inline void account(struct task_struct *t, __u32 tgid, enum account_kind kind, __u64 bytes)
{
	/* Fibonacci hashing of the thread id: its top bits pick the way. */
	__u32 tid = t->pid;
	__u32 way = (tid * 0x9E3779B1u) >> (32 - KS_SLOT_WAYS_BITS);
	struct ks_slot *sl = bpf_map_lookup_elem(&proc_slot, &way);
	if (!sl)
		return;
	/* The task's css_set changes when it moves to other cgroups. */
	__u64 css = (__u64)t->cgroups;
	if (sl->task != (__u64)t || sl->css_set != css || sl->key.tgid != tgid) {
		__u64 seq = sl->seq_hi + 1;
		sl->seq_hi = seq;
		ks_store_order();
		slot_flush(sl);
		sl->task = (__u64)t;
		sl->css_set = css;
		sl->key.tgid = tgid;
		sl->key.pad = 0;
		sl->key.cgroup_v2 = bpf_get_current_cgroup_id();
		sl->key.cgroup_v1_memory = v1_memory_cgroup_id(t);
		__builtin_memset(&sl->v, 0, sizeof(sl->v));
		ks_store_order();
		sl->seq_lo = seq;
	}
	switch (kind) {
	case ACCOUNT_FILE_READ:
		sl->v.file_read += bytes;
		sl->v.file_read_ops += 1;
		break;
	case ACCOUNT_FILE_WRITE:
		sl->v.file_write += bytes;
		sl->v.file_write_ops += 1;
		break;
	case ACCOUNT_NET_READ:
		sl->v.net_read += bytes;
		sl->v.net_read_ops += 1;
		break;
	case ACCOUNT_NET_WRITE:
		sl->v.net_write += bytes;
		sl->v.net_write_ops += 1;
		break;
	}
}

static __always_inline int count_fd_sock_io(struct sock *sk, long ret, int flags, int rx, __u32 tgid);

/* Aggregated mode, at the syscall exit: file bytes of read/write calls per process and
 * cgroup when no vfs hook is used, and socket bytes when neither the socket tracepoints
 * nor fexit on the protocols' functions are (ks_net_hook == KS_NET_SYSCALL). */
static __always_inline int aggregate_io(struct task_struct *t, __u16 sc, struct pt_regs *regs, long ret, __u32 tgid)
{
	int is_read, flags = 0, sock_only = 0;
	switch (sc) {
	case KS_SC_READ: case KS_SC_PREAD: case KS_SC_READV: case KS_SC_PREADV:
		is_read = 1;
		break;
	case KS_SC_WRITE: case KS_SC_PWRITE: case KS_SC_WRITEV: case KS_SC_PWRITEV:
		is_read = 0;
		break;
	case KS_SC_SENDTO: case KS_SC_SENDMSG:
		is_read = 0;
		sock_only = 1;
		break;
	case KS_SC_RECVFROM:
		is_read = 1;
		sock_only = 1;
		flags = regs->r10;
		break;
	case KS_SC_RECVMSG:
		is_read = 1;
		sock_only = 1;
		flags = regs->dx;
		break;
	default:
		return 0;
	}
	if (ret <= 0)
		return 0;
	if (sock_only && ks_net_hook != KS_NET_SYSCALL)
		return 0;
	struct file *f = fd_file(t, regs->di);
	__u32 fmt = file_mode(f) & S_IFMT;
	if (fmt == S_IFSOCK) {
		if (ks_net_hook == KS_NET_SYSCALL)
			count_fd_sock_io(file_sock(f), ret, flags, is_read, tgid);
		return 0;
	}
	if (ks_file_hook != KS_FILE_SYSCALL)
		return 0;
	if (!counts_as_file(fmt))
		return 0;
	account(t, tgid, is_read ? ACCOUNT_FILE_READ : ACCOUNT_FILE_WRITE, ret);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ks_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;
	__u16 sc = syscall_kind(nr);
	if (!sc)
		return 0;
	if (regs->cs != USER_CS)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (tgid == ks_self_tgid)
		return 0;
	/* sendmmsg and recvmmsg (libuv, BIND's dig, glibc's resolver send DNS queries with
	 * them) return a count of messages; their vector starts with the first message's
	 * msghdr, followed by its length. They are recorded as a sendmsg / recvmsg of that
	 * first message, with its length as the result; the messages after it are not seen
	 * (glibc's resolver sends the A and AAAA queries in one sendmmsg: the second is lost). */
	if ((nr == 307 || nr == 299) && ret > 0) {
		struct mmsghdr first = {};
		if (bpf_probe_read_user(&first, sizeof(first), (const void *)regs->si))
			return 0;
		ret = first.msg_len;
	}
	struct task_struct *t = bpf_get_current_task_btf();
	long a0 = regs->di;
	if (ks_mode == KS_MODE_AGGREGATED && !is_lifecycle(sc))
		return aggregate_io(t, sc, regs, ret, tgid);

	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
	if (!s)
		return 0;
	struct ks_record *r = &s->r;
	r->kind = KS_REC_SYSCALL;
	r->syscall = sc;
	r->data_len = 0;
	r->aux1_len = 0;
	r->aux2_len = 0;
	r->pad = 0;
	r->cpu = bpf_get_smp_processor_id();
	r->ts_exit = bpf_ktime_get_ns();
	r->ts_enter = 0;
	if (ks_mode == KS_MODE_FULL) {
		__u64 *ts = bpf_task_storage_get(&enter_ts, t, 0, 0);
		if (ts) {
			r->ts_enter = *ts;
			*ts = 0;
		}
	}
	r->tid = (__u32)pid_tgid;
	r->pid = tgid;
	r->cgroup_v2 = bpf_get_current_cgroup_id();
	r->cgroup_v1_memory = v1_memory_cgroup_id(t);
	r->ret = ret;
	r->args[0] = a0;
	r->args[1] = regs->si;
	r->args[2] = regs->dx;
	r->args[3] = regs->r10;
	r->args[4] = regs->r8;
	r->args[5] = regs->r9;
	r->extra[0] = 0;
	r->extra[1] = 0;
	r->extra[2] = 0;
	r->extra[3] = 0;

	const void *ubuf = (const void *)r->args[1];
	__u32 data = 0, aux1 = 0, aux2 = 0;
	switch (sc) {
	case KS_SC_READ: case KS_SC_WRITE: case KS_SC_PREAD: case KS_SC_PWRITE:
		if (ret > 0)
			data = put_user_data(s, 0, ubuf, ret);
		break;
	case KS_SC_READV: case KS_SC_WRITEV: case KS_SC_PREADV: case KS_SC_PWRITEV:
		if (ret > 0)
			data = put_user_iov(s, (const struct iovec *)ubuf, r->args[2], ret);
		break;
	case KS_SC_SENDTO: case KS_SC_RECVFROM: {
		int inbound = sc == KS_SC_RECVFROM;
		if (ret > 0)
			data = put_user_data(s, 0, ubuf, ret);
		const void *uaddr = (const void *)r->args[4];
		long ulen = r->args[5];
		if (inbound && uaddr && ulen) {
			/* recvfrom's address length is in/out: read what the kernel wrote. */
			int alen = 0;
			bpf_probe_read_user(&alen, sizeof(alen), (const void *)ulen);
			ulen = alen;
		}
		aux1 = put_io_tuple(&s->payload[data & DATA_MASK], file_sock(fd_file(t, a0)), uaddr, ulen, inbound);
		break;
	}
	case KS_SC_SENDMSG: case KS_SC_RECVMSG: {
		int inbound = sc == KS_SC_RECVMSG;
		struct user_msghdr m = {};
		bpf_probe_read_user(&m, sizeof(m), ubuf);
		if (ret > 0)
			data = put_user_iov(s, m.msg_iov, m.msg_iovlen, ret);
		aux1 = put_io_tuple(&s->payload[data & DATA_MASK], file_sock(fd_file(t, a0)), m.msg_name, m.msg_namelen, inbound);
		break;
	}
	case KS_SC_SENDFILE:
		if (r->args[2]) {
			__u64 off = 0;
			bpf_probe_read_user(&off, sizeof(off), (const void *)r->args[2]);
			r->extra[0] = off;
		}
		break;
	case KS_SC_OPEN: case KS_SC_CREAT: case KS_SC_OPENAT: case KS_SC_OPENAT2: case KS_SC_CHDIR: {
		const char *path = (sc == KS_SC_OPEN || sc == KS_SC_CREAT || sc == KS_SC_CHDIR) ? (const char *)a0 : (const char *)r->args[1];
		long n = bpf_probe_read_user_str(&s->payload[0], KS_AUX_MAX, path);
		aux1 = n > 0 ? (n & AUX_MASK) : 0;
		if (sc == KS_SC_OPEN) {
			r->extra[0] = r->args[1];
			r->extra[1] = r->args[2];
		} else if (sc == KS_SC_CREAT) {
			r->extra[0] = 01 | 0100 | 01000; /* O_WRONLY | O_CREAT | O_TRUNC */
			r->extra[1] = r->args[1];
		} else if (sc == KS_SC_OPENAT) {
			r->extra[0] = r->args[2];
			r->extra[1] = r->args[3];
		} else if (sc == KS_SC_OPENAT2) {
			struct open_how how = {};
			bpf_probe_read_user(&how, sizeof(how), (const void *)r->args[2]);
			r->extra[0] = how.flags;
			r->extra[1] = how.mode;
		}
		if (sc != KS_SC_CHDIR && ret >= 0)
			put_kernel_fd_file_facts(r, t, ret);
		break;
	}
	case KS_SC_CONNECT:
		aux1 = put_user_sockaddr(&s->payload[0], ubuf, r->args[2]);
		if (ret == 0 || ret == -EINPROGRESS)
			aux2 = put_tuple(&s->payload[aux1 & AUX_MASK], file_sock(fd_file(t, a0)), 0);
		break;
	case KS_SC_ACCEPT: case KS_SC_ACCEPT4:
		if (ret >= 0)
			aux1 = put_tuple(&s->payload[0], file_sock(fd_file(t, ret)), 1);
		break;
	case KS_SC_BIND:
		aux1 = put_user_sockaddr(&s->payload[0], ubuf, r->args[2]);
		break;
	case KS_SC_PIPE: case KS_SC_PIPE2:
		if (ret == 0) {
			int fds[2] = {};
			bpf_probe_read_user(fds, sizeof(fds), (const void *)a0);
			r->extra[0] = fds[0];
			r->extra[1] = fds[1];
			struct file *f = fd_file(t, fds[0]);
			if (f)
				r->extra[2] = BPF_CORE_READ(f, f_inode, i_ino);
		}
		break;
	case KS_SC_CLONE: case KS_SC_CLONE3: case KS_SC_FORK: case KS_SC_VFORK:
	case KS_SC_EXECVE: case KS_SC_EXECVEAT:
		/* Both ends of a clone report: the child (ret 0) and the parent (ret = child tid). */
		if (sc == KS_SC_CLONE) {
			r->extra[3] = a0;
		} else if (sc == KS_SC_CLONE3) {
			__u64 flags = 0;
			bpf_probe_read_user(&flags, sizeof(flags), (const void *)a0);
			r->extra[3] = flags;
		} else if (sc == KS_SC_VFORK) {
			r->extra[3] = 0x00004000 | 0x00000100; /* CLONE_VFORK | CLONE_VM */
		}
		if (ret > 0 && sc != KS_SC_EXECVE && sc != KS_SC_EXECVEAT)
			return 0; /* the parent's side was reported at sched_process_fork */
		if (ret >= 0) {
			fill_process(r, t);
			data = put_args(s, t);
			aux2 = KS_COMM_LEN;
			bpf_get_current_comm(&s->payload[data & DATA_MASK], KS_COMM_LEN);
		}
		break;
	default:
		break;
	}
	r->data_len = data;
	r->aux1_len = aux1;
	r->aux2_len = aux2;
	send(s);
	return 0;
}

/* A lifecycle record written at a sched tracepoint rather than the syscall exit: the
 * syscall's arguments are in the task's saved registers. */
static __always_inline struct ks_record *begin_sched_record(struct scratch *s, __u16 sc, struct task_struct *t, struct pt_regs *regs, __u64 pid_tgid)
{
	struct ks_record *r = &s->r;
	__builtin_memset(r, 0, sizeof(*r));
	r->kind = KS_REC_SYSCALL;
	r->syscall = sc;
	r->cpu = bpf_get_smp_processor_id();
	r->ts_exit = bpf_ktime_get_ns();
	r->tid = (__u32)pid_tgid;
	r->pid = pid_tgid >> 32;
	r->cgroup_v2 = bpf_get_current_cgroup_id();
	r->cgroup_v1_memory = v1_memory_cgroup_id(t);
	r->args[0] = regs->di;
	r->args[1] = regs->si;
	r->args[2] = regs->dx;
	r->args[3] = regs->r10;
	r->args[4] = regs->r8;
	r->args[5] = regs->r9;
	return r;
}

/* Ends a clone or exec record with the process's facts, argument list and command name,
 * and sends it. */
static __always_inline void send_process_record(struct scratch *s, struct ks_record *r, struct task_struct *t)
{
	fill_process(r, t);
	__u32 data = put_args(s, t);
	bpf_get_current_comm(&s->payload[data & DATA_MASK], KS_COMM_LEN);
	r->data_len = data;
	r->aux2_len = KS_COMM_LEN;
	send(s);
}

/* The parent's side of a clone, reported when the child is created: before the child can
 * run, so that readers meet the parent's event first (with vfork the parent's syscall
 * returns only after the child has exec'd, and readers that meet the child first do not
 * give it a copy of the parent's fds). The syscall's arguments are in the parent's saved
 * registers. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(ks_process_fork, struct task_struct *parent, struct task_struct *child)
{
	struct task_struct *t = bpf_get_current_task_btf();
	if (BPF_CORE_READ(t, flags) & 0x00200000 /* PF_KTHREAD */)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (tgid == ks_self_tgid)
		return 0;
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	if (!regs || regs->cs != USER_CS)
		return 0;
	__u16 sc = syscall_kind(regs->orig_ax);
	if (sc != KS_SC_CLONE && sc != KS_SC_CLONE3 && sc != KS_SC_FORK && sc != KS_SC_VFORK)
		return 0; /* threads the kernel makes for a process (io_uring workers...) */
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
	if (!s)
		return 0;
	struct ks_record *r = begin_sched_record(s, sc, t, regs, pid_tgid);
	if (ks_mode == KS_MODE_FULL) {
		__u64 *ts = bpf_task_storage_get(&enter_ts, t, 0, 0);
		if (ts) {
			r->ts_enter = *ts;
			*ts = 0;
		}
	}
	r->ret = BPF_CORE_READ(child, pid);
	if (sc == KS_SC_CLONE) {
		r->extra[3] = r->args[0];
	} else if (sc == KS_SC_CLONE3) {
		__u64 flags = 0;
		bpf_probe_read_user(&flags, sizeof(flags), (const void *)r->args[0]);
		r->extra[3] = flags;
	} else if (sc == KS_SC_VFORK) {
		r->extra[3] = 0x00004000 | 0x00000100; /* CLONE_VFORK | CLONE_VM */
	}
	send_process_record(s, r, t);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ks_process_exit, struct task_struct *p)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (tgid == ks_self_tgid)
		return 0;
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
	if (!s)
		return 0;
	struct ks_record *r = &s->r;
	__builtin_memset(r, 0, sizeof(*r));
	r->kind = KS_REC_PROCEXIT;
	r->cpu = bpf_get_smp_processor_id();
	r->ts_exit = bpf_ktime_get_ns();
	r->tid = (__u32)pid_tgid;
	r->pid = tgid;
	r->cgroup_v2 = bpf_get_current_cgroup_id();
	r->extra[0] = BPF_CORE_READ(p, exit_code);
	send(s);
	return 0;
}

/* The conn_io key of a socket (a BTF pointer: direct loads). */
static __always_inline int conn_key(struct sock *sk, __u32 tgid, __u64 cgroup_v2, struct ks_conn_key *key)
{
	__u16 family = sk->__sk_common.skc_family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	key->tgid = tgid;
	key->family = family;
	key->proto = sk->sk_protocol;
	key->lport = sk->__sk_common.skc_num;
	key->rport = bpf_ntohs(sk->__sk_common.skc_dport);
	key->cgroup_v2 = cgroup_v2;
	if (family == AF_INET) {
		__u32 l = sk->__sk_common.skc_rcv_saddr;
		__u32 r = sk->__sk_common.skc_daddr;
		__builtin_memcpy(key->laddr, &l, 4);
		__builtin_memcpy(key->raddr, &r, 4);
	} else {
		__builtin_memcpy(key->laddr, sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8, 16);
		__builtin_memcpy(key->raddr, sk->__sk_common.skc_v6_daddr.in6_u.u6_addr8, 16);
	}
	return 1;
}

/* The same key read through helpers, for a socket pointer the verifier does not know as
 * one (found from an fd at the syscall exit). */
static __always_inline int conn_key_read(struct sock *sk, __u32 tgid, __u64 cgroup_v2, struct ks_conn_key *key)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	key->tgid = tgid;
	key->family = family;
	key->proto = BPF_CORE_READ(sk, sk_protocol);
	key->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	key->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	key->cgroup_v2 = cgroup_v2;
	if (family == AF_INET) {
		__u32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 r = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(key->laddr, &l, 4);
		__builtin_memcpy(key->raddr, &r, 4);
	} else {
		BPF_CORE_READ_INTO(&key->laddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&key->raddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
	return 1;
}

/* ks_conn_direct: the end a TCP socket is, as its handshake said (0: not seen). */
static __always_inline __u32 role_of(const void *sk)
{
	__u64 addr = (__u64)sk;
	__u32 *role = bpf_map_lookup_elem(&sock_role, &addr);
	return role ? *role : 0;
}

/* Adds bytes to a connection's conn_io entry (created with its role). */
static __always_inline void conn_add(struct ks_conn_key *key, __u32 role, __u64 rx, __u64 tx, __u64 rx_ops, __u64 tx_ops)
{
	struct ks_conn_val *v = bpf_map_lookup_elem(&conn_io, key);
	if (!v) {
		struct ks_conn_val z = { .rx = rx, .tx = tx, .rx_ops = rx_ops, .tx_ops = tx_ops, .role = role };
		bpf_map_update_elem(&conn_io, key, &z, BPF_NOEXIST);
		return;
	}
	/* conn_io is per-CPU: this CPU's slot is ours alone. */
	v->rx += rx;
	v->tx += tx;
	v->rx_ops += rx_ops;
	v->tx_ops += tx_ops;
	if (!v->role)
		v->role = role;
}

/* Moves what a TCP socket counted since the last flush into conn_io. */
static __always_inline void flush_sock(struct ks_sock_counters *c)
{
	if (!c->key.tgid)
		return;
	__u64 rx = take(&c->total.rx, &c->flushed.rx);
	__u64 tx = take(&c->total.tx, &c->flushed.tx);
	__u64 rx_ops = take(&c->total.rx_ops, &c->flushed.rx_ops);
	__u64 tx_ops = take(&c->total.tx_ops, &c->flushed.tx_ops);
	if (!(rx_ops | tx_ops))
		return;
	struct ks_conn_key key = c->key;
	conn_add(&key, c->role, rx, tx, rx_ops, tx_ops);
}

/* Aggregated mode: network bytes per connection, from the socket layer. */
static __always_inline int count_sock_io(struct sock *sk, int ret, int flags, int rx)
{
	if (ks_mode != KS_MODE_AGGREGATED || ret <= 0 || !sk)
		return 0;
	if (rx && (flags & MSG_PEEK))
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (tgid == ks_self_tgid)
		return 0;
	/* `sk` is the tracepoint's BTF pointer: direct loads, no helper calls. */
	__u16 family = sk->__sk_common.skc_family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	if (sk->sk_protocol == IPPROTO_TCP && !ks_conn_direct) {
		struct ks_sock_counters *c = bpf_sk_storage_get(&sock_counters, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (!c)
			return 0;
		if (!c->key.tgid && !conn_key(sk, tgid, bpf_get_current_cgroup_id(), &c->key))
			return 0;
		if (rx) {
			c->total.rx += ret;
			c->total.rx_ops += 1;
		} else {
			c->total.tx += ret;
			c->total.tx_ops += 1;
		}
	} else {
		/* UDP, or TCP without the iterator: straight to conn_io. */
		struct ks_conn_key key = {};
		if (conn_key(sk, tgid, bpf_get_current_cgroup_id(), &key))
			conn_add(&key, key.proto == IPPROTO_TCP ? role_of(sk) : 0, rx ? ret : 0, rx ? 0 : ret, rx, !rx);
	}
	/* The same bytes per process and cgroup pair. */
	account(bpf_get_current_task_btf(), tgid, rx ? ACCOUNT_NET_READ : ACCOUNT_NET_WRITE, ret);
	return 0;
}

/* Aggregated mode at the syscall exit (KS_NET_SYSCALL): the socket of an fd, read through
 * helpers; always straight to conn_io. */
static __always_inline int count_fd_sock_io(struct sock *sk, long ret, int flags, int rx, __u32 tgid)
{
	if (ret <= 0 || !sk)
		return 0;
	if (rx && (flags & MSG_PEEK))
		return 0;
	struct ks_conn_key key = {};
	if (!conn_key_read(sk, tgid, bpf_get_current_cgroup_id(), &key))
		return 0;
	conn_add(&key, key.proto == IPPROTO_TCP ? role_of(sk) : 0, rx ? ret : 0, rx ? 0 : ret, rx, !rx);
	account(bpf_get_current_task_btf(), tgid, rx ? ACCOUNT_NET_READ : ACCOUNT_NET_WRITE, ret);
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(ks_sock_send, struct sock *sk, int ret, int flags)
{
	return count_sock_io(sk, ret, flags, 0);
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(ks_sock_recv, struct sock *sk, int ret, int flags)
{
	return count_sock_io(sk, ret, flags, 1);
}

/* Which end a TCP socket is: SYN_SENT is the client's first state, SYN_RECV the
 * server's (on its request socket; the accepted socket goes straight to ESTABLISHED from
 * SYN_RECV, so both are remembered). */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ks_sock_state, const struct sock *sk, int oldstate, int newstate)
{
	if (ks_mode != KS_MODE_AGGREGATED)
		return 0;
	struct sock *s = (struct sock *)sk;
	if (ks_conn_direct) {
		/* No socket storage to flush: only the role, kept by address. */
		__u64 addr = (__u64)sk;
		__u32 role;
		if (newstate == TCP_CLOSE) {
			bpf_map_delete_elem(&sock_role, &addr);
			return 0;
		}
		if (newstate == TCP_SYN_SENT)
			role = 1;
		else if (oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED)
			role = 2;
		else
			return 0;
		bpf_map_update_elem(&sock_role, &addr, &role, BPF_ANY);
		return 0;
	}
	if (newstate >= TCP_FIN_WAIT1 && newstate <= TCP_LAST_ACK) {
		/* The connection is ending and the socket's storage goes with the socket: its
		 * bytes move to conn_io now (and again at each step, for late ones). */
		struct ks_sock_counters *c = bpf_sk_storage_get(&sock_counters, s, 0, 0);
		if (c)
			flush_sock(c);
		return 0;
	}
	__u32 role;
	if (newstate == TCP_SYN_SENT)
		role = 1;
	else if (oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED)
		role = 2;
	else
		return 0;
	struct ks_sock_counters *c = bpf_sk_storage_get(&sock_counters, s, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (c)
		c->role = role;
	return 0;
}

/* Aggregated mode: user space runs this over every counted socket before it reads
 * conn_io, so that bytes of open connections are counted too. */
SEC("iter/bpf_sk_storage_map")
int ks_flush_sockets(struct bpf_iter__bpf_sk_storage_map *ctx)
{
	struct ks_sock_counters *c = ctx->value;
	if (c)
		flush_sock(c);
	return 0;
}

/* Aggregated mode on kernels that let fexit attach (KS_NET_FEXIT): the socket bytes at
 * the return of the protocols' own functions, called once per send or receive whatever
 * the system call was. Return values and argument counts come from the helpers, so that
 * the programs load whatever the functions' signatures (tcp_recvmsg and udp_recvmsg lost
 * their `nonblock` argument in 5.19: `flags` moved from the fifth to the fourth). */
static __always_inline int fexit_sock_io(__u64 *ctx, struct sock *sk, int rx)
{
	__u64 ret = 0;
	bpf_get_func_ret(ctx, &ret);
	__u64 flags = 0;
	if (rx)
		bpf_get_func_arg(ctx, bpf_get_func_arg_cnt(ctx) == 5 ? 3 : 4, &flags);
	return count_sock_io(sk, (int)ret, (int)flags, rx);
}

/* One program per function: fexit attaches to exactly one. */
#define FEXIT_SOCK_IO(func, rx)                          \
	SEC("fexit/" #func)                              \
	int BPF_PROG(ks_fexit_##func, struct sock *sk)   \
	{                                                \
		return fexit_sock_io(ctx, sk, rx);       \
	}

FEXIT_SOCK_IO(tcp_sendmsg, 0)
FEXIT_SOCK_IO(tcp_recvmsg, 1)
FEXIT_SOCK_IO(udp_sendmsg, 0)
FEXIT_SOCK_IO(udp_recvmsg, 1)
FEXIT_SOCK_IO(udpv6_sendmsg, 0)
FEXIT_SOCK_IO(udpv6_recvmsg, 1)

/* Aggregated mode with KS_FILE_FEXIT: file bytes at the return of the vfs functions that
 * read(2), write(2) and their p- and -v variants call, so that no program runs on every
 * system call. */
static __always_inline int fexit_file_io(__u64 *ctx, struct file *f, int is_read)
{
	__u64 ret = 0;
	bpf_get_func_ret(ctx, &ret);
	if ((long)ret <= 0 || !f)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (tgid == ks_self_tgid)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	if (t->flags & PF_KTHREAD)
		return 0;
	__u32 fmt = f->f_inode->i_mode & S_IFMT;
	if (!counts_as_file(fmt))
		return 0;
	account(t, tgid, is_read ? ACCOUNT_FILE_READ : ACCOUNT_FILE_WRITE, ret);
	return 0;
}

#define FEXIT_FILE_IO(func, is_read)                     \
	SEC("fexit/" #func)                              \
	int BPF_PROG(ks_fexit_##func, struct file *f)    \
	{                                                \
		return fexit_file_io(ctx, f, is_read);   \
	}

FEXIT_FILE_IO(vfs_read, 1)
FEXIT_FILE_IO(vfs_write, 0)
FEXIT_FILE_IO(vfs_readv, 1)
FEXIT_FILE_IO(vfs_writev, 0)

/* Aggregated mode without the syscall tracepoint (both kinds of bytes from fexit): the
 * execve record, written when the new program is in place, as the syscall exit would. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(ks_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (tgid == ks_self_tgid)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	if (!regs || regs->cs != USER_CS)
		return 0;
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
	if (!s)
		return 0;
	__u16 sc = syscall_kind(regs->orig_ax) == KS_SC_EXECVEAT ? KS_SC_EXECVEAT : KS_SC_EXECVE;
	struct ks_record *r = begin_sched_record(s, sc, t, regs, pid_tgid);
	send_process_record(s, r, t); /* ret 0: the exec succeeded */
	return 0;
}

/* Benchmarks only: empty programs on the syscall tracepoints, the cost floor every
 * tracing tool pays (kinsight's own programs are measured against them). */
SEC("tp_btf/sys_enter")
int BPF_PROG(ks_empty_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ks_empty_exit, struct pt_regs *regs, long ret)
{
	return 0;
}
