// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* One tiny program per optional hook of kinsight.bpf.c, each loaded (and attached) alone
 * at start to learn what this kernel accepts before the real programs are loaded: kernels
 * differ in the tracepoints they have, in whether fexit and iterators are allowed, and in
 * helpers. Each program uses the helpers its real counterpart needs. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sock_send_length")
int BPF_PROG(probe_sock_send_length)
{
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(probe_sock_recv_length)
{
	return 0;
}

#define PROBE_FEXIT(func)                                   \
	SEC("fexit/" #func)                                 \
	int BPF_PROG(probe_fexit_##func)                    \
	{                                                   \
		__u64 ret = 0;                              \
		bpf_get_func_ret(ctx, &ret);                \
		bpf_get_func_arg(ctx, 0, &ret);             \
		bpf_get_func_arg_cnt(ctx);                  \
		return 0; /* fexit programs must return 0 */ \
	}

PROBE_FEXIT(tcp_sendmsg)
PROBE_FEXIT(tcp_recvmsg)
PROBE_FEXIT(udp_sendmsg)
PROBE_FEXIT(udp_recvmsg)
PROBE_FEXIT(udpv6_sendmsg)
PROBE_FEXIT(udpv6_recvmsg)
PROBE_FEXIT(vfs_read)
PROBE_FEXIT(vfs_write)
PROBE_FEXIT(vfs_readv)
PROBE_FEXIT(vfs_writev)

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} probe_sk_map SEC(".maps");

SEC("iter/bpf_sk_storage_map")
int probe_iter_sk_storage(struct bpf_iter__bpf_sk_storage_map *ctx)
{
	return 0;
}
