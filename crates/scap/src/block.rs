//! Block types of the scap format (a pcap-ng-like sequence of length-prefixed blocks) and
//! the decoders of the metadata blocks: machine info, process lists, fd lists, interface
//! lists and user lists. Event blocks are decoded in `event.rs`.

use crate::cursor::Cursor;

pub const SHB: u32 = 0x0A0D_0D0A;
pub const SHB_MAGIC: u32 = 0x1A2B_3C4D;

pub const MI: u32 = 0x201;
pub const MI_INT: u32 = 0x8002_ABCD;
pub const PL_V1: u32 = 0x202;
pub const PL_V1_INT: u32 = 0x8000_ABCD;
pub const PL_V2: u32 = 0x207;
pub const PL_V2_INT: u32 = 0x8013_ABCD;
pub const PL_V3: u32 = 0x209;
pub const PL_V3_INT: u32 = 0x8014_ABCD;
pub const PL_V4: u32 = 0x210;
pub const PL_V5: u32 = 0x211;
pub const PL_V6: u32 = 0x212;
pub const PL_V7: u32 = 0x213;
pub const PL_V8: u32 = 0x214;
pub const PL_V9: u32 = 0x215;
pub const FDL: u32 = 0x203;
pub const FDL_INT: u32 = 0x8001_ABCD;
pub const FDL_V2: u32 = 0x218;
pub const EV: u32 = 0x204;
pub const EV_INT: u32 = 0x8010_ABCD;
pub const EV_V2: u32 = 0x216;
pub const EV_V2_LARGE: u32 = 0x221;
pub const EVF: u32 = 0x208;
pub const EVF_V2: u32 = 0x217;
pub const EVF_V2_LARGE: u32 = 0x222;
pub const IL: u32 = 0x205;
pub const IL_INT: u32 = 0x8011_ABCD;
pub const IL_V2: u32 = 0x219;
pub const UL: u32 = 0x206;
pub const UL_INT: u32 = 0x8012_ABCD;
pub const UL_V2: u32 = 0x220;

/// Human name of a block type, for error messages and `kinsight` diagnostics.
pub fn block_type_name(bt: u32) -> &'static str {
    match bt {
        SHB => "section header",
        MI | MI_INT => "machine info",
        PL_V1 | PL_V1_INT | PL_V2 | PL_V2_INT | PL_V3 | PL_V3_INT | PL_V4 | PL_V5 | PL_V6
        | PL_V7 | PL_V8 | PL_V9 => "process list",
        FDL | FDL_INT | FDL_V2 => "fd list",
        EV | EV_INT | EV_V2 | EV_V2_LARGE => "event",
        EVF | EVF_V2 | EVF_V2_LARGE => "event with flags",
        IL | IL_INT | IL_V2 => "interface list",
        UL | UL_INT | UL_V2 => "user list",
        _ => "unknown",
    }
}

/// Event blocks carry one event each; these say how its header is laid out.
pub(crate) fn event_block_layout(bt: u32) -> Option<EventBlockLayout> {
    let (has_flags, has_nparams) = match bt {
        EV | EV_INT => (false, false),
        EVF => (true, false),
        EV_V2 | EV_V2_LARGE => (false, true),
        EVF_V2 | EVF_V2_LARGE => (true, true),
        _ => return None,
    };
    Some(EventBlockLayout { has_flags, has_nparams })
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct EventBlockLayout {
    pub has_flags: bool,
    pub has_nparams: bool,
}

/// The section header: format version and the options that newer writers may add.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SectionHeader {
    pub major: u16,
    pub minor: u16,
    /// Length of the body after the fixed header (options), skipped by this reader.
    pub options_len: u32,
}

/// The machine the capture was taken on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MachineInfo {
    pub num_cpus: u32,
    pub memory_bytes: u64,
    pub max_pid: u64,
    pub hostname: String,
}

pub(crate) fn parse_machine_info(body: &[u8]) -> Result<MachineInfo, String> {
    let mut c = Cursor::new(body);
    let num_cpus = c.u32()?;
    let memory_bytes = c.u64()?;
    let max_pid = c.u64()?;
    let hostname = if c.remaining() >= 128 { c.cstr_fixed(128)? } else { String::new() };
    Ok(MachineInfo { num_cpus, memory_bytes, max_pid, hostname })
}

/// One thread of the initial process list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadInfo {
    pub tid: i64,
    pub pid: i64,
    pub ptid: i64,
    pub sid: i64,
    pub vpgid: i64,
    pub comm: String,
    pub exe: String,
    pub exepath: String,
    /// Arguments after the executable, NUL-separated as on the wire.
    pub args: Vec<u8>,
    pub cwd: String,
    pub fdlimit: u64,
    pub flags: u32,
    pub uid: u32,
    pub gid: u32,
    pub vmsize_kb: u32,
    pub vmrss_kb: u32,
    pub vmswap_kb: u32,
    pub pfmajor: u64,
    pub pfminor: u64,
    pub env: Vec<u8>,
    pub vtid: i64,
    pub vpid: i64,
    /// `subsys=path` entries, NUL-separated as on the wire.
    pub cgroups: Vec<u8>,
    pub root: String,
    pub loginuid: Option<u32>,
}

pub(crate) fn parse_process_list(bt: u32, body: &[u8]) -> Result<Vec<ThreadInfo>, String> {
    let version = match bt {
        PL_V1 | PL_V1_INT => 1,
        PL_V2 | PL_V2_INT => 2,
        PL_V3 | PL_V3_INT => 3,
        PL_V4 => 4,
        PL_V5 => 5,
        PL_V6 => 6,
        PL_V7 => 7,
        PL_V8 => 8,
        PL_V9 => 9,
        _ => return Err(format!("not a process list block type {bt:#x}")),
    };
    let mut out = Vec::new();
    let mut c = Cursor::new(body);
    while c.remaining() >= 4 {
        let entry_start = c.pos();
        let sub_len = if version >= 9 { c.u32()? as usize } else { 0 };
        let mut t = ThreadInfo { vtid: -1, vpid: -1, sid: -1, vpgid: -1, ..Default::default() };
        t.tid = c.i64()?;
        t.pid = c.i64()?;
        t.ptid = c.i64()?;
        if version >= 6 {
            t.sid = c.i64()?;
        }
        if version >= 8 {
            t.vpgid = c.i64()?;
        }
        t.comm = c.lstr16()?;
        t.exe = c.lstr16()?;
        if version >= 7 {
            t.exepath = c.lstr16()?;
        }
        t.args = c.lbytes16()?.to_vec();
        t.cwd = c.lstr16()?;
        t.fdlimit = c.u64()?;
        t.flags = c.u32()?;
        t.uid = c.u32()?;
        t.gid = c.u32()?;
        if version >= 2 {
            t.vmsize_kb = c.u32()?;
            t.vmrss_kb = c.u32()?;
            t.vmswap_kb = c.u32()?;
            t.pfmajor = c.u64()?;
            t.pfminor = c.u64()?;
            if version >= 3 {
                t.env = c.lbytes16()?.to_vec();
            }
            if version >= 4 {
                t.vtid = c.i64()?;
                t.vpid = c.i64()?;
                t.cgroups = c.lbytes16()?.to_vec();
                if version >= 5 {
                    t.root = c.lstr16()?;
                }
            }
        }
        if sub_len > 0 {
            // Version 9 entries say their own length; fields appended by newer writers are
            // optional. libs 0.10 inserted pidns_init_start_ts (8) and tty (4) before
            // loginuid; entries written before that have at most 29 trailing bytes.
            let read = c.pos() - entry_start;
            if read > sub_len {
                return Err(format!("process entry of {sub_len} bytes holds {read}"));
            }
            let trailing = sub_len - read;
            let mut rest = Cursor::new(c.take(trailing)?);
            if trailing > 29 {
                let _pidns_init_start_ts = rest.u64().ok();
                let _tty = rest.u32().ok();
            }
            t.loginuid = rest.u32().ok();
        }
        out.push(t);
    }
    Ok(out)
}

/// Type of an fd in the initial fd list (values of scap_fd_type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FdKind {
    Unknown,
    File,
    Directory,
    Ipv4Sock,
    Ipv6Sock,
    Ipv4ServSock,
    Ipv6ServSock,
    Fifo,
    UnixSock,
    Event,
    Unsupported,
    SignalFd,
    EventPoll,
    Inotify,
    TimerFd,
    Netlink,
    FileV2,
    Bpf,
    UserFaultFd,
    IoUring,
    MemFd,
    PidFd,
}

impl FdKind {
    pub fn from_u8(v: u8) -> FdKind {
        use FdKind::*;
        match v {
            1 => File,
            2 => Directory,
            3 => Ipv4Sock,
            4 => Ipv6Sock,
            5 => Ipv4ServSock,
            6 => Ipv6ServSock,
            7 => Fifo,
            8 => UnixSock,
            9 => Event,
            10 => Unsupported,
            11 => SignalFd,
            12 => EventPoll,
            13 => Inotify,
            14 => TimerFd,
            15 => Netlink,
            16 => FileV2,
            17 => Bpf,
            18 => UserFaultFd,
            19 => IoUring,
            20 => MemFd,
            21 => PidFd,
            _ => Unknown,
        }
    }
}

/// Address details of an fd from the initial fd list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FdDetail {
    /// Files, directories, pipes and the other kinds that only have a name.
    Name(String),
    /// A regular file with its open flags (FileV2).
    File { open_flags: u32, name: String },
    Ipv4 { sip: [u8; 4], dip: [u8; 4], sport: u16, dport: u16, l4proto: u8 },
    Ipv4Server { ip: [u8; 4], port: u16, l4proto: u8 },
    Ipv6 { sip: [u8; 16], dip: [u8; 16], sport: u16, dport: u16, l4proto: u8 },
    Ipv6Server { ip: [u8; 16], port: u16, l4proto: u8 },
    Unix { source: u64, dest: u64, path: String },
    None,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdInfo {
    pub fd: i64,
    pub ino: u64,
    pub kind: FdKind,
    pub detail: FdDetail,
}

/// The fds open in one thread (really: one process, fd tables are shared) at capture start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdList {
    pub tid: i64,
    pub fds: Vec<FdInfo>,
}

pub(crate) fn parse_fd_list(bt: u32, body: &[u8]) -> Result<FdList, String> {
    let mut c = Cursor::new(body);
    let tid = c.i64()?;
    let mut fds = Vec::new();
    while c.remaining() >= 4 {
        let start = c.pos();
        let sub_len = if bt == FDL_V2 { c.u32()? as usize } else { 0 };
        let fd = c.i64()?;
        let ino = c.u64()?;
        let kind_raw = c.u8()?;
        let kind = FdKind::from_u8(kind_raw);
        let detail = match kind {
            FdKind::Ipv4Sock => FdDetail::Ipv4 {
                sip: c.array4()?,
                dip: c.array4()?,
                sport: c.u16()?,
                dport: c.u16()?,
                l4proto: c.u8()?,
            },
            FdKind::Ipv4ServSock => {
                FdDetail::Ipv4Server { ip: c.array4()?, port: c.u16()?, l4proto: c.u8()? }
            }
            FdKind::Ipv6Sock => FdDetail::Ipv6 {
                sip: c.array16()?,
                dip: c.array16()?,
                sport: c.u16()?,
                dport: c.u16()?,
                l4proto: c.u8()?,
            },
            FdKind::Ipv6ServSock => {
                FdDetail::Ipv6Server { ip: c.array16()?, port: c.u16()?, l4proto: c.u8()? }
            }
            FdKind::UnixSock => {
                FdDetail::Unix { source: c.u64()?, dest: c.u64()?, path: c.lstr16()? }
            }
            FdKind::FileV2 => {
                let open_flags = c.u32()?;
                let name = c.lstr16()?;
                FdDetail::File { open_flags, name }
            }
            FdKind::Unknown if kind_raw == 0 => FdDetail::None,
            FdKind::Unknown => {
                // A kind from a newer writer: only sized entries (v2) can be skipped safely.
                if sub_len == 0 {
                    return Err(format!("unknown fd type {kind_raw} in an unsized fd entry"));
                }
                FdDetail::None
            }
            _ => FdDetail::Name(c.lstr16()?),
        };
        if sub_len > 0 {
            let read = c.pos() - start;
            if read > sub_len {
                return Err(format!("fd entry of {sub_len} bytes holds {read}"));
            }
            c.take(sub_len - read)?;
        }
        fds.push(FdInfo { fd, ino, kind, detail });
    }
    Ok(FdList { tid, fds })
}

/// A network interface address of the capturing machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    pub name: String,
    pub addr: std::net::IpAddr,
    pub netmask: std::net::IpAddr,
}

pub(crate) fn parse_interface_list(bt: u32, body: &[u8]) -> Result<Vec<Interface>, String> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let mut c = Cursor::new(body);
    let mut out = Vec::new();
    while c.remaining() >= 4 {
        let start = c.pos();
        let entry_len = if bt == IL_V2 { c.u32()? as usize + 4 } else { 0 };
        let iftype = c.u16()?;
        let namelen = c.u16()? as usize;
        let (addr, netmask) = match iftype {
            1 | 3 => {
                let a = c.array4()?;
                let m = c.array4()?;
                let _bcast = c.array4()?;
                if iftype == 1 {
                    c.u64()?;
                }
                (IpAddr::V4(Ipv4Addr::from(a)), IpAddr::V4(Ipv4Addr::from(m)))
            }
            2 | 4 => {
                let a = c.array16()?;
                let m = c.array16()?;
                let _bcast = c.array16()?;
                if iftype == 2 {
                    c.u64()?;
                }
                (IpAddr::V6(Ipv6Addr::from(a)), IpAddr::V6(Ipv6Addr::from(m)))
            }
            other => return Err(format!("unknown interface type {other}")),
        };
        let name = String::from_utf8_lossy(c.take(namelen)?).trim_end_matches('\0').to_string();
        if entry_len > 0 {
            let read = c.pos() - start;
            if read < entry_len {
                c.take(entry_len - read)?;
            }
        }
        out.push(Interface { name, addr, netmask });
    }
    Ok(out)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    pub uid: u32,
    pub gid: u32,
    pub name: String,
    pub home: String,
    pub shell: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupInfo {
    pub gid: u32,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserList {
    pub users: Vec<UserInfo>,
    pub groups: Vec<GroupInfo>,
}

pub(crate) fn parse_user_list(bt: u32, body: &[u8]) -> Result<UserList, String> {
    let mut c = Cursor::new(body);
    let mut out = UserList::default();
    while c.remaining() >= 4 {
        let start = c.pos();
        let sub_len = if bt == UL_V2 { c.u32()? as usize } else { 0 };
        let kind = c.u8()?;
        if kind == 0 {
            out.users.push(UserInfo {
                uid: c.u32()?,
                gid: c.u32()?,
                name: c.lstr16()?,
                home: c.lstr16()?,
                shell: c.lstr16()?,
            });
        } else {
            out.groups.push(GroupInfo { gid: c.u32()?, name: c.lstr16()? });
        }
        if sub_len > 0 {
            let read = c.pos() - start;
            if read > sub_len {
                return Err(format!("user entry of {sub_len} bytes holds {read}"));
            }
            c.take(sub_len - read)?;
        }
    }
    Ok(out)
}
