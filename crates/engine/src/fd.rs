//! File descriptors: what each open fd of a process refers to.

use kinsight_scap::{FdDetail, FdInfo, FdKind};
use std::net::IpAddr;
use std::sync::Arc;

/// The kind of object behind an fd, with the names sysdig's `fd.type` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FdType {
    File,
    Directory,
    Ipv4,
    Ipv6,
    Unix,
    Pipe,
    Event,
    SignalFd,
    EventPoll,
    Inotify,
    TimerFd,
    Netlink,
    Bpf,
    UserFaultFd,
    IoUring,
    MemFd,
    PidFd,
    Unknown,
}

impl FdType {
    /// The value of sysdig's `fd.type` field.
    pub fn name(self) -> &'static str {
        match self {
            FdType::File => "file",
            FdType::Directory => "directory",
            FdType::Ipv4 => "ipv4",
            FdType::Ipv6 => "ipv6",
            FdType::Unix => "unix",
            FdType::Pipe => "pipe",
            FdType::Event => "event",
            FdType::SignalFd => "signalfd",
            FdType::EventPoll => "eventpoll",
            FdType::Inotify => "inotify",
            FdType::TimerFd => "timerfd",
            FdType::Netlink => "netlink",
            FdType::Bpf => "bpf",
            FdType::UserFaultFd => "userfaultfd",
            FdType::IoUring => "io_uring",
            FdType::MemFd => "memfd",
            FdType::PidFd => "pidfd",
            FdType::Unknown => "unknown",
        }
    }

    /// The one-letter `fd.typechar`.
    pub fn typechar(self) -> char {
        match self {
            FdType::File => 'f',
            FdType::Directory => 'd',
            FdType::Ipv4 => '4',
            FdType::Ipv6 => '6',
            FdType::Unix => 'u',
            FdType::Pipe => 'p',
            FdType::Event => 'e',
            FdType::SignalFd => 's',
            FdType::EventPoll => 'l',
            FdType::Inotify => 'i',
            FdType::TimerFd => 't',
            FdType::Netlink => 'n',
            FdType::Bpf => 'b',
            FdType::UserFaultFd => 'u',
            FdType::IoUring => 'r',
            FdType::MemFd => 'm',
            FdType::PidFd => 'P',
            FdType::Unknown => 'o',
        }
    }

    /// Network fds in sysdig's sense (`evt.buflen.net` counts these): IPv4 and IPv6 sockets.
    pub fn is_ip(self) -> bool {
        matches!(self, FdType::Ipv4 | FdType::Ipv6)
    }
}

/// Layer-4 protocol of a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum L4Proto {
    Tcp,
    Udp,
    Icmp,
    Raw,
    Unknown,
}

impl L4Proto {
    pub fn name(self) -> &'static str {
        match self {
            L4Proto::Tcp => "tcp",
            L4Proto::Udp => "udp",
            L4Proto::Icmp => "icmp",
            L4Proto::Raw => "raw",
            L4Proto::Unknown => "unknown",
        }
    }

    /// From the SCAP_L4_* values of fd lists (0 unknown, 1 not a socket, 2 TCP, ...).
    pub fn from_scap(v: u8) -> L4Proto {
        match v {
            2 => L4Proto::Tcp,
            3 => L4Proto::Udp,
            4 => L4Proto::Icmp,
            5 => L4Proto::Raw,
            _ => L4Proto::Unknown,
        }
    }

    /// From socket(2) type/protocol arguments.
    pub fn from_socket(sock_type: i64, proto: i64) -> L4Proto {
        match (sock_type & 0xf, proto) {
            (_, 6) => L4Proto::Tcp,
            (_, 17) => L4Proto::Udp,
            (_, 1) | (_, 58) => L4Proto::Icmp,
            (1, _) => L4Proto::Tcp,
            (2, _) => L4Proto::Udp,
            (3, _) => L4Proto::Raw,
            _ => L4Proto::Unknown,
        }
    }
}

/// Endpoints of an IP connection, client first (sysdig's `fd.cip:fd.cport->fd.sip:fd.sport`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpTuple {
    pub cip: IpAddr,
    pub cport: u16,
    pub sip: IpAddr,
    pub sport: u16,
}

/// Which end of a connection this process holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Client,
    Server,
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fd {
    pub kind: FdType,
    /// Path for files, the tuple text for sockets, as sysdig's `fd.name`.
    pub name: Arc<str>,
    pub l4proto: L4Proto,
    pub tuple: Option<IpTuple>,
    pub role: Role,
}

impl Fd {
    pub fn named(kind: FdType, name: &str) -> Fd {
        Fd { kind, name: Arc::from(name), l4proto: L4Proto::Unknown, tuple: None, role: Role::Unknown }
    }

    /// Sets the connection tuple and the name derived from it.
    pub fn set_tuple(&mut self, tuple: IpTuple, role: Role) {
        self.name = Arc::from(tuple_name(&tuple).as_str());
        self.tuple = Some(tuple);
        self.role = role;
        self.kind = match tuple.sip {
            IpAddr::V4(_) => FdType::Ipv4,
            IpAddr::V6(_) => FdType::Ipv6,
        };
    }

    /// The local and remote ends (`fd.lip`, `fd.rip`, ...): the server end is local on
    /// the server side.
    pub fn local_remote(&self) -> Option<((IpAddr, u16), (IpAddr, u16))> {
        let t = self.tuple?;
        Some(match self.role {
            Role::Server => ((t.sip, t.sport), (t.cip, t.cport)),
            _ => ((t.cip, t.cport), (t.sip, t.sport)),
        })
    }
}

/// sysdig's text for a tuple: `10.0.0.1:3456->10.0.0.2:80` (IPv6 in plain text too).
pub fn tuple_name(t: &IpTuple) -> String {
    format!("{}:{}->{}:{}", t.cip, t.cport, t.sip, t.sport)
}

/// The fds of one process (threads share it).
#[derive(Clone, Debug, Default)]
pub struct FdTable {
    pub fds: rustc_hash::FxHashMap<i64, Fd>,
}

/// An fd of the initial fd list, converted.
pub fn fd_from_list(info: &FdInfo) -> Fd {
    use std::net::{Ipv4Addr, Ipv6Addr};
    let v4 = |a: &[u8; 4]| IpAddr::V4(Ipv4Addr::from(*a));
    let v6 = |a: &[u8; 16]| {
        let v = Ipv6Addr::from(*a);
        v.to_ipv4_mapped().map_or(IpAddr::V6(v), IpAddr::V4)
    };
    match &info.detail {
        FdDetail::Ipv4 { sip, dip, sport, dport, l4proto } => {
            let mut fd = Fd::named(FdType::Ipv4, "");
            fd.l4proto = L4Proto::from_scap(*l4proto);
            fd.set_tuple(initial_tuple(v4(sip), *sport, v4(dip), *dport), Role::Unknown);
            fd
        }
        FdDetail::Ipv6 { sip, dip, sport, dport, l4proto } => {
            let mut fd = Fd::named(FdType::Ipv6, "");
            fd.l4proto = L4Proto::from_scap(*l4proto);
            fd.set_tuple(initial_tuple(v6(sip), *sport, v6(dip), *dport), Role::Unknown);
            fd
        }
        FdDetail::Ipv4Server { ip, port, l4proto } => {
            let mut fd = Fd::named(FdType::Ipv4, &format!("{}:{}", v4(ip), port));
            fd.l4proto = L4Proto::from_scap(*l4proto);
            fd.role = Role::Server;
            fd
        }
        FdDetail::Ipv6Server { ip, port, l4proto } => {
            let mut fd = Fd::named(FdType::Ipv6, &format!("{}:{}", v6(ip), port));
            fd.l4proto = L4Proto::from_scap(*l4proto);
            fd.role = Role::Server;
            fd
        }
        FdDetail::Unix { path, .. } => Fd::named(FdType::Unix, path.trim_end()),
        FdDetail::File { name, .. } => Fd::named(FdType::File, name),
        FdDetail::Name(name) => Fd::named(fd_type_of_kind(info.kind), name),
        FdDetail::None => Fd::named(FdType::Unknown, ""),
    }
}

/// Sockets open before the capture started are listed local end first, so which end is the
/// server is not recorded; the end with the lower port is taken as the server, since clients
/// use ephemeral (high) ports.
fn initial_tuple(a: IpAddr, aport: u16, b: IpAddr, bport: u16) -> IpTuple {
    if aport < bport {
        IpTuple { cip: b, cport: bport, sip: a, sport: aport }
    } else {
        IpTuple { cip: a, cport: aport, sip: b, sport: bport }
    }
}

fn fd_type_of_kind(kind: FdKind) -> FdType {
    match kind {
        FdKind::File | FdKind::FileV2 => FdType::File,
        FdKind::Directory => FdType::Directory,
        FdKind::Ipv4Sock | FdKind::Ipv4ServSock => FdType::Ipv4,
        FdKind::Ipv6Sock | FdKind::Ipv6ServSock => FdType::Ipv6,
        FdKind::Fifo => FdType::Pipe,
        FdKind::UnixSock => FdType::Unix,
        FdKind::Event => FdType::Event,
        FdKind::SignalFd => FdType::SignalFd,
        FdKind::EventPoll => FdType::EventPoll,
        FdKind::Inotify => FdType::Inotify,
        FdKind::TimerFd => FdType::TimerFd,
        FdKind::Netlink => FdType::Netlink,
        FdKind::Bpf => FdType::Bpf,
        FdKind::UserFaultFd => FdType::UserFaultFd,
        FdKind::IoUring => FdType::IoUring,
        FdKind::MemFd => FdType::MemFd,
        FdKind::PidFd => FdType::PidFd,
        FdKind::Unsupported | FdKind::Unknown => FdType::Unknown,
    }
}
