//! The kernel event table of the sysdig / Falco capture format.
//!
//! Every record in a scap capture carries a 16-bit event code. This module
//! describes, for every code, how the event is named, which category and
//! flags it has, and the ordered list of parameters (name, wire type and
//! print format) that follow the event header.
//!
//! The data mirrors the public event table of falcosecurity/libs (the
//! `ppm_event_code`, `ppm_param_type`, `ppm_print_format`,
//! `ppm_event_category` and `ppm_event_flags` enumerations), up to
//! `PPME_SYSCALL_SETREGID_X` (430 codes, `PPM_EVENT_MAX == 430`). Codes are
//! dense: `EVENT_TABLE[code]` describes `code`, including legacy versions of
//! an event and the unused "NA" placeholder slots.
//!
//! Libs only ever *appends* parameters to an existing code, so a capture
//! written by an older producer may carry fewer parameters than listed here;
//! readers must use the parameter count stored in each event header and
//! treat the list below as an upper bound.
//!
//! Parameter lengths: every event header is followed by one length per
//! parameter. These are `u16` values, except for events flagged
//! [`EventFlags::LARGE_PAYLOAD`], which use `u32` lengths
//! (see [`EventInfo::param_len_size`]).

use std::fmt;
use std::ops::BitOr;

/// Wire type of an event parameter (the numeric values of `ppm_param_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ParamType {
    /// No parameter / placeholder.
    None = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Uint8 = 5,
    Uint16 = 6,
    Uint32 = 7,
    Uint64 = 8,
    /// Printable, NUL-terminated string.
    CharBuf = 9,
    /// Raw bytes.
    ByteBuf = 10,
    /// Signed 64-bit return value, negative values are `-errno`.
    Errno = 11,
    /// Socket address: one family byte followed by family-specific data.
    SockAddr = 12,
    /// Socket tuple: one family byte followed by source and destination.
    SockTuple = 13,
    /// File descriptor, signed 64-bit.
    Fd = 14,
    /// Process or thread id, signed 64-bit.
    Pid = 15,
    /// `u16` count followed by `count * (i64 fd, u16 flags)`.
    FdList = 16,
    /// File-system path (NUL-terminated string).
    FsPath = 17,
    /// 16-bit system call id.
    SyscallId = 18,
    /// 8-bit signal number.
    SigType = 19,
    /// Relative time in nanoseconds, 64-bit.
    RelTime = 20,
    /// Absolute time in nanoseconds since the epoch, 64-bit.
    AbsTime = 21,
    /// TCP/UDP port, 16-bit.
    Port = 22,
    /// IP protocol number, 8-bit.
    L4Proto = 23,
    /// Socket family, 8-bit.
    SockFamily = 24,
    /// Boolean stored on 4 bytes.
    Bool = 25,
    /// Raw IPv4 address, 4 bytes.
    Ipv4Addr = 26,
    /// Type depends on context (see the per-event dynamic tables of libs).
    Dyn = 27,
    /// `u8` interpreted as bit flags.
    Flags8 = 28,
    /// `u16` interpreted as bit flags.
    Flags16 = 29,
    /// `u32` interpreted as bit flags.
    Flags32 = 30,
    /// `u32` user id (`u32::MAX` means "no value").
    Uid = 31,
    /// `u32` group id (`u32::MAX` means "no value").
    Gid = 32,
    /// IEEE-754 double.
    Double = 33,
    /// Signal set (lower 32 bits of `sigset_t`).
    SigSet = 34,
    /// Array of strings (userspace-only).
    CharBufArray = 35,
    /// Array of string pairs (userspace-only).
    CharBufPairArray = 36,
    Ipv4Net = 37,
    /// Raw IPv6 address, 16 bytes.
    Ipv6Addr = 38,
    Ipv6Net = 39,
    /// IPv4 or IPv6 address; the length tells which.
    IpAddr = 40,
    /// IPv4 or IPv6 network; the length tells which.
    IpNet = 41,
    /// 32-bit file mode bitmask.
    Mode = 42,
    /// Path relative to a directory file descriptor (NUL-terminated string).
    FsRelPath = 43,
    /// `u8` interpreted as an enumeration value.
    EnumFlags8 = 44,
    /// `u16` interpreted as an enumeration value.
    EnumFlags16 = 45,
    /// `u32` interpreted as an enumeration value.
    EnumFlags32 = 46,
}

impl ParamType {
    /// Every parameter type, indexed by its numeric value.
    pub const ALL: [ParamType; 47] = [
        ParamType::None,
        ParamType::Int8,
        ParamType::Int16,
        ParamType::Int32,
        ParamType::Int64,
        ParamType::Uint8,
        ParamType::Uint16,
        ParamType::Uint32,
        ParamType::Uint64,
        ParamType::CharBuf,
        ParamType::ByteBuf,
        ParamType::Errno,
        ParamType::SockAddr,
        ParamType::SockTuple,
        ParamType::Fd,
        ParamType::Pid,
        ParamType::FdList,
        ParamType::FsPath,
        ParamType::SyscallId,
        ParamType::SigType,
        ParamType::RelTime,
        ParamType::AbsTime,
        ParamType::Port,
        ParamType::L4Proto,
        ParamType::SockFamily,
        ParamType::Bool,
        ParamType::Ipv4Addr,
        ParamType::Dyn,
        ParamType::Flags8,
        ParamType::Flags16,
        ParamType::Flags32,
        ParamType::Uid,
        ParamType::Gid,
        ParamType::Double,
        ParamType::SigSet,
        ParamType::CharBufArray,
        ParamType::CharBufPairArray,
        ParamType::Ipv4Net,
        ParamType::Ipv6Addr,
        ParamType::Ipv6Net,
        ParamType::IpAddr,
        ParamType::IpNet,
        ParamType::Mode,
        ParamType::FsRelPath,
        ParamType::EnumFlags8,
        ParamType::EnumFlags16,
        ParamType::EnumFlags32,
    ];

    /// Converts a raw `ppm_param_type` value.
    pub fn from_u8(v: u8) -> Option<ParamType> {
        Self::ALL.get(v as usize).copied()
    }

    /// Size in bytes of the value on the wire, for fixed-width types.
    ///
    /// Returns `None` for variable-length types (strings, buffers, socket
    /// addresses, fd lists, dynamic and network types) and for `None`.
    pub fn fixed_size(self) -> Option<usize> {
        use ParamType::*;
        match self {
            Int8 | Uint8 | Flags8 | EnumFlags8 | SigType | L4Proto | SockFamily => Some(1),
            Int16 | Uint16 | Flags16 | EnumFlags16 | Port | SyscallId => Some(2),
            Int32 | Uint32 | Flags32 | EnumFlags32 | Uid | Gid | Bool | Ipv4Addr | Mode
            | SigSet => Some(4),
            Int64 | Uint64 | Errno | Fd | Pid | RelTime | AbsTime | Double => Some(8),
            Ipv6Addr => Some(16),
            None | CharBuf | ByteBuf | SockAddr | SockTuple | FdList | FsPath | Dyn
            | CharBufArray | CharBufPairArray | Ipv4Net | Ipv6Net | IpAddr | IpNet | FsRelPath => {
                Option::None
            }
        }
    }

    /// True for the NUL-terminated string types.
    pub fn is_string(self) -> bool {
        matches!(
            self,
            ParamType::CharBuf | ParamType::FsPath | ParamType::FsRelPath
        )
    }

    /// The upper-case name used by `sysdig -L` (`PT_` prefix dropped).
    pub fn name(self) -> &'static str {
        use ParamType::*;
        match self {
            None => "NONE",
            Int8 => "INT8",
            Int16 => "INT16",
            Int32 => "INT32",
            Int64 => "INT64",
            Uint8 => "UINT8",
            Uint16 => "UINT16",
            Uint32 => "UINT32",
            Uint64 => "UINT64",
            CharBuf => "CHARBUF",
            ByteBuf => "BYTEBUF",
            Errno => "ERRNO",
            SockAddr => "SOCKADDR",
            SockTuple => "SOCKTUPLE",
            Fd => "FD",
            Pid => "PID",
            FdList => "FDLIST",
            FsPath => "FSPATH",
            SyscallId => "SYSCALLID",
            SigType => "SIGTYPE",
            RelTime => "RELTIME",
            AbsTime => "ABSTIME",
            Port => "PORT",
            L4Proto => "L4PROTO",
            SockFamily => "SOCKFAMILY",
            Bool => "BOOL",
            Ipv4Addr => "IPV4ADDR",
            Dyn => "DYNAMIC",
            Flags8 => "FLAGS8",
            Flags16 => "FLAGS16",
            Flags32 => "FLAGS32",
            Uid => "UID",
            Gid => "GID",
            Double => "DOUBLE",
            SigSet => "SIGSET",
            CharBufArray => "CHARBUFARRAY",
            CharBufPairArray => "CHARBUF_PAIR_ARRAY",
            Ipv4Net => "IPV4NET",
            Ipv6Addr => "IPV6ADDR",
            Ipv6Net => "IPV6NET",
            IpAddr => "IPADDR",
            IpNet => "IPNET",
            Mode => "MODE",
            FsRelPath => "FSRELPATH",
            EnumFlags8 => "ENUMFLAGS8",
            EnumFlags16 => "ENUMFLAGS16",
            EnumFlags32 => "ENUMFLAGS32",
        }
    }
}

impl fmt::Display for ParamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a numeric parameter is meant to be rendered (`ppm_print_format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PrintFormat {
    /// Not applicable (non-numeric parameter).
    Na = 0,
    /// Decimal.
    Dec = 1,
    /// Hexadecimal.
    Hex = 2,
    /// Decimal padded to 10 digits (fractional part of a timestamp).
    PaddedDec10 = 3,
    /// Identifier.
    Id = 4,
    /// Directory.
    Dir = 5,
    /// Octal.
    Oct = 6,
}

impl PrintFormat {
    /// Converts a raw `ppm_print_format` value.
    pub fn from_u8(v: u8) -> Option<PrintFormat> {
        Some(match v {
            0 => PrintFormat::Na,
            1 => PrintFormat::Dec,
            2 => PrintFormat::Hex,
            3 => PrintFormat::PaddedDec10,
            4 => PrintFormat::Id,
            5 => PrintFormat::Dir,
            6 => PrintFormat::Oct,
            _ => return None,
        })
    }
}

/// Event category (`ppm_event_category`).
///
/// A category value combines a *kind* (the low bits: `FILE`, `NET`,
/// `IO_READ`, `WAIT`, `INTERNAL`, ...) with a *source* bit (`SYSCALL`,
/// `TRACEPOINT`, `PLUGIN` or `METAEVENT`). The kinds below `IO_BASE` and the
/// three `IO_*` kinds are plain values, not bits; compare them through
/// [`Category::kind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Category(pub u32);

impl Category {
    /// Placeholder category of the unused "NA" slots.
    pub const UNKNOWN: Category = Category(0);
    pub const OTHER: Category = Category(1);
    pub const FILE: Category = Category(2);
    pub const NET: Category = Category(3);
    pub const IPC: Category = Category(4);
    pub const MEMORY: Category = Category(5);
    pub const PROCESS: Category = Category(6);
    pub const SLEEP: Category = Category(7);
    pub const SYSTEM: Category = Category(8);
    pub const SIGNAL: Category = Category(9);
    pub const USER: Category = Category(10);
    pub const TIME: Category = Category(11);
    pub const PROCESSING: Category = Category(12);
    pub const IO_BASE: Category = Category(32);
    pub const IO_READ: Category = Category(32);
    pub const IO_WRITE: Category = Category(33);
    pub const IO_OTHER: Category = Category(34);
    pub const WAIT: Category = Category(1 << 6);
    pub const SCHEDULER: Category = Category(1 << 7);
    pub const INTERNAL: Category = Category(1 << 8);
    pub const SYSCALL: Category = Category(1 << 9);
    pub const TRACEPOINT: Category = Category(1 << 10);
    pub const PLUGIN: Category = Category(1 << 11);
    pub const METAEVENT: Category = Category(1 << 12);

    const SOURCE_MASK: u32 = (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

    /// The source bit (`SYSCALL`, `TRACEPOINT`, `PLUGIN`, `METAEVENT`), or
    /// `UNKNOWN` if none is set.
    pub const fn source(self) -> Category {
        Category(self.0 & Self::SOURCE_MASK)
    }

    /// The category without its source bit (`FILE`, `IO_READ`, `WAIT`, ...).
    pub const fn kind(self) -> Category {
        Category(self.0 & !Self::SOURCE_MASK)
    }

    /// True for the three I/O kinds (`IO_READ`, `IO_WRITE`, `IO_OTHER`).
    pub const fn is_io(self) -> bool {
        let k = self.kind().0;
        k >= Self::IO_READ.0 && k <= Self::IO_OTHER.0
    }
}

impl BitOr for Category {
    type Output = Category;
    fn bitor(self, rhs: Category) -> Category {
        Category(self.0 | rhs.0)
    }
}

/// Event flags (`ppm_event_flags`), a bit set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventFlags(pub u32);

impl EventFlags {
    pub const NONE: EventFlags = EventFlags(0);
    /// The event creates a file descriptor (e.g. `open`).
    pub const CREATES_FD: EventFlags = EventFlags(1 << 0);
    /// The event destroys a file descriptor (e.g. `close`).
    pub const DESTROYS_FD: EventFlags = EventFlags(1 << 1);
    /// The event operates on a file descriptor.
    pub const USES_FD: EventFlags = EventFlags(1 << 2);
    /// The event reads data from a file descriptor.
    pub const READS_FROM_FD: EventFlags = EventFlags(1 << 3);
    /// The event writes data to a file descriptor.
    pub const WRITES_TO_FD: EventFlags = EventFlags(1 << 4);
    /// The event changes machine state and must not be filtered away.
    pub const MODIFIES_STATE: EventFlags = EventFlags(1 << 5);
    /// Placeholder slot, never produced.
    pub const UNUSED: EventFlags = EventFlags(1 << 6);
    /// The event waits (e.g. `poll`, `nanosleep`).
    pub const WAITS: EventFlags = EventFlags(1 << 7);
    /// The event must not reset the parser's last-event state.
    pub const SKIPPARSERESET: EventFlags = EventFlags(1 << 8);
    /// Kept for backward compatibility; current drivers no longer emit it.
    pub const OLD_VERSION: EventFlags = EventFlags(1 << 9);
    /// Low-overhead consumers may skip the event. Libs dropped support for
    /// this flag; no entry of the current table carries it, the value is
    /// kept so that flag words from older tables can be interpreted.
    pub const DROP_SIMPLE_CONS: EventFlags = EventFlags(1 << 10);
    /// Parameter lengths are `u32` instead of `u16`.
    pub const LARGE_PAYLOAD: EventFlags = EventFlags(1 << 11);

    /// True if every bit of `other` is set in `self`.
    pub const fn contains(self, other: EventFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// True if at least one bit of `other` is set in `self`.
    pub const fn intersects(self, other: EventFlags) -> bool {
        self.0 & other.0 != 0
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl BitOr for EventFlags {
    type Output = EventFlags;
    fn bitor(self, rhs: EventFlags) -> EventFlags {
        EventFlags(self.0 | rhs.0)
    }
}

/// One parameter of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamInfo {
    pub name: &'static str,
    pub ptype: ParamType,
    pub fmt: PrintFormat,
}

/// Description of one event code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventInfo {
    /// Name as printed by sysdig (`open`, `execve`, `switch`, ... or `NA`
    /// for unused slots).
    pub name: &'static str,
    pub category: Category,
    pub flags: EventFlags,
    /// Parameters in wire order (the full, current list).
    pub params: &'static [ParamInfo],
}

impl EventInfo {
    /// Number of parameters in the current definition of the event.
    pub fn nparams(&self) -> usize {
        self.params.len()
    }

    /// Even codes are enter events (`>`), odd codes are exit events (`<`).
    pub fn is_enter(code: u16) -> bool {
        code & 1 == 0
    }

    /// Odd codes are exit events (`<`).
    pub fn is_exit(code: u16) -> bool {
        code & 1 == 1
    }

    /// The direction character sysdig prints for `code`.
    pub fn direction(code: u16) -> char {
        if Self::is_enter(code) {
            '>'
        } else {
            '<'
        }
    }

    /// True if the parameter lengths of this event are `u32` instead of `u16`.
    pub fn has_large_payload(&self) -> bool {
        self.flags.contains(EventFlags::LARGE_PAYLOAD)
    }

    /// Size in bytes of each entry of the parameter-length array (2 or 4).
    pub fn param_len_size(&self) -> usize {
        if self.has_large_payload() {
            4
        } else {
            2
        }
    }

    /// Position of the parameter called `name`.
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }

    /// The parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&'static ParamInfo> {
        self.params.iter().find(|p| p.name == name)
    }

    /// True for legacy versions that current drivers no longer emit.
    pub fn is_old_version(&self) -> bool {
        self.flags.contains(EventFlags::OLD_VERSION)
    }

    /// True for placeholder slots that are never produced.
    pub fn is_unused(&self) -> bool {
        self.flags.contains(EventFlags::UNUSED)
    }
}

/// Number of event codes (`PPM_EVENT_MAX`); valid codes are `0..EVENT_MAX`.
pub const EVENT_MAX: u16 = 430;

/// Description of `code`, or `None` if the code is beyond the table.
pub fn event_info(code: u16) -> Option<&'static EventInfo> {
    EVENT_TABLE.get(code as usize)
}

/// The symbolic name of `code` (the `PPME_` name without its prefix).
pub fn code_name(code: u16) -> Option<&'static str> {
    CODE_NAMES.get(code as usize).copied()
}

/// The other half of an enter/exit pair.
pub fn paired_code(code: u16) -> u16 {
    code ^ 1
}

/// All codes whose event is called `name` (every version, both directions).
pub fn codes_named(name: &str) -> impl Iterator<Item = u16> + '_ {
    EVENT_TABLE
        .iter()
        .enumerate()
        .filter(move |(_, e)| e.name == name)
        .map(|(i, _)| i as u16)
}

/// Named event codes: the `PPME_*` names without the prefix.
pub mod code {
    pub const GENERIC_E: u16 = 0;
    pub const GENERIC_X: u16 = 1;
    pub const SYSCALL_OPEN_E: u16 = 2;
    pub const SYSCALL_OPEN_X: u16 = 3;
    pub const SYSCALL_CLOSE_E: u16 = 4;
    pub const SYSCALL_CLOSE_X: u16 = 5;
    pub const SYSCALL_READ_E: u16 = 6;
    pub const SYSCALL_READ_X: u16 = 7;
    pub const SYSCALL_WRITE_E: u16 = 8;
    pub const SYSCALL_WRITE_X: u16 = 9;
    pub const SYSCALL_BRK_1_E: u16 = 10;
    pub const SYSCALL_BRK_1_X: u16 = 11;
    pub const SYSCALL_EXECVE_8_E: u16 = 12;
    pub const SYSCALL_EXECVE_8_X: u16 = 13;
    pub const SYSCALL_CLONE_11_E: u16 = 14;
    pub const SYSCALL_CLONE_11_X: u16 = 15;
    pub const PROCEXIT_E: u16 = 16;
    pub const PROCEXIT_X: u16 = 17;
    pub const SOCKET_SOCKET_E: u16 = 18;
    pub const SOCKET_SOCKET_X: u16 = 19;
    pub const SOCKET_BIND_E: u16 = 20;
    pub const SOCKET_BIND_X: u16 = 21;
    pub const SOCKET_CONNECT_E: u16 = 22;
    pub const SOCKET_CONNECT_X: u16 = 23;
    pub const SOCKET_LISTEN_E: u16 = 24;
    pub const SOCKET_LISTEN_X: u16 = 25;
    pub const SOCKET_ACCEPT_E: u16 = 26;
    pub const SOCKET_ACCEPT_X: u16 = 27;
    pub const SOCKET_SEND_E: u16 = 28;
    pub const SOCKET_SEND_X: u16 = 29;
    pub const SOCKET_SENDTO_E: u16 = 30;
    pub const SOCKET_SENDTO_X: u16 = 31;
    pub const SOCKET_RECV_E: u16 = 32;
    pub const SOCKET_RECV_X: u16 = 33;
    pub const SOCKET_RECVFROM_E: u16 = 34;
    pub const SOCKET_RECVFROM_X: u16 = 35;
    pub const SOCKET_SHUTDOWN_E: u16 = 36;
    pub const SOCKET_SHUTDOWN_X: u16 = 37;
    pub const SOCKET_GETSOCKNAME_E: u16 = 38;
    pub const SOCKET_GETSOCKNAME_X: u16 = 39;
    pub const SOCKET_GETPEERNAME_E: u16 = 40;
    pub const SOCKET_GETPEERNAME_X: u16 = 41;
    pub const SOCKET_SOCKETPAIR_E: u16 = 42;
    pub const SOCKET_SOCKETPAIR_X: u16 = 43;
    pub const SOCKET_SETSOCKOPT_E: u16 = 44;
    pub const SOCKET_SETSOCKOPT_X: u16 = 45;
    pub const SOCKET_GETSOCKOPT_E: u16 = 46;
    pub const SOCKET_GETSOCKOPT_X: u16 = 47;
    pub const SOCKET_SENDMSG_E: u16 = 48;
    pub const SOCKET_SENDMSG_X: u16 = 49;
    pub const SOCKET_SENDMMSG_E: u16 = 50;
    pub const SOCKET_SENDMMSG_X: u16 = 51;
    pub const SOCKET_RECVMSG_E: u16 = 52;
    pub const SOCKET_RECVMSG_X: u16 = 53;
    pub const SOCKET_RECVMMSG_E: u16 = 54;
    pub const SOCKET_RECVMMSG_X: u16 = 55;
    pub const SOCKET_ACCEPT4_E: u16 = 56;
    pub const SOCKET_ACCEPT4_X: u16 = 57;
    pub const SYSCALL_CREAT_E: u16 = 58;
    pub const SYSCALL_CREAT_X: u16 = 59;
    pub const SYSCALL_PIPE_E: u16 = 60;
    pub const SYSCALL_PIPE_X: u16 = 61;
    pub const SYSCALL_EVENTFD_E: u16 = 62;
    pub const SYSCALL_EVENTFD_X: u16 = 63;
    pub const SYSCALL_FUTEX_E: u16 = 64;
    pub const SYSCALL_FUTEX_X: u16 = 65;
    pub const SYSCALL_STAT_E: u16 = 66;
    pub const SYSCALL_STAT_X: u16 = 67;
    pub const SYSCALL_LSTAT_E: u16 = 68;
    pub const SYSCALL_LSTAT_X: u16 = 69;
    pub const SYSCALL_FSTAT_E: u16 = 70;
    pub const SYSCALL_FSTAT_X: u16 = 71;
    pub const SYSCALL_STAT64_E: u16 = 72;
    pub const SYSCALL_STAT64_X: u16 = 73;
    pub const SYSCALL_LSTAT64_E: u16 = 74;
    pub const SYSCALL_LSTAT64_X: u16 = 75;
    pub const SYSCALL_FSTAT64_E: u16 = 76;
    pub const SYSCALL_FSTAT64_X: u16 = 77;
    pub const SYSCALL_EPOLLWAIT_E: u16 = 78;
    pub const SYSCALL_EPOLLWAIT_X: u16 = 79;
    pub const SYSCALL_POLL_E: u16 = 80;
    pub const SYSCALL_POLL_X: u16 = 81;
    pub const SYSCALL_SELECT_E: u16 = 82;
    pub const SYSCALL_SELECT_X: u16 = 83;
    pub const SYSCALL_NEWSELECT_E: u16 = 84;
    pub const SYSCALL_NEWSELECT_X: u16 = 85;
    pub const SYSCALL_LSEEK_E: u16 = 86;
    pub const SYSCALL_LSEEK_X: u16 = 87;
    pub const SYSCALL_LLSEEK_E: u16 = 88;
    pub const SYSCALL_LLSEEK_X: u16 = 89;
    pub const SYSCALL_IOCTL_2_E: u16 = 90;
    pub const SYSCALL_IOCTL_2_X: u16 = 91;
    pub const SYSCALL_GETCWD_E: u16 = 92;
    pub const SYSCALL_GETCWD_X: u16 = 93;
    pub const SYSCALL_CHDIR_E: u16 = 94;
    pub const SYSCALL_CHDIR_X: u16 = 95;
    pub const SYSCALL_FCHDIR_E: u16 = 96;
    pub const SYSCALL_FCHDIR_X: u16 = 97;
    pub const SYSCALL_MKDIR_E: u16 = 98;
    pub const SYSCALL_MKDIR_X: u16 = 99;
    pub const SYSCALL_RMDIR_E: u16 = 100;
    pub const SYSCALL_RMDIR_X: u16 = 101;
    pub const SYSCALL_OPENAT_E: u16 = 102;
    pub const SYSCALL_OPENAT_X: u16 = 103;
    pub const SYSCALL_LINK_E: u16 = 104;
    pub const SYSCALL_LINK_X: u16 = 105;
    pub const SYSCALL_LINKAT_E: u16 = 106;
    pub const SYSCALL_LINKAT_X: u16 = 107;
    pub const SYSCALL_UNLINK_E: u16 = 108;
    pub const SYSCALL_UNLINK_X: u16 = 109;
    pub const SYSCALL_UNLINKAT_E: u16 = 110;
    pub const SYSCALL_UNLINKAT_X: u16 = 111;
    pub const SYSCALL_PREAD_E: u16 = 112;
    pub const SYSCALL_PREAD_X: u16 = 113;
    pub const SYSCALL_PWRITE_E: u16 = 114;
    pub const SYSCALL_PWRITE_X: u16 = 115;
    pub const SYSCALL_READV_E: u16 = 116;
    pub const SYSCALL_READV_X: u16 = 117;
    pub const SYSCALL_WRITEV_E: u16 = 118;
    pub const SYSCALL_WRITEV_X: u16 = 119;
    pub const SYSCALL_PREADV_E: u16 = 120;
    pub const SYSCALL_PREADV_X: u16 = 121;
    pub const SYSCALL_PWRITEV_E: u16 = 122;
    pub const SYSCALL_PWRITEV_X: u16 = 123;
    pub const SYSCALL_DUP_E: u16 = 124;
    pub const SYSCALL_DUP_X: u16 = 125;
    pub const SYSCALL_SIGNALFD_E: u16 = 126;
    pub const SYSCALL_SIGNALFD_X: u16 = 127;
    pub const SYSCALL_KILL_E: u16 = 128;
    pub const SYSCALL_KILL_X: u16 = 129;
    pub const SYSCALL_TKILL_E: u16 = 130;
    pub const SYSCALL_TKILL_X: u16 = 131;
    pub const SYSCALL_TGKILL_E: u16 = 132;
    pub const SYSCALL_TGKILL_X: u16 = 133;
    pub const SYSCALL_NANOSLEEP_E: u16 = 134;
    pub const SYSCALL_NANOSLEEP_X: u16 = 135;
    pub const SYSCALL_TIMERFD_CREATE_E: u16 = 136;
    pub const SYSCALL_TIMERFD_CREATE_X: u16 = 137;
    pub const SYSCALL_INOTIFY_INIT_E: u16 = 138;
    pub const SYSCALL_INOTIFY_INIT_X: u16 = 139;
    pub const SYSCALL_GETRLIMIT_E: u16 = 140;
    pub const SYSCALL_GETRLIMIT_X: u16 = 141;
    pub const SYSCALL_SETRLIMIT_E: u16 = 142;
    pub const SYSCALL_SETRLIMIT_X: u16 = 143;
    pub const SYSCALL_PRLIMIT_E: u16 = 144;
    pub const SYSCALL_PRLIMIT_X: u16 = 145;
    pub const SCHEDSWITCH_1_E: u16 = 146;
    pub const SCHEDSWITCH_1_X: u16 = 147;
    pub const DROP_E: u16 = 148;
    pub const DROP_X: u16 = 149;
    pub const SYSCALL_FCNTL_E: u16 = 150;
    pub const SYSCALL_FCNTL_X: u16 = 151;
    pub const SCHEDSWITCH_6_E: u16 = 152;
    pub const SCHEDSWITCH_6_X: u16 = 153;
    pub const SYSCALL_EXECVE_13_E: u16 = 154;
    pub const SYSCALL_EXECVE_13_X: u16 = 155;
    pub const SYSCALL_CLONE_16_E: u16 = 156;
    pub const SYSCALL_CLONE_16_X: u16 = 157;
    pub const SYSCALL_BRK_4_E: u16 = 158;
    pub const SYSCALL_BRK_4_X: u16 = 159;
    pub const SYSCALL_MMAP_E: u16 = 160;
    pub const SYSCALL_MMAP_X: u16 = 161;
    pub const SYSCALL_MMAP2_E: u16 = 162;
    pub const SYSCALL_MMAP2_X: u16 = 163;
    pub const SYSCALL_MUNMAP_E: u16 = 164;
    pub const SYSCALL_MUNMAP_X: u16 = 165;
    pub const SYSCALL_SPLICE_E: u16 = 166;
    pub const SYSCALL_SPLICE_X: u16 = 167;
    pub const SYSCALL_PTRACE_E: u16 = 168;
    pub const SYSCALL_PTRACE_X: u16 = 169;
    pub const SYSCALL_IOCTL_3_E: u16 = 170;
    pub const SYSCALL_IOCTL_3_X: u16 = 171;
    pub const SYSCALL_EXECVE_14_E: u16 = 172;
    pub const SYSCALL_EXECVE_14_X: u16 = 173;
    pub const SYSCALL_RENAME_E: u16 = 174;
    pub const SYSCALL_RENAME_X: u16 = 175;
    pub const SYSCALL_RENAMEAT_E: u16 = 176;
    pub const SYSCALL_RENAMEAT_X: u16 = 177;
    pub const SYSCALL_SYMLINK_E: u16 = 178;
    pub const SYSCALL_SYMLINK_X: u16 = 179;
    pub const SYSCALL_SYMLINKAT_E: u16 = 180;
    pub const SYSCALL_SYMLINKAT_X: u16 = 181;
    pub const SYSCALL_FORK_E: u16 = 182;
    pub const SYSCALL_FORK_X: u16 = 183;
    pub const SYSCALL_VFORK_E: u16 = 184;
    pub const SYSCALL_VFORK_X: u16 = 185;
    pub const PROCEXIT_1_E: u16 = 186;
    pub const PROCEXIT_1_X: u16 = 187;
    pub const SYSCALL_SENDFILE_E: u16 = 188;
    pub const SYSCALL_SENDFILE_X: u16 = 189;
    pub const SYSCALL_QUOTACTL_E: u16 = 190;
    pub const SYSCALL_QUOTACTL_X: u16 = 191;
    pub const SYSCALL_SETRESUID_E: u16 = 192;
    pub const SYSCALL_SETRESUID_X: u16 = 193;
    pub const SYSCALL_SETRESGID_E: u16 = 194;
    pub const SYSCALL_SETRESGID_X: u16 = 195;
    pub const SCAPEVENT_E: u16 = 196;
    pub const SCAPEVENT_X: u16 = 197;
    pub const SYSCALL_SETUID_E: u16 = 198;
    pub const SYSCALL_SETUID_X: u16 = 199;
    pub const SYSCALL_SETGID_E: u16 = 200;
    pub const SYSCALL_SETGID_X: u16 = 201;
    pub const SYSCALL_GETUID_E: u16 = 202;
    pub const SYSCALL_GETUID_X: u16 = 203;
    pub const SYSCALL_GETEUID_E: u16 = 204;
    pub const SYSCALL_GETEUID_X: u16 = 205;
    pub const SYSCALL_GETGID_E: u16 = 206;
    pub const SYSCALL_GETGID_X: u16 = 207;
    pub const SYSCALL_GETEGID_E: u16 = 208;
    pub const SYSCALL_GETEGID_X: u16 = 209;
    pub const SYSCALL_GETRESUID_E: u16 = 210;
    pub const SYSCALL_GETRESUID_X: u16 = 211;
    pub const SYSCALL_GETRESGID_E: u16 = 212;
    pub const SYSCALL_GETRESGID_X: u16 = 213;
    pub const SYSCALL_EXECVE_15_E: u16 = 214;
    pub const SYSCALL_EXECVE_15_X: u16 = 215;
    pub const SYSCALL_CLONE_17_E: u16 = 216;
    pub const SYSCALL_CLONE_17_X: u16 = 217;
    pub const SYSCALL_FORK_17_E: u16 = 218;
    pub const SYSCALL_FORK_17_X: u16 = 219;
    pub const SYSCALL_VFORK_17_E: u16 = 220;
    pub const SYSCALL_VFORK_17_X: u16 = 221;
    pub const SYSCALL_CLONE_20_E: u16 = 222;
    pub const SYSCALL_CLONE_20_X: u16 = 223;
    pub const SYSCALL_FORK_20_E: u16 = 224;
    pub const SYSCALL_FORK_20_X: u16 = 225;
    pub const SYSCALL_VFORK_20_E: u16 = 226;
    pub const SYSCALL_VFORK_20_X: u16 = 227;
    pub const CONTAINER_E: u16 = 228;
    pub const CONTAINER_X: u16 = 229;
    pub const SYSCALL_EXECVE_16_E: u16 = 230;
    pub const SYSCALL_EXECVE_16_X: u16 = 231;
    pub const SIGNALDELIVER_E: u16 = 232;
    pub const SIGNALDELIVER_X: u16 = 233;
    pub const PROCINFO_E: u16 = 234;
    pub const PROCINFO_X: u16 = 235;
    pub const SYSCALL_GETDENTS_E: u16 = 236;
    pub const SYSCALL_GETDENTS_X: u16 = 237;
    pub const SYSCALL_GETDENTS64_E: u16 = 238;
    pub const SYSCALL_GETDENTS64_X: u16 = 239;
    pub const SYSCALL_SETNS_E: u16 = 240;
    pub const SYSCALL_SETNS_X: u16 = 241;
    pub const SYSCALL_FLOCK_E: u16 = 242;
    pub const SYSCALL_FLOCK_X: u16 = 243;
    pub const CPU_HOTPLUG_E: u16 = 244;
    pub const CPU_HOTPLUG_X: u16 = 245;
    pub const SOCKET_ACCEPT_5_E: u16 = 246;
    pub const SOCKET_ACCEPT_5_X: u16 = 247;
    pub const SOCKET_ACCEPT4_5_E: u16 = 248;
    pub const SOCKET_ACCEPT4_5_X: u16 = 249;
    pub const SYSCALL_SEMOP_E: u16 = 250;
    pub const SYSCALL_SEMOP_X: u16 = 251;
    pub const SYSCALL_SEMCTL_E: u16 = 252;
    pub const SYSCALL_SEMCTL_X: u16 = 253;
    pub const SYSCALL_PPOLL_E: u16 = 254;
    pub const SYSCALL_PPOLL_X: u16 = 255;
    pub const SYSCALL_MOUNT_E: u16 = 256;
    pub const SYSCALL_MOUNT_X: u16 = 257;
    pub const SYSCALL_UMOUNT_E: u16 = 258;
    pub const SYSCALL_UMOUNT_X: u16 = 259;
    pub const K8S_E: u16 = 260;
    pub const K8S_X: u16 = 261;
    pub const SYSCALL_SEMGET_E: u16 = 262;
    pub const SYSCALL_SEMGET_X: u16 = 263;
    pub const SYSCALL_ACCESS_E: u16 = 264;
    pub const SYSCALL_ACCESS_X: u16 = 265;
    pub const SYSCALL_CHROOT_E: u16 = 266;
    pub const SYSCALL_CHROOT_X: u16 = 267;
    pub const TRACER_E: u16 = 268;
    pub const TRACER_X: u16 = 269;
    pub const MESOS_E: u16 = 270;
    pub const MESOS_X: u16 = 271;
    pub const CONTAINER_JSON_E: u16 = 272;
    pub const CONTAINER_JSON_X: u16 = 273;
    pub const SYSCALL_SETSID_E: u16 = 274;
    pub const SYSCALL_SETSID_X: u16 = 275;
    pub const SYSCALL_MKDIR_2_E: u16 = 276;
    pub const SYSCALL_MKDIR_2_X: u16 = 277;
    pub const SYSCALL_RMDIR_2_E: u16 = 278;
    pub const SYSCALL_RMDIR_2_X: u16 = 279;
    pub const NOTIFICATION_E: u16 = 280;
    pub const NOTIFICATION_X: u16 = 281;
    pub const SYSCALL_EXECVE_17_E: u16 = 282;
    pub const SYSCALL_EXECVE_17_X: u16 = 283;
    pub const SYSCALL_UNSHARE_E: u16 = 284;
    pub const SYSCALL_UNSHARE_X: u16 = 285;
    pub const INFRASTRUCTURE_EVENT_E: u16 = 286;
    pub const INFRASTRUCTURE_EVENT_X: u16 = 287;
    pub const SYSCALL_EXECVE_18_E: u16 = 288;
    pub const SYSCALL_EXECVE_18_X: u16 = 289;
    pub const PAGE_FAULT_E: u16 = 290;
    pub const PAGE_FAULT_X: u16 = 291;
    pub const SYSCALL_EXECVE_19_E: u16 = 292;
    pub const SYSCALL_EXECVE_19_X: u16 = 293;
    pub const SYSCALL_SETPGID_E: u16 = 294;
    pub const SYSCALL_SETPGID_X: u16 = 295;
    pub const SYSCALL_BPF_E: u16 = 296;
    pub const SYSCALL_BPF_X: u16 = 297;
    pub const SYSCALL_SECCOMP_E: u16 = 298;
    pub const SYSCALL_SECCOMP_X: u16 = 299;
    pub const SYSCALL_UNLINK_2_E: u16 = 300;
    pub const SYSCALL_UNLINK_2_X: u16 = 301;
    pub const SYSCALL_UNLINKAT_2_E: u16 = 302;
    pub const SYSCALL_UNLINKAT_2_X: u16 = 303;
    pub const SYSCALL_MKDIRAT_E: u16 = 304;
    pub const SYSCALL_MKDIRAT_X: u16 = 305;
    pub const SYSCALL_OPENAT_2_E: u16 = 306;
    pub const SYSCALL_OPENAT_2_X: u16 = 307;
    pub const SYSCALL_LINK_2_E: u16 = 308;
    pub const SYSCALL_LINK_2_X: u16 = 309;
    pub const SYSCALL_LINKAT_2_E: u16 = 310;
    pub const SYSCALL_LINKAT_2_X: u16 = 311;
    pub const SYSCALL_FCHMODAT_E: u16 = 312;
    pub const SYSCALL_FCHMODAT_X: u16 = 313;
    pub const SYSCALL_CHMOD_E: u16 = 314;
    pub const SYSCALL_CHMOD_X: u16 = 315;
    pub const SYSCALL_FCHMOD_E: u16 = 316;
    pub const SYSCALL_FCHMOD_X: u16 = 317;
    pub const SYSCALL_RENAMEAT2_E: u16 = 318;
    pub const SYSCALL_RENAMEAT2_X: u16 = 319;
    pub const SYSCALL_USERFAULTFD_E: u16 = 320;
    pub const SYSCALL_USERFAULTFD_X: u16 = 321;
    pub const PLUGINEVENT_E: u16 = 322;
    pub const PLUGINEVENT_X: u16 = 323;
    pub const CONTAINER_JSON_2_E: u16 = 324;
    pub const CONTAINER_JSON_2_X: u16 = 325;
    pub const SYSCALL_OPENAT2_E: u16 = 326;
    pub const SYSCALL_OPENAT2_X: u16 = 327;
    pub const SYSCALL_MPROTECT_E: u16 = 328;
    pub const SYSCALL_MPROTECT_X: u16 = 329;
    pub const SYSCALL_EXECVEAT_E: u16 = 330;
    pub const SYSCALL_EXECVEAT_X: u16 = 331;
    pub const SYSCALL_COPY_FILE_RANGE_E: u16 = 332;
    pub const SYSCALL_COPY_FILE_RANGE_X: u16 = 333;
    pub const SYSCALL_CLONE3_E: u16 = 334;
    pub const SYSCALL_CLONE3_X: u16 = 335;
    pub const SYSCALL_OPEN_BY_HANDLE_AT_E: u16 = 336;
    pub const SYSCALL_OPEN_BY_HANDLE_AT_X: u16 = 337;
    pub const SYSCALL_IO_URING_SETUP_E: u16 = 338;
    pub const SYSCALL_IO_URING_SETUP_X: u16 = 339;
    pub const SYSCALL_IO_URING_ENTER_E: u16 = 340;
    pub const SYSCALL_IO_URING_ENTER_X: u16 = 341;
    pub const SYSCALL_IO_URING_REGISTER_E: u16 = 342;
    pub const SYSCALL_IO_URING_REGISTER_X: u16 = 343;
    pub const SYSCALL_MLOCK_E: u16 = 344;
    pub const SYSCALL_MLOCK_X: u16 = 345;
    pub const SYSCALL_MUNLOCK_E: u16 = 346;
    pub const SYSCALL_MUNLOCK_X: u16 = 347;
    pub const SYSCALL_MLOCKALL_E: u16 = 348;
    pub const SYSCALL_MLOCKALL_X: u16 = 349;
    pub const SYSCALL_MUNLOCKALL_E: u16 = 350;
    pub const SYSCALL_MUNLOCKALL_X: u16 = 351;
    pub const SYSCALL_CAPSET_E: u16 = 352;
    pub const SYSCALL_CAPSET_X: u16 = 353;
    pub const USER_ADDED_E: u16 = 354;
    pub const USER_ADDED_X: u16 = 355;
    pub const USER_DELETED_E: u16 = 356;
    pub const USER_DELETED_X: u16 = 357;
    pub const GROUP_ADDED_E: u16 = 358;
    pub const GROUP_ADDED_X: u16 = 359;
    pub const GROUP_DELETED_E: u16 = 360;
    pub const GROUP_DELETED_X: u16 = 361;
    pub const SYSCALL_DUP2_E: u16 = 362;
    pub const SYSCALL_DUP2_X: u16 = 363;
    pub const SYSCALL_DUP3_E: u16 = 364;
    pub const SYSCALL_DUP3_X: u16 = 365;
    pub const SYSCALL_DUP_1_E: u16 = 366;
    pub const SYSCALL_DUP_1_X: u16 = 367;
    pub const SYSCALL_BPF_2_E: u16 = 368;
    pub const SYSCALL_BPF_2_X: u16 = 369;
    pub const SYSCALL_MLOCK2_E: u16 = 370;
    pub const SYSCALL_MLOCK2_X: u16 = 371;
    pub const SYSCALL_FSCONFIG_E: u16 = 372;
    pub const SYSCALL_FSCONFIG_X: u16 = 373;
    pub const SYSCALL_EPOLL_CREATE_E: u16 = 374;
    pub const SYSCALL_EPOLL_CREATE_X: u16 = 375;
    pub const SYSCALL_EPOLL_CREATE1_E: u16 = 376;
    pub const SYSCALL_EPOLL_CREATE1_X: u16 = 377;
    pub const SYSCALL_CHOWN_E: u16 = 378;
    pub const SYSCALL_CHOWN_X: u16 = 379;
    pub const SYSCALL_LCHOWN_E: u16 = 380;
    pub const SYSCALL_LCHOWN_X: u16 = 381;
    pub const SYSCALL_FCHOWN_E: u16 = 382;
    pub const SYSCALL_FCHOWN_X: u16 = 383;
    pub const SYSCALL_FCHOWNAT_E: u16 = 384;
    pub const SYSCALL_FCHOWNAT_X: u16 = 385;
    pub const SYSCALL_UMOUNT_1_E: u16 = 386;
    pub const SYSCALL_UMOUNT_1_X: u16 = 387;
    pub const SOCKET_ACCEPT4_6_E: u16 = 388;
    pub const SOCKET_ACCEPT4_6_X: u16 = 389;
    pub const SYSCALL_UMOUNT2_E: u16 = 390;
    pub const SYSCALL_UMOUNT2_X: u16 = 391;
    pub const SYSCALL_PIPE2_E: u16 = 392;
    pub const SYSCALL_PIPE2_X: u16 = 393;
    pub const SYSCALL_INOTIFY_INIT1_E: u16 = 394;
    pub const SYSCALL_INOTIFY_INIT1_X: u16 = 395;
    pub const SYSCALL_EVENTFD2_E: u16 = 396;
    pub const SYSCALL_EVENTFD2_X: u16 = 397;
    pub const SYSCALL_SIGNALFD4_E: u16 = 398;
    pub const SYSCALL_SIGNALFD4_X: u16 = 399;
    pub const SYSCALL_PRCTL_E: u16 = 400;
    pub const SYSCALL_PRCTL_X: u16 = 401;
    pub const ASYNCEVENT_E: u16 = 402;
    pub const ASYNCEVENT_X: u16 = 403;
    pub const SYSCALL_MEMFD_CREATE_E: u16 = 404;
    pub const SYSCALL_MEMFD_CREATE_X: u16 = 405;
    pub const SYSCALL_PIDFD_GETFD_E: u16 = 406;
    pub const SYSCALL_PIDFD_GETFD_X: u16 = 407;
    pub const SYSCALL_PIDFD_OPEN_E: u16 = 408;
    pub const SYSCALL_PIDFD_OPEN_X: u16 = 409;
    pub const SYSCALL_INIT_MODULE_E: u16 = 410;
    pub const SYSCALL_INIT_MODULE_X: u16 = 411;
    pub const SYSCALL_FINIT_MODULE_E: u16 = 412;
    pub const SYSCALL_FINIT_MODULE_X: u16 = 413;
    pub const SYSCALL_MKNOD_E: u16 = 414;
    pub const SYSCALL_MKNOD_X: u16 = 415;
    pub const SYSCALL_MKNODAT_E: u16 = 416;
    pub const SYSCALL_MKNODAT_X: u16 = 417;
    pub const SYSCALL_NEWFSTATAT_E: u16 = 418;
    pub const SYSCALL_NEWFSTATAT_X: u16 = 419;
    pub const SYSCALL_PROCESS_VM_READV_E: u16 = 420;
    pub const SYSCALL_PROCESS_VM_READV_X: u16 = 421;
    pub const SYSCALL_PROCESS_VM_WRITEV_E: u16 = 422;
    pub const SYSCALL_PROCESS_VM_WRITEV_X: u16 = 423;
    pub const SYSCALL_DELETE_MODULE_E: u16 = 424;
    pub const SYSCALL_DELETE_MODULE_X: u16 = 425;
    pub const SYSCALL_SETREUID_E: u16 = 426;
    pub const SYSCALL_SETREUID_X: u16 = 427;
    pub const SYSCALL_SETREGID_E: u16 = 428;
    pub const SYSCALL_SETREGID_X: u16 = 429;
}

/// `CODE_NAMES[code]` is the symbolic name of `code` (see [`code`]).
pub static CODE_NAMES: &[&str] = &[
    "GENERIC_E",
    "GENERIC_X",
    "SYSCALL_OPEN_E",
    "SYSCALL_OPEN_X",
    "SYSCALL_CLOSE_E",
    "SYSCALL_CLOSE_X",
    "SYSCALL_READ_E",
    "SYSCALL_READ_X",
    "SYSCALL_WRITE_E",
    "SYSCALL_WRITE_X",
    "SYSCALL_BRK_1_E",
    "SYSCALL_BRK_1_X",
    "SYSCALL_EXECVE_8_E",
    "SYSCALL_EXECVE_8_X",
    "SYSCALL_CLONE_11_E",
    "SYSCALL_CLONE_11_X",
    "PROCEXIT_E",
    "PROCEXIT_X",
    "SOCKET_SOCKET_E",
    "SOCKET_SOCKET_X",
    "SOCKET_BIND_E",
    "SOCKET_BIND_X",
    "SOCKET_CONNECT_E",
    "SOCKET_CONNECT_X",
    "SOCKET_LISTEN_E",
    "SOCKET_LISTEN_X",
    "SOCKET_ACCEPT_E",
    "SOCKET_ACCEPT_X",
    "SOCKET_SEND_E",
    "SOCKET_SEND_X",
    "SOCKET_SENDTO_E",
    "SOCKET_SENDTO_X",
    "SOCKET_RECV_E",
    "SOCKET_RECV_X",
    "SOCKET_RECVFROM_E",
    "SOCKET_RECVFROM_X",
    "SOCKET_SHUTDOWN_E",
    "SOCKET_SHUTDOWN_X",
    "SOCKET_GETSOCKNAME_E",
    "SOCKET_GETSOCKNAME_X",
    "SOCKET_GETPEERNAME_E",
    "SOCKET_GETPEERNAME_X",
    "SOCKET_SOCKETPAIR_E",
    "SOCKET_SOCKETPAIR_X",
    "SOCKET_SETSOCKOPT_E",
    "SOCKET_SETSOCKOPT_X",
    "SOCKET_GETSOCKOPT_E",
    "SOCKET_GETSOCKOPT_X",
    "SOCKET_SENDMSG_E",
    "SOCKET_SENDMSG_X",
    "SOCKET_SENDMMSG_E",
    "SOCKET_SENDMMSG_X",
    "SOCKET_RECVMSG_E",
    "SOCKET_RECVMSG_X",
    "SOCKET_RECVMMSG_E",
    "SOCKET_RECVMMSG_X",
    "SOCKET_ACCEPT4_E",
    "SOCKET_ACCEPT4_X",
    "SYSCALL_CREAT_E",
    "SYSCALL_CREAT_X",
    "SYSCALL_PIPE_E",
    "SYSCALL_PIPE_X",
    "SYSCALL_EVENTFD_E",
    "SYSCALL_EVENTFD_X",
    "SYSCALL_FUTEX_E",
    "SYSCALL_FUTEX_X",
    "SYSCALL_STAT_E",
    "SYSCALL_STAT_X",
    "SYSCALL_LSTAT_E",
    "SYSCALL_LSTAT_X",
    "SYSCALL_FSTAT_E",
    "SYSCALL_FSTAT_X",
    "SYSCALL_STAT64_E",
    "SYSCALL_STAT64_X",
    "SYSCALL_LSTAT64_E",
    "SYSCALL_LSTAT64_X",
    "SYSCALL_FSTAT64_E",
    "SYSCALL_FSTAT64_X",
    "SYSCALL_EPOLLWAIT_E",
    "SYSCALL_EPOLLWAIT_X",
    "SYSCALL_POLL_E",
    "SYSCALL_POLL_X",
    "SYSCALL_SELECT_E",
    "SYSCALL_SELECT_X",
    "SYSCALL_NEWSELECT_E",
    "SYSCALL_NEWSELECT_X",
    "SYSCALL_LSEEK_E",
    "SYSCALL_LSEEK_X",
    "SYSCALL_LLSEEK_E",
    "SYSCALL_LLSEEK_X",
    "SYSCALL_IOCTL_2_E",
    "SYSCALL_IOCTL_2_X",
    "SYSCALL_GETCWD_E",
    "SYSCALL_GETCWD_X",
    "SYSCALL_CHDIR_E",
    "SYSCALL_CHDIR_X",
    "SYSCALL_FCHDIR_E",
    "SYSCALL_FCHDIR_X",
    "SYSCALL_MKDIR_E",
    "SYSCALL_MKDIR_X",
    "SYSCALL_RMDIR_E",
    "SYSCALL_RMDIR_X",
    "SYSCALL_OPENAT_E",
    "SYSCALL_OPENAT_X",
    "SYSCALL_LINK_E",
    "SYSCALL_LINK_X",
    "SYSCALL_LINKAT_E",
    "SYSCALL_LINKAT_X",
    "SYSCALL_UNLINK_E",
    "SYSCALL_UNLINK_X",
    "SYSCALL_UNLINKAT_E",
    "SYSCALL_UNLINKAT_X",
    "SYSCALL_PREAD_E",
    "SYSCALL_PREAD_X",
    "SYSCALL_PWRITE_E",
    "SYSCALL_PWRITE_X",
    "SYSCALL_READV_E",
    "SYSCALL_READV_X",
    "SYSCALL_WRITEV_E",
    "SYSCALL_WRITEV_X",
    "SYSCALL_PREADV_E",
    "SYSCALL_PREADV_X",
    "SYSCALL_PWRITEV_E",
    "SYSCALL_PWRITEV_X",
    "SYSCALL_DUP_E",
    "SYSCALL_DUP_X",
    "SYSCALL_SIGNALFD_E",
    "SYSCALL_SIGNALFD_X",
    "SYSCALL_KILL_E",
    "SYSCALL_KILL_X",
    "SYSCALL_TKILL_E",
    "SYSCALL_TKILL_X",
    "SYSCALL_TGKILL_E",
    "SYSCALL_TGKILL_X",
    "SYSCALL_NANOSLEEP_E",
    "SYSCALL_NANOSLEEP_X",
    "SYSCALL_TIMERFD_CREATE_E",
    "SYSCALL_TIMERFD_CREATE_X",
    "SYSCALL_INOTIFY_INIT_E",
    "SYSCALL_INOTIFY_INIT_X",
    "SYSCALL_GETRLIMIT_E",
    "SYSCALL_GETRLIMIT_X",
    "SYSCALL_SETRLIMIT_E",
    "SYSCALL_SETRLIMIT_X",
    "SYSCALL_PRLIMIT_E",
    "SYSCALL_PRLIMIT_X",
    "SCHEDSWITCH_1_E",
    "SCHEDSWITCH_1_X",
    "DROP_E",
    "DROP_X",
    "SYSCALL_FCNTL_E",
    "SYSCALL_FCNTL_X",
    "SCHEDSWITCH_6_E",
    "SCHEDSWITCH_6_X",
    "SYSCALL_EXECVE_13_E",
    "SYSCALL_EXECVE_13_X",
    "SYSCALL_CLONE_16_E",
    "SYSCALL_CLONE_16_X",
    "SYSCALL_BRK_4_E",
    "SYSCALL_BRK_4_X",
    "SYSCALL_MMAP_E",
    "SYSCALL_MMAP_X",
    "SYSCALL_MMAP2_E",
    "SYSCALL_MMAP2_X",
    "SYSCALL_MUNMAP_E",
    "SYSCALL_MUNMAP_X",
    "SYSCALL_SPLICE_E",
    "SYSCALL_SPLICE_X",
    "SYSCALL_PTRACE_E",
    "SYSCALL_PTRACE_X",
    "SYSCALL_IOCTL_3_E",
    "SYSCALL_IOCTL_3_X",
    "SYSCALL_EXECVE_14_E",
    "SYSCALL_EXECVE_14_X",
    "SYSCALL_RENAME_E",
    "SYSCALL_RENAME_X",
    "SYSCALL_RENAMEAT_E",
    "SYSCALL_RENAMEAT_X",
    "SYSCALL_SYMLINK_E",
    "SYSCALL_SYMLINK_X",
    "SYSCALL_SYMLINKAT_E",
    "SYSCALL_SYMLINKAT_X",
    "SYSCALL_FORK_E",
    "SYSCALL_FORK_X",
    "SYSCALL_VFORK_E",
    "SYSCALL_VFORK_X",
    "PROCEXIT_1_E",
    "PROCEXIT_1_X",
    "SYSCALL_SENDFILE_E",
    "SYSCALL_SENDFILE_X",
    "SYSCALL_QUOTACTL_E",
    "SYSCALL_QUOTACTL_X",
    "SYSCALL_SETRESUID_E",
    "SYSCALL_SETRESUID_X",
    "SYSCALL_SETRESGID_E",
    "SYSCALL_SETRESGID_X",
    "SCAPEVENT_E",
    "SCAPEVENT_X",
    "SYSCALL_SETUID_E",
    "SYSCALL_SETUID_X",
    "SYSCALL_SETGID_E",
    "SYSCALL_SETGID_X",
    "SYSCALL_GETUID_E",
    "SYSCALL_GETUID_X",
    "SYSCALL_GETEUID_E",
    "SYSCALL_GETEUID_X",
    "SYSCALL_GETGID_E",
    "SYSCALL_GETGID_X",
    "SYSCALL_GETEGID_E",
    "SYSCALL_GETEGID_X",
    "SYSCALL_GETRESUID_E",
    "SYSCALL_GETRESUID_X",
    "SYSCALL_GETRESGID_E",
    "SYSCALL_GETRESGID_X",
    "SYSCALL_EXECVE_15_E",
    "SYSCALL_EXECVE_15_X",
    "SYSCALL_CLONE_17_E",
    "SYSCALL_CLONE_17_X",
    "SYSCALL_FORK_17_E",
    "SYSCALL_FORK_17_X",
    "SYSCALL_VFORK_17_E",
    "SYSCALL_VFORK_17_X",
    "SYSCALL_CLONE_20_E",
    "SYSCALL_CLONE_20_X",
    "SYSCALL_FORK_20_E",
    "SYSCALL_FORK_20_X",
    "SYSCALL_VFORK_20_E",
    "SYSCALL_VFORK_20_X",
    "CONTAINER_E",
    "CONTAINER_X",
    "SYSCALL_EXECVE_16_E",
    "SYSCALL_EXECVE_16_X",
    "SIGNALDELIVER_E",
    "SIGNALDELIVER_X",
    "PROCINFO_E",
    "PROCINFO_X",
    "SYSCALL_GETDENTS_E",
    "SYSCALL_GETDENTS_X",
    "SYSCALL_GETDENTS64_E",
    "SYSCALL_GETDENTS64_X",
    "SYSCALL_SETNS_E",
    "SYSCALL_SETNS_X",
    "SYSCALL_FLOCK_E",
    "SYSCALL_FLOCK_X",
    "CPU_HOTPLUG_E",
    "CPU_HOTPLUG_X",
    "SOCKET_ACCEPT_5_E",
    "SOCKET_ACCEPT_5_X",
    "SOCKET_ACCEPT4_5_E",
    "SOCKET_ACCEPT4_5_X",
    "SYSCALL_SEMOP_E",
    "SYSCALL_SEMOP_X",
    "SYSCALL_SEMCTL_E",
    "SYSCALL_SEMCTL_X",
    "SYSCALL_PPOLL_E",
    "SYSCALL_PPOLL_X",
    "SYSCALL_MOUNT_E",
    "SYSCALL_MOUNT_X",
    "SYSCALL_UMOUNT_E",
    "SYSCALL_UMOUNT_X",
    "K8S_E",
    "K8S_X",
    "SYSCALL_SEMGET_E",
    "SYSCALL_SEMGET_X",
    "SYSCALL_ACCESS_E",
    "SYSCALL_ACCESS_X",
    "SYSCALL_CHROOT_E",
    "SYSCALL_CHROOT_X",
    "TRACER_E",
    "TRACER_X",
    "MESOS_E",
    "MESOS_X",
    "CONTAINER_JSON_E",
    "CONTAINER_JSON_X",
    "SYSCALL_SETSID_E",
    "SYSCALL_SETSID_X",
    "SYSCALL_MKDIR_2_E",
    "SYSCALL_MKDIR_2_X",
    "SYSCALL_RMDIR_2_E",
    "SYSCALL_RMDIR_2_X",
    "NOTIFICATION_E",
    "NOTIFICATION_X",
    "SYSCALL_EXECVE_17_E",
    "SYSCALL_EXECVE_17_X",
    "SYSCALL_UNSHARE_E",
    "SYSCALL_UNSHARE_X",
    "INFRASTRUCTURE_EVENT_E",
    "INFRASTRUCTURE_EVENT_X",
    "SYSCALL_EXECVE_18_E",
    "SYSCALL_EXECVE_18_X",
    "PAGE_FAULT_E",
    "PAGE_FAULT_X",
    "SYSCALL_EXECVE_19_E",
    "SYSCALL_EXECVE_19_X",
    "SYSCALL_SETPGID_E",
    "SYSCALL_SETPGID_X",
    "SYSCALL_BPF_E",
    "SYSCALL_BPF_X",
    "SYSCALL_SECCOMP_E",
    "SYSCALL_SECCOMP_X",
    "SYSCALL_UNLINK_2_E",
    "SYSCALL_UNLINK_2_X",
    "SYSCALL_UNLINKAT_2_E",
    "SYSCALL_UNLINKAT_2_X",
    "SYSCALL_MKDIRAT_E",
    "SYSCALL_MKDIRAT_X",
    "SYSCALL_OPENAT_2_E",
    "SYSCALL_OPENAT_2_X",
    "SYSCALL_LINK_2_E",
    "SYSCALL_LINK_2_X",
    "SYSCALL_LINKAT_2_E",
    "SYSCALL_LINKAT_2_X",
    "SYSCALL_FCHMODAT_E",
    "SYSCALL_FCHMODAT_X",
    "SYSCALL_CHMOD_E",
    "SYSCALL_CHMOD_X",
    "SYSCALL_FCHMOD_E",
    "SYSCALL_FCHMOD_X",
    "SYSCALL_RENAMEAT2_E",
    "SYSCALL_RENAMEAT2_X",
    "SYSCALL_USERFAULTFD_E",
    "SYSCALL_USERFAULTFD_X",
    "PLUGINEVENT_E",
    "PLUGINEVENT_X",
    "CONTAINER_JSON_2_E",
    "CONTAINER_JSON_2_X",
    "SYSCALL_OPENAT2_E",
    "SYSCALL_OPENAT2_X",
    "SYSCALL_MPROTECT_E",
    "SYSCALL_MPROTECT_X",
    "SYSCALL_EXECVEAT_E",
    "SYSCALL_EXECVEAT_X",
    "SYSCALL_COPY_FILE_RANGE_E",
    "SYSCALL_COPY_FILE_RANGE_X",
    "SYSCALL_CLONE3_E",
    "SYSCALL_CLONE3_X",
    "SYSCALL_OPEN_BY_HANDLE_AT_E",
    "SYSCALL_OPEN_BY_HANDLE_AT_X",
    "SYSCALL_IO_URING_SETUP_E",
    "SYSCALL_IO_URING_SETUP_X",
    "SYSCALL_IO_URING_ENTER_E",
    "SYSCALL_IO_URING_ENTER_X",
    "SYSCALL_IO_URING_REGISTER_E",
    "SYSCALL_IO_URING_REGISTER_X",
    "SYSCALL_MLOCK_E",
    "SYSCALL_MLOCK_X",
    "SYSCALL_MUNLOCK_E",
    "SYSCALL_MUNLOCK_X",
    "SYSCALL_MLOCKALL_E",
    "SYSCALL_MLOCKALL_X",
    "SYSCALL_MUNLOCKALL_E",
    "SYSCALL_MUNLOCKALL_X",
    "SYSCALL_CAPSET_E",
    "SYSCALL_CAPSET_X",
    "USER_ADDED_E",
    "USER_ADDED_X",
    "USER_DELETED_E",
    "USER_DELETED_X",
    "GROUP_ADDED_E",
    "GROUP_ADDED_X",
    "GROUP_DELETED_E",
    "GROUP_DELETED_X",
    "SYSCALL_DUP2_E",
    "SYSCALL_DUP2_X",
    "SYSCALL_DUP3_E",
    "SYSCALL_DUP3_X",
    "SYSCALL_DUP_1_E",
    "SYSCALL_DUP_1_X",
    "SYSCALL_BPF_2_E",
    "SYSCALL_BPF_2_X",
    "SYSCALL_MLOCK2_E",
    "SYSCALL_MLOCK2_X",
    "SYSCALL_FSCONFIG_E",
    "SYSCALL_FSCONFIG_X",
    "SYSCALL_EPOLL_CREATE_E",
    "SYSCALL_EPOLL_CREATE_X",
    "SYSCALL_EPOLL_CREATE1_E",
    "SYSCALL_EPOLL_CREATE1_X",
    "SYSCALL_CHOWN_E",
    "SYSCALL_CHOWN_X",
    "SYSCALL_LCHOWN_E",
    "SYSCALL_LCHOWN_X",
    "SYSCALL_FCHOWN_E",
    "SYSCALL_FCHOWN_X",
    "SYSCALL_FCHOWNAT_E",
    "SYSCALL_FCHOWNAT_X",
    "SYSCALL_UMOUNT_1_E",
    "SYSCALL_UMOUNT_1_X",
    "SOCKET_ACCEPT4_6_E",
    "SOCKET_ACCEPT4_6_X",
    "SYSCALL_UMOUNT2_E",
    "SYSCALL_UMOUNT2_X",
    "SYSCALL_PIPE2_E",
    "SYSCALL_PIPE2_X",
    "SYSCALL_INOTIFY_INIT1_E",
    "SYSCALL_INOTIFY_INIT1_X",
    "SYSCALL_EVENTFD2_E",
    "SYSCALL_EVENTFD2_X",
    "SYSCALL_SIGNALFD4_E",
    "SYSCALL_SIGNALFD4_X",
    "SYSCALL_PRCTL_E",
    "SYSCALL_PRCTL_X",
    "ASYNCEVENT_E",
    "ASYNCEVENT_X",
    "SYSCALL_MEMFD_CREATE_E",
    "SYSCALL_MEMFD_CREATE_X",
    "SYSCALL_PIDFD_GETFD_E",
    "SYSCALL_PIDFD_GETFD_X",
    "SYSCALL_PIDFD_OPEN_E",
    "SYSCALL_PIDFD_OPEN_X",
    "SYSCALL_INIT_MODULE_E",
    "SYSCALL_INIT_MODULE_X",
    "SYSCALL_FINIT_MODULE_E",
    "SYSCALL_FINIT_MODULE_X",
    "SYSCALL_MKNOD_E",
    "SYSCALL_MKNOD_X",
    "SYSCALL_MKNODAT_E",
    "SYSCALL_MKNODAT_X",
    "SYSCALL_NEWFSTATAT_E",
    "SYSCALL_NEWFSTATAT_X",
    "SYSCALL_PROCESS_VM_READV_E",
    "SYSCALL_PROCESS_VM_READV_X",
    "SYSCALL_PROCESS_VM_WRITEV_E",
    "SYSCALL_PROCESS_VM_WRITEV_X",
    "SYSCALL_DELETE_MODULE_E",
    "SYSCALL_DELETE_MODULE_X",
    "SYSCALL_SETREUID_E",
    "SYSCALL_SETREUID_X",
    "SYSCALL_SETREGID_E",
    "SYSCALL_SETREGID_X",
];

macro_rules! ev {
    ($name:literal, $($cat:ident)|+; $($flag:ident)|+;
     [$(($pn:literal, $pt:ident, $pf:ident)),* $(,)?]) => {
        EventInfo {
            name: $name,
            category: Category(0 $(| Category::$cat.0)+),
            flags: EventFlags(0 $(| EventFlags::$flag.0)+),
            params: &[$(ParamInfo { name: $pn, ptype: ParamType::$pt, fmt: PrintFormat::$pf }),*],
        }
    };
}

/// The event table, indexed by event code.
pub static EVENT_TABLE: &[EventInfo] = &[
    /*   0 GENERIC_E */
    ev!("syscall", OTHER | SYSCALL; NONE; [("ID", SyscallId, Dec), ("nativeID", Uint16, Dec)]),
    /*   1 GENERIC_X */
    ev!("syscall", OTHER | SYSCALL; NONE; [("ID", SyscallId, Dec)]),
    /*   2 SYSCALL_OPEN_E */
    ev!("open", FILE | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("name", FsPath, Na), ("flags", Flags32, Hex), ("mode", Uint32, Oct),
    ]),
    /*   3 SYSCALL_OPEN_X */
    ev!("open", FILE | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("name", FsPath, Na), ("flags", Flags32, Hex), ("mode", Uint32, Oct),
        ("dev", Uint32, Hex), ("ino", Uint64, Dec),
    ]),
    /*   4 SYSCALL_CLOSE_E */
    ev!("close", IO_OTHER | SYSCALL; DESTROYS_FD | USES_FD | MODIFIES_STATE; [("fd", Fd, Dec)]),
    /*   5 SYSCALL_CLOSE_X */
    ev!("close", IO_OTHER | SYSCALL; DESTROYS_FD | USES_FD | MODIFIES_STATE; [("res", Errno, Dec)]),
    /*   6 SYSCALL_READ_E */
    ev!("read", IO_READ | SYSCALL; USES_FD | READS_FROM_FD; [
        ("fd", Fd, Dec), ("size", Uint32, Dec),
    ]),
    /*   7 SYSCALL_READ_X */
    ev!("read", IO_READ | SYSCALL; USES_FD | READS_FROM_FD; [
        ("res", Errno, Dec), ("data", ByteBuf, Na),
    ]),
    /*   8 SYSCALL_WRITE_E */
    ev!("write", IO_WRITE | SYSCALL; USES_FD | WRITES_TO_FD; [
        ("fd", Fd, Dec), ("size", Uint32, Dec),
    ]),
    /*   9 SYSCALL_WRITE_X */
    ev!("write", IO_WRITE | SYSCALL; USES_FD | WRITES_TO_FD; [
        ("res", Errno, Dec), ("data", ByteBuf, Na),
    ]),
    /*  10 SYSCALL_BRK_1_E */
    ev!("brk", MEMORY | SYSCALL; OLD_VERSION; [("size", Uint32, Dec)]),
    /*  11 SYSCALL_BRK_1_X */
    ev!("brk", MEMORY | SYSCALL; OLD_VERSION; [("res", Uint64, Hex)]),
    /*  12 SYSCALL_EXECVE_8_E */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; []),
    /*  13 SYSCALL_EXECVE_8_X */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; [
        ("res", Errno, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Uint64, Dec),
    ]),
    /*  14 SYSCALL_CLONE_11_E */
    ev!("clone", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; []),
    /*  15 SYSCALL_CLONE_11_X */
    ev!("clone", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; [
        ("res", Pid, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Int64, Dec),
        ("flags", Flags32, Hex), ("uid", Uint32, Dec), ("gid", Uint32, Dec),
    ]),
    /*  16 PROCEXIT_E */
    ev!("procexit", PROCESS | TRACEPOINT; MODIFIES_STATE | OLD_VERSION; []),
    /*  17 PROCEXIT_X */
    ev!("NA", UNKNOWN; UNUSED | OLD_VERSION; []),
    /*  18 SOCKET_SOCKET_E */
    ev!("socket", NET | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("domain", EnumFlags32, Dec), ("type", Uint32, Dec), ("proto", Uint32, Dec),
    ]),
    /*  19 SOCKET_SOCKET_X */
    ev!("socket", NET | SYSCALL; CREATES_FD | MODIFIES_STATE; [("fd", Fd, Dec)]),
    /*  20 SOCKET_BIND_E */
    ev!("bind", NET | SYSCALL; USES_FD | MODIFIES_STATE; [("fd", Fd, Dec)]),
    /*  21 SOCKET_BIND_X */
    ev!("bind", NET | SYSCALL; USES_FD | MODIFIES_STATE; [
        ("res", Errno, Dec), ("addr", SockAddr, Na),
    ]),
    /*  22 SOCKET_CONNECT_E */
    ev!("connect", NET | SYSCALL; USES_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("addr", SockAddr, Na),
    ]),
    /*  23 SOCKET_CONNECT_X */
    ev!("connect", NET | SYSCALL; USES_FD | MODIFIES_STATE; [
        ("res", Errno, Dec), ("tuple", SockTuple, Na), ("fd", Fd, Dec),
    ]),
    /*  24 SOCKET_LISTEN_E */
    ev!("listen", NET | SYSCALL; USES_FD; [("fd", Fd, Dec), ("backlog", Int32, Dec)]),
    /*  25 SOCKET_LISTEN_X */
    ev!("listen", NET | SYSCALL; USES_FD; [("res", Errno, Dec)]),
    /*  26 SOCKET_ACCEPT_E */
    ev!("accept", NET | SYSCALL; CREATES_FD | MODIFIES_STATE | OLD_VERSION; []),
    /*  27 SOCKET_ACCEPT_X */
    ev!("accept", NET | SYSCALL; CREATES_FD | MODIFIES_STATE | OLD_VERSION; [
        ("fd", Fd, Dec), ("tuple", SockTuple, Na), ("queuepct", Uint8, Dec),
    ]),
    /*  28 SOCKET_SEND_E */
    ev!("send", IO_WRITE | SYSCALL; USES_FD | WRITES_TO_FD; [
        ("fd", Fd, Dec), ("size", Uint32, Dec),
    ]),
    /*  29 SOCKET_SEND_X */
    ev!("send", IO_WRITE | SYSCALL; USES_FD | WRITES_TO_FD; [
        ("res", Errno, Dec), ("data", ByteBuf, Na),
    ]),
    /*  30 SOCKET_SENDTO_E */
    ev!("sendto", IO_WRITE | SYSCALL; USES_FD | WRITES_TO_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("size", Uint32, Dec), ("tuple", SockTuple, Na),
    ]),
    /*  31 SOCKET_SENDTO_X */
    ev!("sendto", IO_WRITE | SYSCALL; USES_FD | WRITES_TO_FD | MODIFIES_STATE; [
        ("res", Errno, Dec), ("data", ByteBuf, Na),
    ]),
    /*  32 SOCKET_RECV_E */
    ev!("recv", IO_READ | SYSCALL; USES_FD | READS_FROM_FD; [
        ("fd", Fd, Dec), ("size", Uint32, Dec),
    ]),
    /*  33 SOCKET_RECV_X */
    ev!("recv", IO_READ | SYSCALL; USES_FD | READS_FROM_FD; [
        ("res", Errno, Dec), ("data", ByteBuf, Na),
    ]),
    /*  34 SOCKET_RECVFROM_E */
    ev!("recvfrom", IO_READ | SYSCALL; USES_FD | READS_FROM_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("size", Uint32, Dec),
    ]),
    /*  35 SOCKET_RECVFROM_X */
    ev!("recvfrom", IO_READ | SYSCALL; USES_FD | READS_FROM_FD | MODIFIES_STATE; [
        ("res", Errno, Dec), ("data", ByteBuf, Na), ("tuple", SockTuple, Na),
    ]),
    /*  36 SOCKET_SHUTDOWN_E */
    ev!("shutdown", NET | SYSCALL; USES_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("how", EnumFlags8, Hex),
    ]),
    /*  37 SOCKET_SHUTDOWN_X */
    ev!("shutdown", NET | SYSCALL; USES_FD | MODIFIES_STATE; [("res", Errno, Dec)]),
    /*  38 SOCKET_GETSOCKNAME_E */
    ev!("getsockname", NET | SYSCALL; NONE; []),
    /*  39 SOCKET_GETSOCKNAME_X */
    ev!("getsockname", NET | SYSCALL; NONE; []),
    /*  40 SOCKET_GETPEERNAME_E */
    ev!("getpeername", NET | SYSCALL; NONE; []),
    /*  41 SOCKET_GETPEERNAME_X */
    ev!("getpeername", NET | SYSCALL; NONE; []),
    /*  42 SOCKET_SOCKETPAIR_E */
    ev!("socketpair", IPC | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("domain", EnumFlags32, Dec), ("type", Uint32, Dec), ("proto", Uint32, Dec),
    ]),
    /*  43 SOCKET_SOCKETPAIR_X */
    ev!("socketpair", IPC | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("res", Errno, Dec), ("fd1", Fd, Dec), ("fd2", Fd, Dec), ("source", Uint64, Hex),
        ("peer", Uint64, Hex),
    ]),
    /*  44 SOCKET_SETSOCKOPT_E */
    ev!("setsockopt", NET | SYSCALL; NONE; []),
    /*  45 SOCKET_SETSOCKOPT_X */
    ev!("setsockopt", NET | SYSCALL; USES_FD; [
        ("res", Errno, Dec), ("fd", Fd, Dec), ("level", EnumFlags8, Dec),
        ("optname", EnumFlags8, Dec), ("val", Dyn, Dec), ("optlen", Uint32, Dec),
    ]),
    /*  46 SOCKET_GETSOCKOPT_E */
    ev!("getsockopt", NET | SYSCALL; MODIFIES_STATE; []),
    /*  47 SOCKET_GETSOCKOPT_X */
    ev!("getsockopt", NET | SYSCALL; USES_FD | MODIFIES_STATE; [
        ("res", Errno, Dec), ("fd", Fd, Dec), ("level", EnumFlags8, Dec),
        ("optname", EnumFlags8, Dec), ("val", Dyn, Dec), ("optlen", Uint32, Dec),
    ]),
    /*  48 SOCKET_SENDMSG_E */
    ev!("sendmsg", IO_WRITE | SYSCALL; USES_FD | WRITES_TO_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("size", Uint32, Dec), ("tuple", SockTuple, Na),
    ]),
    /*  49 SOCKET_SENDMSG_X */
    ev!("sendmsg", IO_WRITE | SYSCALL; USES_FD | WRITES_TO_FD | MODIFIES_STATE; [
        ("res", Errno, Dec), ("data", ByteBuf, Na),
    ]),
    /*  50 SOCKET_SENDMMSG_E */
    ev!("sendmmsg", IO_WRITE | SYSCALL; NONE; []),
    /*  51 SOCKET_SENDMMSG_X */
    ev!("sendmmsg", IO_WRITE | SYSCALL; NONE; []),
    /*  52 SOCKET_RECVMSG_E */
    ev!("recvmsg", IO_READ | SYSCALL; USES_FD | READS_FROM_FD | MODIFIES_STATE; [("fd", Fd, Dec)]),
    /*  53 SOCKET_RECVMSG_X */
    ev!("recvmsg", IO_READ | SYSCALL; USES_FD | READS_FROM_FD | MODIFIES_STATE; [
        ("res", Errno, Dec), ("size", Uint32, Dec), ("data", ByteBuf, Na), ("tuple", SockTuple, Na),
        ("msgcontrol", ByteBuf, Na),
    ]),
    /*  54 SOCKET_RECVMMSG_E */
    ev!("recvmmsg", IO_READ | SYSCALL; NONE; []),
    /*  55 SOCKET_RECVMMSG_X */
    ev!("recvmmsg", IO_READ | SYSCALL; NONE; []),
    /*  56 SOCKET_ACCEPT4_E */
    ev!("accept", NET | SYSCALL; CREATES_FD | MODIFIES_STATE | OLD_VERSION; [
        ("flags", Int32, Hex),
    ]),
    /*  57 SOCKET_ACCEPT4_X */
    ev!("accept", NET | SYSCALL; CREATES_FD | MODIFIES_STATE | OLD_VERSION; [
        ("fd", Fd, Dec), ("tuple", SockTuple, Na), ("queuepct", Uint8, Dec),
    ]),
    /*  58 SYSCALL_CREAT_E */
    ev!("creat", FILE | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("name", FsPath, Na), ("mode", Uint32, Oct),
    ]),
    /*  59 SYSCALL_CREAT_X */
    ev!("creat", FILE | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("name", FsPath, Na), ("mode", Uint32, Oct), ("dev", Uint32, Hex),
        ("ino", Uint64, Dec),
    ]),
    /*  60 SYSCALL_PIPE_E */
    ev!("pipe", IPC | SYSCALL; CREATES_FD | MODIFIES_STATE; []),
    /*  61 SYSCALL_PIPE_X */
    ev!("pipe", IPC | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("res", Errno, Dec), ("fd1", Fd, Dec), ("fd2", Fd, Dec), ("ino", Uint64, Dec),
    ]),
    /*  62 SYSCALL_EVENTFD_E */
    ev!("eventfd", IPC | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("initval", Uint64, Dec), ("flags", Uint32, Hex),
    ]),
    /*  63 SYSCALL_EVENTFD_X */
    ev!("eventfd", IPC | SYSCALL; CREATES_FD | MODIFIES_STATE; [("res", Fd, Dec)]),
    /*  64 SYSCALL_FUTEX_E */
    ev!("futex", IPC | SYSCALL; NONE; [
        ("addr", Uint64, Hex), ("op", EnumFlags16, Hex), ("val", Uint64, Dec),
    ]),
    /*  65 SYSCALL_FUTEX_X */
    ev!("futex", IPC | SYSCALL; NONE; [("res", Errno, Dec)]),
    /*  66 SYSCALL_STAT_E */
    ev!("stat", FILE | SYSCALL; NONE; []),
    /*  67 SYSCALL_STAT_X */
    ev!("stat", FILE | SYSCALL; NONE; [("res", Errno, Dec), ("path", FsPath, Na)]),
    /*  68 SYSCALL_LSTAT_E */
    ev!("lstat", FILE | SYSCALL; NONE; []),
    /*  69 SYSCALL_LSTAT_X */
    ev!("lstat", FILE | SYSCALL; NONE; [("res", Errno, Dec), ("path", FsPath, Na)]),
    /*  70 SYSCALL_FSTAT_E */
    ev!("fstat", FILE | SYSCALL; USES_FD; [("fd", Fd, Na)]),
    /*  71 SYSCALL_FSTAT_X */
    ev!("fstat", FILE | SYSCALL; USES_FD; [("res", Errno, Dec)]),
    /*  72 SYSCALL_STAT64_E */
    ev!("stat64", FILE | SYSCALL; NONE; []),
    /*  73 SYSCALL_STAT64_X */
    ev!("stat64", FILE | SYSCALL; NONE; [("res", Errno, Dec), ("path", FsPath, Na)]),
    /*  74 SYSCALL_LSTAT64_E */
    ev!("lstat64", FILE | SYSCALL; NONE; []),
    /*  75 SYSCALL_LSTAT64_X */
    ev!("lstat64", FILE | SYSCALL; NONE; [("res", Errno, Dec), ("path", FsPath, Na)]),
    /*  76 SYSCALL_FSTAT64_E */
    ev!("fstat64", FILE | SYSCALL; USES_FD; [("fd", Fd, Na)]),
    /*  77 SYSCALL_FSTAT64_X */
    ev!("fstat64", FILE | SYSCALL; USES_FD; [("res", Errno, Dec)]),
    /*  78 SYSCALL_EPOLLWAIT_E */
    ev!("epoll_wait", WAIT | SYSCALL; WAITS; [("maxevents", Errno, Dec)]),
    /*  79 SYSCALL_EPOLLWAIT_X */
    ev!("epoll_wait", WAIT | SYSCALL; WAITS; [("res", Errno, Dec)]),
    /*  80 SYSCALL_POLL_E */
    ev!("poll", WAIT | SYSCALL; WAITS; [("fds", FdList, Dec), ("timeout", Int64, Dec)]),
    /*  81 SYSCALL_POLL_X */
    ev!("poll", WAIT | SYSCALL; WAITS; [("res", Errno, Dec), ("fds", FdList, Dec)]),
    /*  82 SYSCALL_SELECT_E */
    ev!("select", WAIT | SYSCALL; WAITS; []),
    /*  83 SYSCALL_SELECT_X */
    ev!("select", WAIT | SYSCALL; WAITS; [("res", Errno, Dec)]),
    /*  84 SYSCALL_NEWSELECT_E */
    ev!("select", WAIT | SYSCALL; WAITS | OLD_VERSION; []),
    /*  85 SYSCALL_NEWSELECT_X */
    ev!("select", WAIT | SYSCALL; WAITS | OLD_VERSION; [("res", Errno, Dec)]),
    /*  86 SYSCALL_LSEEK_E */
    ev!("lseek", FILE | SYSCALL; USES_FD; [
        ("fd", Fd, Dec), ("offset", Uint64, Dec), ("whence", EnumFlags8, Dec),
    ]),
    /*  87 SYSCALL_LSEEK_X */
    ev!("lseek", FILE | SYSCALL; USES_FD; [("res", Errno, Dec)]),
    /*  88 SYSCALL_LLSEEK_E */
    ev!("llseek", FILE | SYSCALL; USES_FD; [
        ("fd", Fd, Dec), ("offset", Uint64, Dec), ("whence", EnumFlags8, Dec),
    ]),
    /*  89 SYSCALL_LLSEEK_X */
    ev!("llseek", FILE | SYSCALL; USES_FD; [("res", Errno, Dec)]),
    /*  90 SYSCALL_IOCTL_2_E */
    ev!("ioctl", IO_OTHER | SYSCALL; USES_FD | OLD_VERSION; [
        ("fd", Fd, Dec), ("request", Uint64, Hex),
    ]),
    /*  91 SYSCALL_IOCTL_2_X */
    ev!("ioctl", IO_OTHER | SYSCALL; USES_FD | OLD_VERSION; [("res", Errno, Dec)]),
    /*  92 SYSCALL_GETCWD_E */
    ev!("getcwd", FILE | SYSCALL; NONE; []),
    /*  93 SYSCALL_GETCWD_X */
    ev!("getcwd", FILE | SYSCALL; NONE; [("res", Errno, Dec), ("path", CharBuf, Na)]),
    /*  94 SYSCALL_CHDIR_E */
    ev!("chdir", FILE | SYSCALL; MODIFIES_STATE; []),
    /*  95 SYSCALL_CHDIR_X */
    ev!("chdir", FILE | SYSCALL; MODIFIES_STATE; [("res", Errno, Dec), ("path", CharBuf, Na)]),
    /*  96 SYSCALL_FCHDIR_E */
    ev!("fchdir", FILE | SYSCALL; USES_FD | MODIFIES_STATE; [("fd", Fd, Na)]),
    /*  97 SYSCALL_FCHDIR_X */
    ev!("fchdir", FILE | SYSCALL; USES_FD | MODIFIES_STATE; [("res", Errno, Dec)]),
    /*  98 SYSCALL_MKDIR_E */
    ev!("mkdir", FILE | SYSCALL; OLD_VERSION; [("path", FsPath, Na), ("mode", Uint32, Hex)]),
    /*  99 SYSCALL_MKDIR_X */
    ev!("mkdir", FILE | SYSCALL; OLD_VERSION; [("res", Errno, Dec)]),
    /* 100 SYSCALL_RMDIR_E */
    ev!("rmdir", FILE | SYSCALL; OLD_VERSION; [("path", FsPath, Na)]),
    /* 101 SYSCALL_RMDIR_X */
    ev!("rmdir", FILE | SYSCALL; OLD_VERSION; [("res", Errno, Dec)]),
    /* 102 SYSCALL_OPENAT_E */
    ev!("openat", FILE | SYSCALL; CREATES_FD | MODIFIES_STATE | OLD_VERSION; [
        ("dirfd", Fd, Dec), ("name", CharBuf, Na), ("flags", Flags32, Hex), ("mode", Uint32, Oct),
    ]),
    /* 103 SYSCALL_OPENAT_X */
    ev!("openat", FILE | SYSCALL; CREATES_FD | MODIFIES_STATE | OLD_VERSION; [("fd", Fd, Dec)]),
    /* 104 SYSCALL_LINK_E */
    ev!("link", FILE | SYSCALL; OLD_VERSION; [("oldpath", FsPath, Na), ("newpath", FsPath, Na)]),
    /* 105 SYSCALL_LINK_X */
    ev!("link", FILE | SYSCALL; OLD_VERSION; [("res", Errno, Dec)]),
    /* 106 SYSCALL_LINKAT_E */
    ev!("linkat", FILE | SYSCALL; OLD_VERSION; [
        ("olddir", Fd, Dec), ("oldpath", CharBuf, Na), ("newdir", Fd, Dec),
        ("newpath", CharBuf, Na),
    ]),
    /* 107 SYSCALL_LINKAT_X */
    ev!("linkat", FILE | SYSCALL; OLD_VERSION; [("res", Errno, Dec)]),
    /* 108 SYSCALL_UNLINK_E */
    ev!("unlink", FILE | SYSCALL; OLD_VERSION; [("path", FsPath, Na)]),
    /* 109 SYSCALL_UNLINK_X */
    ev!("unlink", FILE | SYSCALL; OLD_VERSION; [("res", Errno, Dec)]),
    /* 110 SYSCALL_UNLINKAT_E */
    ev!("unlinkat", FILE | SYSCALL; OLD_VERSION; [("dirfd", Fd, Dec), ("name", CharBuf, Na)]),
    /* 111 SYSCALL_UNLINKAT_X */
    ev!("unlinkat", FILE | SYSCALL; OLD_VERSION; [("res", Errno, Dec)]),
    /* 112 SYSCALL_PREAD_E */
    ev!("pread", IO_READ | SYSCALL; USES_FD | READS_FROM_FD; [
        ("fd", Fd, Dec), ("size", Uint32, Dec), ("pos", Uint64, Dec),
    ]),
    /* 113 SYSCALL_PREAD_X */
    ev!("pread", IO_READ | SYSCALL; USES_FD | READS_FROM_FD; [
        ("res", Errno, Dec), ("data", ByteBuf, Na),
    ]),
    /* 114 SYSCALL_PWRITE_E */
    ev!("pwrite", IO_WRITE | SYSCALL; USES_FD | WRITES_TO_FD; [
        ("fd", Fd, Dec), ("size", Uint32, Dec), ("pos", Uint64, Dec),
    ]),
    /* 115 SYSCALL_PWRITE_X */
    ev!("pwrite", IO_WRITE | SYSCALL; USES_FD | WRITES_TO_FD; [
        ("res", Errno, Dec), ("data", ByteBuf, Na),
    ]),
    /* 116 SYSCALL_READV_E */
    ev!("readv", IO_READ | SYSCALL; USES_FD | READS_FROM_FD; [("fd", Fd, Dec)]),
    /* 117 SYSCALL_READV_X */
    ev!("readv", IO_READ | SYSCALL; USES_FD | READS_FROM_FD; [
        ("res", Errno, Dec), ("size", Uint32, Dec), ("data", ByteBuf, Na),
    ]),
    /* 118 SYSCALL_WRITEV_E */
    ev!("writev", IO_WRITE | SYSCALL; USES_FD | WRITES_TO_FD; [
        ("fd", Fd, Dec), ("size", Uint32, Dec),
    ]),
    /* 119 SYSCALL_WRITEV_X */
    ev!("writev", IO_WRITE | SYSCALL; USES_FD | WRITES_TO_FD; [
        ("res", Errno, Dec), ("data", ByteBuf, Na),
    ]),
    /* 120 SYSCALL_PREADV_E */
    ev!("preadv", IO_READ | SYSCALL; USES_FD | READS_FROM_FD; [
        ("fd", Fd, Dec), ("pos", Uint64, Dec),
    ]),
    /* 121 SYSCALL_PREADV_X */
    ev!("preadv", IO_READ | SYSCALL; USES_FD | READS_FROM_FD; [
        ("res", Errno, Dec), ("size", Uint32, Dec), ("data", ByteBuf, Na),
    ]),
    /* 122 SYSCALL_PWRITEV_E */
    ev!("pwritev", IO_WRITE | SYSCALL; USES_FD | WRITES_TO_FD; [
        ("fd", Fd, Dec), ("size", Uint32, Dec), ("pos", Uint64, Dec),
    ]),
    /* 123 SYSCALL_PWRITEV_X */
    ev!("pwritev", IO_WRITE | SYSCALL; USES_FD | WRITES_TO_FD; [
        ("res", Errno, Dec), ("data", ByteBuf, Na),
    ]),
    /* 124 SYSCALL_DUP_E */
    ev!("dup", IO_OTHER | SYSCALL; CREATES_FD | USES_FD | MODIFIES_STATE | OLD_VERSION; [
        ("fd", Fd, Dec),
    ]),
    /* 125 SYSCALL_DUP_X */
    ev!("dup", IO_OTHER | SYSCALL; CREATES_FD | USES_FD | MODIFIES_STATE | OLD_VERSION; [
        ("res", Fd, Dec),
    ]),
    /* 126 SYSCALL_SIGNALFD_E */
    ev!("signalfd", SIGNAL | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("mask", Uint32, Hex), ("flags", Uint8, Hex),
    ]),
    /* 127 SYSCALL_SIGNALFD_X */
    ev!("signalfd", SIGNAL | SYSCALL; CREATES_FD | MODIFIES_STATE; [("res", Fd, Dec)]),
    /* 128 SYSCALL_KILL_E */
    ev!("kill", SIGNAL | SYSCALL; NONE; [("pid", Pid, Dec), ("sig", SigType, Dec)]),
    /* 129 SYSCALL_KILL_X */
    ev!("kill", SIGNAL | SYSCALL; NONE; [("res", Errno, Dec)]),
    /* 130 SYSCALL_TKILL_E */
    ev!("tkill", SIGNAL | SYSCALL; NONE; [("tid", Pid, Dec), ("sig", SigType, Dec)]),
    /* 131 SYSCALL_TKILL_X */
    ev!("tkill", SIGNAL | SYSCALL; NONE; [("res", Errno, Dec)]),
    /* 132 SYSCALL_TGKILL_E */
    ev!("tgkill", SIGNAL | SYSCALL; NONE; [
        ("pid", Pid, Dec), ("tid", Pid, Dec), ("sig", SigType, Dec),
    ]),
    /* 133 SYSCALL_TGKILL_X */
    ev!("tgkill", SIGNAL | SYSCALL; NONE; [("res", Errno, Dec)]),
    /* 134 SYSCALL_NANOSLEEP_E */
    ev!("nanosleep", SLEEP | SYSCALL; WAITS; [("interval", RelTime, Dec)]),
    /* 135 SYSCALL_NANOSLEEP_X */
    ev!("nanosleep", SLEEP | SYSCALL; WAITS; [("res", Errno, Dec)]),
    /* 136 SYSCALL_TIMERFD_CREATE_E */
    ev!("timerfd_create", TIME | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("clockid", Uint8, Dec), ("flags", Uint8, Hex),
    ]),
    /* 137 SYSCALL_TIMERFD_CREATE_X */
    ev!("timerfd_create", TIME | SYSCALL; CREATES_FD | MODIFIES_STATE; [("res", Fd, Dec)]),
    /* 138 SYSCALL_INOTIFY_INIT_E */
    ev!("inotify_init", IPC | SYSCALL; CREATES_FD | MODIFIES_STATE; [("flags", Uint8, Hex)]),
    /* 139 SYSCALL_INOTIFY_INIT_X */
    ev!("inotify_init", IPC | SYSCALL; CREATES_FD | MODIFIES_STATE; [("res", Fd, Dec)]),
    /* 140 SYSCALL_GETRLIMIT_E */
    ev!("getrlimit", PROCESS | SYSCALL; NONE; [("resource", EnumFlags8, Dec)]),
    /* 141 SYSCALL_GETRLIMIT_X */
    ev!("getrlimit", PROCESS | SYSCALL; NONE; [
        ("res", Errno, Dec), ("cur", Int64, Dec), ("max", Int64, Dec),
    ]),
    /* 142 SYSCALL_SETRLIMIT_E */
    ev!("setrlimit", PROCESS | SYSCALL; NONE; [("resource", EnumFlags8, Dec)]),
    /* 143 SYSCALL_SETRLIMIT_X */
    ev!("setrlimit", PROCESS | SYSCALL; NONE; [
        ("res", Errno, Dec), ("cur", Int64, Dec), ("max", Int64, Dec),
        ("resource", EnumFlags8, Dec),
    ]),
    /* 144 SYSCALL_PRLIMIT_E */
    ev!("prlimit", PROCESS | SYSCALL; NONE; [("pid", Pid, Dec), ("resource", EnumFlags8, Dec)]),
    /* 145 SYSCALL_PRLIMIT_X */
    ev!("prlimit", PROCESS | SYSCALL; NONE; [
        ("res", Errno, Dec), ("newcur", Int64, Dec), ("newmax", Int64, Dec), ("oldcur", Int64, Dec),
        ("oldmax", Int64, Dec), ("pid", Int64, Dec), ("resource", EnumFlags8, Dec),
    ]),
    /* 146 SCHEDSWITCH_1_E */
    ev!("switch", SCHEDULER | TRACEPOINT; SKIPPARSERESET | OLD_VERSION; [("next", Pid, Dec)]),
    /* 147 SCHEDSWITCH_1_X */
    ev!("NA", UNKNOWN; SKIPPARSERESET | UNUSED | OLD_VERSION; []),
    /* 148 DROP_E */
    ev!("drop", INTERNAL | METAEVENT; SKIPPARSERESET; [("ratio", Uint32, Dec)]),
    /* 149 DROP_X */
    ev!("drop", INTERNAL | METAEVENT; SKIPPARSERESET; [("ratio", Uint32, Dec)]),
    /* 150 SYSCALL_FCNTL_E */
    ev!("fcntl", IO_OTHER | SYSCALL; USES_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("cmd", EnumFlags8, Dec),
    ]),
    /* 151 SYSCALL_FCNTL_X */
    ev!("fcntl", IO_OTHER | SYSCALL; USES_FD | MODIFIES_STATE; [
        ("res", Fd, Dec), ("fd", Fd, Dec), ("cmd", EnumFlags8, Dec),
    ]),
    /* 152 SCHEDSWITCH_6_E */
    ev!("switch", SCHEDULER | TRACEPOINT; NONE; [
        ("next", Pid, Dec), ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec),
        ("vm_size", Uint32, Dec), ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec),
    ]),
    /* 153 SCHEDSWITCH_6_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 154 SYSCALL_EXECVE_13_E */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; []),
    /* 155 SYSCALL_EXECVE_13_X */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; [
        ("res", Errno, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Uint64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec),
    ]),
    /* 156 SYSCALL_CLONE_16_E */
    ev!("clone", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; []),
    /* 157 SYSCALL_CLONE_16_X */
    ev!("clone", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; [
        ("res", Pid, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Int64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("flags", Flags32, Hex),
        ("uid", Uint32, Dec), ("gid", Uint32, Dec),
    ]),
    /* 158 SYSCALL_BRK_4_E */
    ev!("brk", MEMORY | SYSCALL; NONE; [("addr", Uint64, Hex)]),
    /* 159 SYSCALL_BRK_4_X */
    ev!("brk", MEMORY | SYSCALL; NONE; [
        ("res", Uint64, Hex), ("vm_size", Uint32, Dec), ("vm_rss", Uint32, Dec),
        ("vm_swap", Uint32, Dec),
    ]),
    /* 160 SYSCALL_MMAP_E */
    ev!("mmap", MEMORY | SYSCALL; USES_FD; [
        ("addr", Uint64, Hex), ("length", Uint64, Dec), ("prot", Flags32, Hex),
        ("flags", Flags32, Hex), ("fd", Fd, Dec), ("offset", Uint64, Dec),
    ]),
    /* 161 SYSCALL_MMAP_X */
    ev!("mmap", MEMORY | SYSCALL; NONE; [
        ("res", Errno, Hex), ("vm_size", Uint32, Dec), ("vm_rss", Uint32, Dec),
        ("vm_swap", Uint32, Dec),
    ]),
    /* 162 SYSCALL_MMAP2_E */
    ev!("mmap2", MEMORY | SYSCALL; USES_FD; [
        ("addr", Uint64, Hex), ("length", Uint64, Dec), ("prot", Flags32, Hex),
        ("flags", Flags32, Hex), ("fd", Fd, Dec), ("pgoffset", Uint64, Dec),
    ]),
    /* 163 SYSCALL_MMAP2_X */
    ev!("mmap2", MEMORY | SYSCALL; NONE; [
        ("res", Errno, Hex), ("vm_size", Uint32, Dec), ("vm_rss", Uint32, Dec),
        ("vm_swap", Uint32, Dec),
    ]),
    /* 164 SYSCALL_MUNMAP_E */
    ev!("munmap", MEMORY | SYSCALL; NONE; [("addr", Uint64, Hex), ("length", Uint64, Dec)]),
    /* 165 SYSCALL_MUNMAP_X */
    ev!("munmap", MEMORY | SYSCALL; NONE; [
        ("res", Errno, Dec), ("vm_size", Uint32, Dec), ("vm_rss", Uint32, Dec),
        ("vm_swap", Uint32, Dec),
    ]),
    /* 166 SYSCALL_SPLICE_E */
    ev!("splice", IO_OTHER | SYSCALL; USES_FD; [
        ("fd_in", Fd, Dec), ("fd_out", Fd, Dec), ("size", Uint64, Dec), ("flags", Flags32, Hex),
    ]),
    /* 167 SYSCALL_SPLICE_X */
    ev!("splice", IO_OTHER | SYSCALL; USES_FD; [("res", Errno, Dec)]),
    /* 168 SYSCALL_PTRACE_E */
    ev!("ptrace", PROCESS | SYSCALL; NONE; [("request", EnumFlags16, Dec), ("pid", Pid, Dec)]),
    /* 169 SYSCALL_PTRACE_X */
    ev!("ptrace", PROCESS | SYSCALL; NONE; [
        ("res", Errno, Dec), ("addr", Dyn, Hex), ("data", Dyn, Hex),
    ]),
    /* 170 SYSCALL_IOCTL_3_E */
    ev!("ioctl", IO_OTHER | SYSCALL; USES_FD; [
        ("fd", Fd, Dec), ("request", Uint64, Hex), ("argument", Uint64, Hex),
    ]),
    /* 171 SYSCALL_IOCTL_3_X */
    ev!("ioctl", IO_OTHER | SYSCALL; USES_FD; [("res", Errno, Dec)]),
    /* 172 SYSCALL_EXECVE_14_E */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; []),
    /* 173 SYSCALL_EXECVE_14_X */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; [
        ("res", Errno, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Uint64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("env", ByteBuf, Na),
    ]),
    /* 174 SYSCALL_RENAME_E */
    ev!("rename", FILE | SYSCALL; NONE; []),
    /* 175 SYSCALL_RENAME_X */
    ev!("rename", FILE | SYSCALL; NONE; [
        ("res", Errno, Dec), ("oldpath", FsPath, Na), ("newpath", FsPath, Na),
    ]),
    /* 176 SYSCALL_RENAMEAT_E */
    ev!("renameat", FILE | SYSCALL; NONE; []),
    /* 177 SYSCALL_RENAMEAT_X */
    ev!("renameat", FILE | SYSCALL; NONE; [
        ("res", Errno, Dec), ("olddirfd", Fd, Dec), ("oldpath", FsRelPath, Na),
        ("newdirfd", Fd, Dec), ("newpath", FsRelPath, Na),
    ]),
    /* 178 SYSCALL_SYMLINK_E */
    ev!("symlink", FILE | SYSCALL; NONE; []),
    /* 179 SYSCALL_SYMLINK_X */
    ev!("symlink", FILE | SYSCALL; NONE; [
        ("res", Errno, Dec), ("target", CharBuf, Na), ("linkpath", FsPath, Na),
    ]),
    /* 180 SYSCALL_SYMLINKAT_E */
    ev!("symlinkat", FILE | SYSCALL; NONE; []),
    /* 181 SYSCALL_SYMLINKAT_X */
    ev!("symlinkat", FILE | SYSCALL; NONE; [
        ("res", Errno, Dec), ("target", CharBuf, Na), ("linkdirfd", Fd, Dec),
        ("linkpath", FsRelPath, Na),
    ]),
    /* 182 SYSCALL_FORK_E */
    ev!("fork", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; []),
    /* 183 SYSCALL_FORK_X */
    ev!("fork", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; [
        ("res", Pid, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Int64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("flags", Flags32, Hex),
        ("uid", Uint32, Dec), ("gid", Uint32, Dec),
    ]),
    /* 184 SYSCALL_VFORK_E */
    ev!("vfork", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; []),
    /* 185 SYSCALL_VFORK_X */
    ev!("vfork", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; [
        ("res", Pid, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Int64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("flags", Flags32, Hex),
        ("uid", Uint32, Dec), ("gid", Uint32, Dec),
    ]),
    /* 186 PROCEXIT_1_E */
    ev!("procexit", PROCESS | TRACEPOINT; MODIFIES_STATE; [
        ("status", Errno, Dec), ("ret", Errno, Dec), ("sig", SigType, Dec), ("core", Uint8, Dec),
        ("reaper_tid", Pid, Dec),
    ]),
    /* 187 PROCEXIT_1_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 188 SYSCALL_SENDFILE_E */
    ev!("sendfile", IO_WRITE | SYSCALL; USES_FD; [
        ("out_fd", Fd, Dec), ("in_fd", Fd, Dec), ("offset", Uint64, Dec), ("size", Uint64, Dec),
    ]),
    /* 189 SYSCALL_SENDFILE_X */
    ev!("sendfile", IO_WRITE | SYSCALL; USES_FD; [("res", Errno, Dec), ("offset", Uint64, Dec)]),
    /* 190 SYSCALL_QUOTACTL_E */
    ev!("quotactl", USER | SYSCALL; NONE; [
        ("cmd", Flags16, Dec), ("type", Flags8, Dec), ("id", Uint32, Dec),
        ("quota_fmt", Flags8, Dec),
    ]),
    /* 191 SYSCALL_QUOTACTL_X */
    ev!("quotactl", USER | SYSCALL; NONE; [
        ("res", Errno, Dec), ("special", CharBuf, Na), ("quotafilepath", CharBuf, Na),
        ("dqb_bhardlimit", Uint64, Dec), ("dqb_bsoftlimit", Uint64, Dec),
        ("dqb_curspace", Uint64, Dec), ("dqb_ihardlimit", Uint64, Dec),
        ("dqb_isoftlimit", Uint64, Dec), ("dqb_btime", RelTime, Dec), ("dqb_itime", RelTime, Dec),
        ("dqi_bgrace", RelTime, Dec), ("dqi_igrace", RelTime, Dec), ("dqi_flags", Flags8, Dec),
        ("quota_fmt_out", Flags8, Dec),
    ]),
    /* 192 SYSCALL_SETRESUID_E */
    ev!("setresuid", USER | SYSCALL; MODIFIES_STATE; [
        ("ruid", Uid, Dec), ("euid", Uid, Dec), ("suid", Uid, Dec),
    ]),
    /* 193 SYSCALL_SETRESUID_X */
    ev!("setresuid", USER | SYSCALL; MODIFIES_STATE; [("res", Errno, Dec)]),
    /* 194 SYSCALL_SETRESGID_E */
    ev!("setresgid", USER | SYSCALL; MODIFIES_STATE; [
        ("rgid", Gid, Dec), ("egid", Gid, Dec), ("sgid", Gid, Dec),
    ]),
    /* 195 SYSCALL_SETRESGID_X */
    ev!("setresgid", USER | SYSCALL; MODIFIES_STATE; [("res", Errno, Dec)]),
    /* 196 SCAPEVENT_E */
    ev!("scapevent", INTERNAL | METAEVENT; SKIPPARSERESET; [
        ("event_type", Uint32, Dec), ("event_data", Uint64, Dec),
    ]),
    /* 197 SCAPEVENT_X */
    ev!("scapevent", INTERNAL | METAEVENT; UNUSED; []),
    /* 198 SYSCALL_SETUID_E */
    ev!("setuid", USER | SYSCALL; MODIFIES_STATE; [("uid", Uid, Dec)]),
    /* 199 SYSCALL_SETUID_X */
    ev!("setuid", USER | SYSCALL; MODIFIES_STATE; [("res", Errno, Dec)]),
    /* 200 SYSCALL_SETGID_E */
    ev!("setgid", USER | SYSCALL; MODIFIES_STATE; [("gid", Gid, Dec)]),
    /* 201 SYSCALL_SETGID_X */
    ev!("setgid", USER | SYSCALL; MODIFIES_STATE; [("res", Errno, Dec)]),
    /* 202 SYSCALL_GETUID_E */
    ev!("getuid", USER | SYSCALL; NONE; []),
    /* 203 SYSCALL_GETUID_X */
    ev!("getuid", USER | SYSCALL; NONE; [("uid", Uid, Dec)]),
    /* 204 SYSCALL_GETEUID_E */
    ev!("geteuid", USER | SYSCALL; NONE; []),
    /* 205 SYSCALL_GETEUID_X */
    ev!("geteuid", USER | SYSCALL; NONE; [("euid", Uid, Dec)]),
    /* 206 SYSCALL_GETGID_E */
    ev!("getgid", USER | SYSCALL; NONE; []),
    /* 207 SYSCALL_GETGID_X */
    ev!("getgid", USER | SYSCALL; NONE; [("gid", Gid, Dec)]),
    /* 208 SYSCALL_GETEGID_E */
    ev!("getegid", USER | SYSCALL; NONE; []),
    /* 209 SYSCALL_GETEGID_X */
    ev!("getegid", USER | SYSCALL; NONE; [("egid", Gid, Dec)]),
    /* 210 SYSCALL_GETRESUID_E */
    ev!("getresuid", USER | SYSCALL; NONE; []),
    /* 211 SYSCALL_GETRESUID_X */
    ev!("getresuid", USER | SYSCALL; NONE; [
        ("res", Errno, Dec), ("ruid", Uid, Dec), ("euid", Uid, Dec), ("suid", Uid, Dec),
    ]),
    /* 212 SYSCALL_GETRESGID_E */
    ev!("getresgid", USER | SYSCALL; NONE; []),
    /* 213 SYSCALL_GETRESGID_X */
    ev!("getresgid", USER | SYSCALL; NONE; [
        ("res", Errno, Dec), ("rgid", Gid, Dec), ("egid", Gid, Dec), ("sgid", Gid, Dec),
    ]),
    /* 214 SYSCALL_EXECVE_15_E */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; []),
    /* 215 SYSCALL_EXECVE_15_X */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; [
        ("res", Errno, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Uint64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("comm", CharBuf, Na),
        ("env", ByteBuf, Na),
    ]),
    /* 216 SYSCALL_CLONE_17_E */
    ev!("clone", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; []),
    /* 217 SYSCALL_CLONE_17_X */
    ev!("clone", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; [
        ("res", Pid, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Int64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("comm", CharBuf, Na),
        ("flags", Flags32, Hex), ("uid", Uint32, Dec), ("gid", Uint32, Dec),
    ]),
    /* 218 SYSCALL_FORK_17_E */
    ev!("fork", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; []),
    /* 219 SYSCALL_FORK_17_X */
    ev!("fork", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; [
        ("res", Pid, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Int64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("comm", CharBuf, Na),
        ("flags", Flags32, Hex), ("uid", Uint32, Dec), ("gid", Uint32, Dec),
    ]),
    /* 220 SYSCALL_VFORK_17_E */
    ev!("vfork", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; []),
    /* 221 SYSCALL_VFORK_17_X */
    ev!("vfork", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; [
        ("res", Pid, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Int64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("comm", CharBuf, Na),
        ("flags", Flags32, Hex), ("uid", Uint32, Dec), ("gid", Uint32, Dec),
    ]),
    /* 222 SYSCALL_CLONE_20_E */
    ev!("clone", PROCESS | SYSCALL; MODIFIES_STATE; []),
    /* 223 SYSCALL_CLONE_20_X */
    ev!("clone", PROCESS | SYSCALL; MODIFIES_STATE; [
        ("res", Pid, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Int64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("comm", CharBuf, Na),
        ("cgroups", ByteBuf, Na), ("flags", Flags32, Hex), ("uid", Uint32, Dec),
        ("gid", Uint32, Dec), ("vtid", Pid, Dec), ("vpid", Pid, Dec),
        ("pidns_init_start_ts", Uint64, Dec),
    ]),
    /* 224 SYSCALL_FORK_20_E */
    ev!("fork", PROCESS | SYSCALL; MODIFIES_STATE; []),
    /* 225 SYSCALL_FORK_20_X */
    ev!("fork", PROCESS | SYSCALL; MODIFIES_STATE; [
        ("res", Pid, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Int64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("comm", CharBuf, Na),
        ("cgroups", ByteBuf, Na), ("flags", Flags32, Hex), ("uid", Uint32, Dec),
        ("gid", Uint32, Dec), ("vtid", Pid, Dec), ("vpid", Pid, Dec),
        ("pidns_init_start_ts", Uint64, Dec),
    ]),
    /* 226 SYSCALL_VFORK_20_E */
    ev!("vfork", PROCESS | SYSCALL; MODIFIES_STATE; []),
    /* 227 SYSCALL_VFORK_20_X */
    ev!("vfork", PROCESS | SYSCALL; MODIFIES_STATE; [
        ("res", Pid, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Int64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("comm", CharBuf, Na),
        ("cgroups", ByteBuf, Na), ("flags", Flags32, Hex), ("uid", Uint32, Dec),
        ("gid", Uint32, Dec), ("vtid", Pid, Dec), ("vpid", Pid, Dec),
        ("pidns_init_start_ts", Uint64, Dec),
    ]),
    /* 228 CONTAINER_E */
    ev!("container", INTERNAL | METAEVENT; SKIPPARSERESET | MODIFIES_STATE | OLD_VERSION; [
        ("id", CharBuf, Na), ("type", Uint32, Dec), ("name", CharBuf, Na), ("image", CharBuf, Na),
    ]),
    /* 229 CONTAINER_X */
    ev!("NA", UNKNOWN; UNUSED | OLD_VERSION; []),
    /* 230 SYSCALL_EXECVE_16_E */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; []),
    /* 231 SYSCALL_EXECVE_16_X */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; [
        ("res", Errno, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Uint64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("comm", CharBuf, Na),
        ("cgroups", ByteBuf, Na), ("env", ByteBuf, Na),
    ]),
    /* 232 SIGNALDELIVER_E */
    ev!("signaldeliver", SIGNAL | TRACEPOINT; NONE; [
        ("spid", Pid, Dec), ("dpid", Pid, Dec), ("sig", SigType, Dec),
    ]),
    /* 233 SIGNALDELIVER_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 234 PROCINFO_E */
    ev!("procinfo", INTERNAL | METAEVENT; SKIPPARSERESET; [
        ("cpu_usr", Uint64, Dec), ("cpu_sys", Uint64, Dec),
    ]),
    /* 235 PROCINFO_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 236 SYSCALL_GETDENTS_E */
    ev!("getdents", FILE | SYSCALL; USES_FD; [("fd", Fd, Na)]),
    /* 237 SYSCALL_GETDENTS_X */
    ev!("getdents", FILE | SYSCALL; USES_FD; [("res", Errno, Dec)]),
    /* 238 SYSCALL_GETDENTS64_E */
    ev!("getdents64", FILE | SYSCALL; USES_FD; [("fd", Fd, Na)]),
    /* 239 SYSCALL_GETDENTS64_X */
    ev!("getdents64", FILE | SYSCALL; USES_FD; [("res", Errno, Dec)]),
    /* 240 SYSCALL_SETNS_E */
    ev!("setns", PROCESS | SYSCALL; USES_FD; [("fd", Fd, Na), ("nstype", Flags32, Hex)]),
    /* 241 SYSCALL_SETNS_X */
    ev!("setns", PROCESS | SYSCALL; USES_FD; [("res", Errno, Dec)]),
    /* 242 SYSCALL_FLOCK_E */
    ev!("flock", FILE | SYSCALL; USES_FD; [("fd", Fd, Na), ("operation", Flags32, Hex)]),
    /* 243 SYSCALL_FLOCK_X */
    ev!("flock", FILE | SYSCALL; USES_FD; [("res", Errno, Dec)]),
    /* 244 CPU_HOTPLUG_E */
    ev!("cpu_hotplug", SYSTEM | METAEVENT; SKIPPARSERESET | MODIFIES_STATE; [
        ("cpu", Uint32, Dec), ("action", Uint32, Dec),
    ]),
    /* 245 CPU_HOTPLUG_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 246 SOCKET_ACCEPT_5_E */
    ev!("accept", NET | SYSCALL; CREATES_FD | MODIFIES_STATE; []),
    /* 247 SOCKET_ACCEPT_5_X */
    ev!("accept", NET | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("tuple", SockTuple, Na), ("queuepct", Uint8, Dec),
        ("queuelen", Uint32, Dec), ("queuemax", Uint32, Dec),
    ]),
    /* 248 SOCKET_ACCEPT4_5_E */
    ev!("accept", NET | SYSCALL; CREATES_FD | MODIFIES_STATE | OLD_VERSION; [
        ("flags", Int32, Hex),
    ]),
    /* 249 SOCKET_ACCEPT4_5_X */
    ev!("accept", NET | SYSCALL; CREATES_FD | MODIFIES_STATE | OLD_VERSION; [
        ("fd", Fd, Dec), ("tuple", SockTuple, Na), ("queuepct", Uint8, Dec),
        ("queuelen", Uint32, Dec), ("queuemax", Uint32, Dec),
    ]),
    /* 250 SYSCALL_SEMOP_E */
    ev!("semop", PROCESS | SYSCALL; NONE; [("semid", Int32, Dec)]),
    /* 251 SYSCALL_SEMOP_X */
    ev!("semop", PROCESS | SYSCALL; NONE; [
        ("res", Errno, Dec), ("nsops", Uint32, Dec), ("sem_num_0", Uint16, Dec),
        ("sem_op_0", Int16, Dec), ("sem_flg_0", Flags16, Hex), ("sem_num_1", Uint16, Dec),
        ("sem_op_1", Int16, Dec), ("sem_flg_1", Flags16, Hex),
    ]),
    /* 252 SYSCALL_SEMCTL_E */
    ev!("semctl", PROCESS | SYSCALL; NONE; [
        ("semid", Int32, Dec), ("semnum", Int32, Dec), ("cmd", Flags16, Hex), ("val", Int32, Dec),
    ]),
    /* 253 SYSCALL_SEMCTL_X */
    ev!("semctl", PROCESS | SYSCALL; NONE; [("res", Errno, Dec)]),
    /* 254 SYSCALL_PPOLL_E */
    ev!("ppoll", WAIT | SYSCALL; WAITS; [
        ("fds", FdList, Dec), ("timeout", RelTime, Dec), ("sigmask", SigSet, Dec),
    ]),
    /* 255 SYSCALL_PPOLL_X */
    ev!("ppoll", WAIT | SYSCALL; WAITS; [("res", Errno, Dec), ("fds", FdList, Dec)]),
    /* 256 SYSCALL_MOUNT_E */
    ev!("mount", FILE | SYSCALL; MODIFIES_STATE; [("flags", Flags32, Hex)]),
    /* 257 SYSCALL_MOUNT_X */
    ev!("mount", FILE | SYSCALL; MODIFIES_STATE; [
        ("res", Errno, Dec), ("dev", CharBuf, Na), ("dir", FsPath, Na), ("type", CharBuf, Na),
    ]),
    /* 258 SYSCALL_UMOUNT_E */
    ev!("umount", FILE | SYSCALL; MODIFIES_STATE | OLD_VERSION; [("flags", Flags32, Hex)]),
    /* 259 SYSCALL_UMOUNT_X */
    ev!("umount", FILE | SYSCALL; MODIFIES_STATE | OLD_VERSION; [
        ("res", Errno, Dec), ("name", FsPath, Na),
    ]),
    /* 260 K8S_E */
    ev!("k8s", INTERNAL | METAEVENT; SKIPPARSERESET | MODIFIES_STATE; [("json", CharBuf, Na)]),
    /* 261 K8S_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 262 SYSCALL_SEMGET_E */
    ev!("semget", PROCESS | SYSCALL; NONE; [
        ("key", Int32, Hex), ("nsems", Int32, Dec), ("semflg", Flags32, Hex),
    ]),
    /* 263 SYSCALL_SEMGET_X */
    ev!("semget", PROCESS | SYSCALL; NONE; [("res", Errno, Dec)]),
    /* 264 SYSCALL_ACCESS_E */
    ev!("access", FILE | SYSCALL; NONE; [("mode", Flags32, Hex)]),
    /* 265 SYSCALL_ACCESS_X */
    ev!("access", FILE | SYSCALL; NONE; [("res", Errno, Dec), ("name", FsPath, Na)]),
    /* 266 SYSCALL_CHROOT_E */
    ev!("chroot", PROCESS | SYSCALL; MODIFIES_STATE; []),
    /* 267 SYSCALL_CHROOT_X */
    ev!("chroot", PROCESS | SYSCALL; MODIFIES_STATE; [("res", Errno, Dec), ("path", FsPath, Na)]),
    /* 268 TRACER_E */
    ev!("tracer", OTHER | METAEVENT; NONE; [
        ("id", Int64, Dec), ("tags", CharBufArray, Na), ("args", CharBufPairArray, Na),
    ]),
    /* 269 TRACER_X */
    ev!("tracer", OTHER | METAEVENT; NONE; [
        ("id", Int64, Dec), ("tags", CharBufArray, Na), ("args", CharBufPairArray, Na),
    ]),
    /* 270 MESOS_E */
    ev!("mesos", INTERNAL | METAEVENT; SKIPPARSERESET | MODIFIES_STATE; [("json", CharBuf, Na)]),
    /* 271 MESOS_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 272 CONTAINER_JSON_E */
    ev!("container", PROCESS | METAEVENT; MODIFIES_STATE | OLD_VERSION; [("json", CharBuf, Na)]),
    /* 273 CONTAINER_JSON_X */
    ev!("NA", UNKNOWN; UNUSED | OLD_VERSION; []),
    /* 274 SYSCALL_SETSID_E */
    ev!("setsid", PROCESS | SYSCALL; MODIFIES_STATE; []),
    /* 275 SYSCALL_SETSID_X */
    ev!("setsid", PROCESS | SYSCALL; MODIFIES_STATE; [("res", Pid, Dec)]),
    /* 276 SYSCALL_MKDIR_2_E */
    ev!("mkdir", FILE | SYSCALL; NONE; [("mode", Uint32, Hex)]),
    /* 277 SYSCALL_MKDIR_2_X */
    ev!("mkdir", FILE | SYSCALL; NONE; [("res", Errno, Dec), ("path", FsPath, Na)]),
    /* 278 SYSCALL_RMDIR_2_E */
    ev!("rmdir", FILE | SYSCALL; NONE; []),
    /* 279 SYSCALL_RMDIR_2_X */
    ev!("rmdir", FILE | SYSCALL; NONE; [("res", Errno, Dec), ("path", FsPath, Na)]),
    /* 280 NOTIFICATION_E */
    ev!("notification", OTHER | METAEVENT; SKIPPARSERESET; [
        ("id", CharBuf, Dec), ("desc", CharBuf, Na),
    ]),
    /* 281 NOTIFICATION_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 282 SYSCALL_EXECVE_17_E */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; []),
    /* 283 SYSCALL_EXECVE_17_X */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; [
        ("res", Errno, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Uint64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("comm", CharBuf, Na),
        ("cgroups", ByteBuf, Na), ("env", ByteBuf, Na), ("tty", Int32, Dec),
    ]),
    /* 284 SYSCALL_UNSHARE_E */
    ev!("unshare", PROCESS | SYSCALL; NONE; [("flags", Flags32, Hex)]),
    /* 285 SYSCALL_UNSHARE_X */
    ev!("unshare", PROCESS | SYSCALL; NONE; [("res", Errno, Dec)]),
    /* 286 INFRASTRUCTURE_EVENT_E */
    ev!("infra", INTERNAL | METAEVENT; SKIPPARSERESET; [
        ("source", CharBuf, Dec), ("name", CharBuf, Na), ("description", CharBuf, Na),
        ("scope", CharBuf, Na),
    ]),
    /* 287 INFRASTRUCTURE_EVENT_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 288 SYSCALL_EXECVE_18_E */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; [("filename", FsPath, Na)]),
    /* 289 SYSCALL_EXECVE_18_X */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE | OLD_VERSION; [
        ("res", Errno, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Uint64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("comm", CharBuf, Na),
        ("cgroups", ByteBuf, Na), ("env", ByteBuf, Na), ("tty", Int32, Dec),
    ]),
    /* 290 PAGE_FAULT_E */
    ev!("page_fault", OTHER | TRACEPOINT; SKIPPARSERESET; [
        ("addr", Uint64, Hex), ("ip", Uint64, Hex), ("error", Flags32, Hex),
    ]),
    /* 291 PAGE_FAULT_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 292 SYSCALL_EXECVE_19_E */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE; [("filename", FsPath, Na)]),
    /* 293 SYSCALL_EXECVE_19_X */
    ev!("execve", PROCESS | SYSCALL; MODIFIES_STATE; [
        ("res", Errno, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Uint64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("comm", CharBuf, Na),
        ("cgroups", ByteBuf, Na), ("env", ByteBuf, Na), ("tty", Uint32, Dec), ("pgid", Pid, Dec),
        ("loginuid", Uid, Dec), ("flags", Flags32, Hex), ("cap_inheritable", Uint64, Hex),
        ("cap_permitted", Uint64, Hex), ("cap_effective", Uint64, Hex), ("exe_ino", Uint64, Dec),
        ("exe_ino_ctime", AbsTime, Dec), ("exe_ino_mtime", AbsTime, Dec), ("uid", Uid, Dec),
        ("trusted_exepath", FsPath, Na),
    ]),
    /* 294 SYSCALL_SETPGID_E */
    ev!("setpgid", PROCESS | SYSCALL; MODIFIES_STATE; [("pid", Pid, Dec), ("pgid", Pid, Dec)]),
    /* 295 SYSCALL_SETPGID_X */
    ev!("setpgid", PROCESS | SYSCALL; MODIFIES_STATE; [("res", Pid, Dec)]),
    /* 296 SYSCALL_BPF_E */
    ev!("bpf", OTHER | SYSCALL; CREATES_FD | OLD_VERSION; [("cmd", Int64, Dec)]),
    /* 297 SYSCALL_BPF_X */
    ev!("bpf", OTHER | SYSCALL; CREATES_FD | OLD_VERSION; [("res_or_fd", Dyn, Dec)]),
    /* 298 SYSCALL_SECCOMP_E */
    ev!("seccomp", OTHER | SYSCALL; NONE; [("op", Uint64, Dec), ("flags", Uint64, Hex)]),
    /* 299 SYSCALL_SECCOMP_X */
    ev!("seccomp", OTHER | SYSCALL; NONE; [("res", Errno, Dec)]),
    /* 300 SYSCALL_UNLINK_2_E */
    ev!("unlink", FILE | SYSCALL; NONE; []),
    /* 301 SYSCALL_UNLINK_2_X */
    ev!("unlink", FILE | SYSCALL; NONE; [("res", Errno, Dec), ("path", FsPath, Na)]),
    /* 302 SYSCALL_UNLINKAT_2_E */
    ev!("unlinkat", FILE | SYSCALL; NONE; []),
    /* 303 SYSCALL_UNLINKAT_2_X */
    ev!("unlinkat", FILE | SYSCALL; NONE; [
        ("res", Errno, Dec), ("dirfd", Fd, Dec), ("name", FsRelPath, Na), ("flags", Flags32, Hex),
    ]),
    /* 304 SYSCALL_MKDIRAT_E */
    ev!("mkdirat", FILE | SYSCALL; NONE; []),
    /* 305 SYSCALL_MKDIRAT_X */
    ev!("mkdirat", FILE | SYSCALL; NONE; [
        ("res", Errno, Dec), ("dirfd", Fd, Dec), ("path", FsRelPath, Na), ("mode", Uint32, Hex),
    ]),
    /* 306 SYSCALL_OPENAT_2_E */
    ev!("openat", FILE | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("dirfd", Fd, Dec), ("name", FsRelPath, Na), ("flags", Flags32, Hex), ("mode", Uint32, Oct),
    ]),
    /* 307 SYSCALL_OPENAT_2_X */
    ev!("openat", FILE | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("dirfd", Fd, Dec), ("name", FsRelPath, Na), ("flags", Flags32, Hex),
        ("mode", Uint32, Oct), ("dev", Uint32, Hex), ("ino", Uint64, Dec),
    ]),
    /* 308 SYSCALL_LINK_2_E */
    ev!("link", FILE | SYSCALL; NONE; []),
    /* 309 SYSCALL_LINK_2_X */
    ev!("link", FILE | SYSCALL; NONE; [
        ("res", Errno, Dec), ("oldpath", FsPath, Na), ("newpath", FsPath, Na),
    ]),
    /* 310 SYSCALL_LINKAT_2_E */
    ev!("linkat", FILE | SYSCALL; NONE; []),
    /* 311 SYSCALL_LINKAT_2_X */
    ev!("linkat", FILE | SYSCALL; NONE; [
        ("res", Errno, Dec), ("olddir", Fd, Dec), ("oldpath", FsRelPath, Na), ("newdir", Fd, Dec),
        ("newpath", FsRelPath, Na), ("flags", Flags32, Hex),
    ]),
    /* 312 SYSCALL_FCHMODAT_E */
    ev!("fchmodat", FILE | SYSCALL; NONE; []),
    /* 313 SYSCALL_FCHMODAT_X */
    ev!("fchmodat", FILE | SYSCALL; NONE; [
        ("res", Errno, Dec), ("dirfd", Fd, Dec), ("filename", FsRelPath, Na), ("mode", Mode, Oct),
    ]),
    /* 314 SYSCALL_CHMOD_E */
    ev!("chmod", FILE | SYSCALL; NONE; []),
    /* 315 SYSCALL_CHMOD_X */
    ev!("chmod", FILE | SYSCALL; NONE; [
        ("res", Errno, Dec), ("filename", FsPath, Na), ("mode", Mode, Oct),
    ]),
    /* 316 SYSCALL_FCHMOD_E */
    ev!("fchmod", FILE | SYSCALL; NONE; []),
    /* 317 SYSCALL_FCHMOD_X */
    ev!("fchmod", FILE | SYSCALL; USES_FD; [
        ("res", Errno, Dec), ("fd", Fd, Dec), ("mode", Mode, Oct),
    ]),
    /* 318 SYSCALL_RENAMEAT2_E */
    ev!("renameat2", FILE | SYSCALL; NONE; []),
    /* 319 SYSCALL_RENAMEAT2_X */
    ev!("renameat2", FILE | SYSCALL; NONE; [
        ("res", Errno, Dec), ("olddirfd", Fd, Dec), ("oldpath", FsRelPath, Na),
        ("newdirfd", Fd, Dec), ("newpath", FsRelPath, Na), ("flags", Flags32, Hex),
    ]),
    /* 320 SYSCALL_USERFAULTFD_E */
    ev!("userfaultfd", FILE | SYSCALL; CREATES_FD | MODIFIES_STATE; []),
    /* 321 SYSCALL_USERFAULTFD_X */
    ev!("userfaultfd", FILE | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("res", Errno, Dec), ("flags", Flags32, Hex),
    ]),
    /* 322 PLUGINEVENT_E */
    ev!("pluginevent", OTHER | PLUGIN; LARGE_PAYLOAD; [
        ("plugin_id", Uint32, Dec), ("event_data", ByteBuf, Na),
    ]),
    /* 323 PLUGINEVENT_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 324 CONTAINER_JSON_2_E */
    ev!("container", PROCESS | METAEVENT; MODIFIES_STATE | LARGE_PAYLOAD; [("json", CharBuf, Na)]),
    /* 325 CONTAINER_JSON_2_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 326 SYSCALL_OPENAT2_E */
    ev!("openat2", FILE | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("dirfd", Fd, Dec), ("name", FsRelPath, Na), ("flags", Flags32, Hex), ("mode", Uint32, Oct),
        ("resolve", Flags32, Hex),
    ]),
    /* 327 SYSCALL_OPENAT2_X */
    ev!("openat2", FILE | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("dirfd", Fd, Dec), ("name", FsRelPath, Na), ("flags", Flags32, Hex),
        ("mode", Uint32, Oct), ("resolve", Flags32, Hex), ("dev", Uint32, Hex),
        ("ino", Uint64, Dec),
    ]),
    /* 328 SYSCALL_MPROTECT_E */
    ev!("mprotect", MEMORY | SYSCALL; NONE; [
        ("addr", Uint64, Hex), ("length", Uint64, Dec), ("prot", Flags32, Hex),
    ]),
    /* 329 SYSCALL_MPROTECT_X */
    ev!("mprotect", MEMORY | SYSCALL; NONE; [("res", Errno, Dec)]),
    /* 330 SYSCALL_EXECVEAT_E */
    ev!("execveat", PROCESS | SYSCALL; MODIFIES_STATE; [
        ("dirfd", Fd, Dec), ("pathname", FsRelPath, Na), ("flags", Flags32, Hex),
    ]),
    /* 331 SYSCALL_EXECVEAT_X */
    ev!("execveat", PROCESS | SYSCALL; MODIFIES_STATE; [
        ("res", Errno, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Uint64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("comm", CharBuf, Na),
        ("cgroups", ByteBuf, Na), ("env", ByteBuf, Na), ("tty", Uint32, Dec), ("pgid", Pid, Dec),
        ("loginuid", Uid, Dec), ("flags", Flags32, Hex), ("cap_inheritable", Uint64, Hex),
        ("cap_permitted", Uint64, Hex), ("cap_effective", Uint64, Hex), ("exe_ino", Uint64, Dec),
        ("exe_ino_ctime", AbsTime, Dec), ("exe_ino_mtime", AbsTime, Dec), ("uid", Uid, Dec),
        ("trusted_exepath", FsPath, Na),
    ]),
    /* 332 SYSCALL_COPY_FILE_RANGE_E */
    ev!("copy_file_range", FILE | SYSCALL; USES_FD | READS_FROM_FD | WRITES_TO_FD; [
        ("fdin", Fd, Dec), ("offin", Uint64, Dec), ("len", Uint64, Dec),
    ]),
    /* 333 SYSCALL_COPY_FILE_RANGE_X */
    ev!("copy_file_range", FILE | SYSCALL; USES_FD | READS_FROM_FD | WRITES_TO_FD; [
        ("res", Errno, Dec), ("fdout", Fd, Dec), ("offout", Uint64, Dec),
    ]),
    /* 334 SYSCALL_CLONE3_E */
    ev!("clone3", PROCESS | SYSCALL; MODIFIES_STATE; []),
    /* 335 SYSCALL_CLONE3_X */
    ev!("clone3", PROCESS | SYSCALL; MODIFIES_STATE; [
        ("res", Pid, Dec), ("exe", CharBuf, Na), ("args", ByteBuf, Na), ("tid", Pid, Dec),
        ("pid", Pid, Dec), ("ptid", Pid, Dec), ("cwd", CharBuf, Na), ("fdlimit", Int64, Dec),
        ("pgft_maj", Uint64, Dec), ("pgft_min", Uint64, Dec), ("vm_size", Uint32, Dec),
        ("vm_rss", Uint32, Dec), ("vm_swap", Uint32, Dec), ("comm", CharBuf, Na),
        ("cgroups", ByteBuf, Na), ("flags", Flags32, Hex), ("uid", Uint32, Dec),
        ("gid", Uint32, Dec), ("vtid", Pid, Dec), ("vpid", Pid, Dec),
        ("pidns_init_start_ts", Uint64, Dec),
    ]),
    /* 336 SYSCALL_OPEN_BY_HANDLE_AT_E */
    ev!("open_by_handle_at", FILE | SYSCALL; CREATES_FD | MODIFIES_STATE; []),
    /* 337 SYSCALL_OPEN_BY_HANDLE_AT_X */
    ev!("open_by_handle_at", FILE | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("mountfd", Fd, Dec), ("flags", Flags32, Hex), ("path", FsPath, Na),
        ("dev", Uint32, Hex), ("ino", Uint64, Dec),
    ]),
    /* 338 SYSCALL_IO_URING_SETUP_E */
    ev!("io_uring_setup", IO_OTHER | SYSCALL; CREATES_FD | MODIFIES_STATE; []),
    /* 339 SYSCALL_IO_URING_SETUP_X */
    ev!("io_uring_setup", IO_OTHER | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("res", Errno, Dec), ("entries", Uint32, Dec), ("sq_entries", Uint32, Dec),
        ("cq_entries", Uint32, Dec), ("flags", Flags32, Hex), ("sq_thread_cpu", Uint32, Dec),
        ("sq_thread_idle", Uint32, Dec), ("features", Flags32, Hex),
    ]),
    /* 340 SYSCALL_IO_URING_ENTER_E */
    ev!("io_uring_enter", IO_OTHER | SYSCALL; NONE; []),
    /* 341 SYSCALL_IO_URING_ENTER_X */
    ev!("io_uring_enter", IO_OTHER | SYSCALL; USES_FD; [
        ("res", Errno, Dec), ("fd", Fd, Dec), ("to_submit", Uint32, Dec),
        ("min_complete", Uint32, Dec), ("flags", Flags32, Hex), ("sig", SigSet, Dec),
    ]),
    /* 342 SYSCALL_IO_URING_REGISTER_E */
    ev!("io_uring_register", IO_OTHER | SYSCALL; NONE; []),
    /* 343 SYSCALL_IO_URING_REGISTER_X */
    ev!("io_uring_register", IO_OTHER | SYSCALL; USES_FD; [
        ("res", Errno, Dec), ("fd", Fd, Dec), ("opcode", EnumFlags16, Dec), ("arg", Uint64, Hex),
        ("nr_args", Uint32, Dec),
    ]),
    /* 344 SYSCALL_MLOCK_E */
    ev!("mlock", MEMORY | SYSCALL; NONE; []),
    /* 345 SYSCALL_MLOCK_X */
    ev!("mlock", MEMORY | SYSCALL; NONE; [
        ("res", Errno, Dec), ("addr", Uint64, Hex), ("len", Uint64, Dec),
    ]),
    /* 346 SYSCALL_MUNLOCK_E */
    ev!("munlock", MEMORY | SYSCALL; NONE; []),
    /* 347 SYSCALL_MUNLOCK_X */
    ev!("munlock", MEMORY | SYSCALL; NONE; [
        ("res", Errno, Dec), ("addr", Uint64, Hex), ("len", Uint64, Dec),
    ]),
    /* 348 SYSCALL_MLOCKALL_E */
    ev!("mlockall", MEMORY | SYSCALL; NONE; []),
    /* 349 SYSCALL_MLOCKALL_X */
    ev!("mlockall", MEMORY | SYSCALL; NONE; [("res", Errno, Dec), ("flags", Flags32, Hex)]),
    /* 350 SYSCALL_MUNLOCKALL_E */
    ev!("munlockall", MEMORY | SYSCALL; NONE; []),
    /* 351 SYSCALL_MUNLOCKALL_X */
    ev!("munlockall", MEMORY | SYSCALL; NONE; [("res", Errno, Dec)]),
    /* 352 SYSCALL_CAPSET_E */
    ev!("capset", PROCESS | SYSCALL; MODIFIES_STATE; []),
    /* 353 SYSCALL_CAPSET_X */
    ev!("capset", PROCESS | SYSCALL; MODIFIES_STATE; [
        ("res", Errno, Dec), ("cap_inheritable", Uint64, Hex), ("cap_permitted", Uint64, Hex),
        ("cap_effective", Uint64, Hex),
    ]),
    /* 354 USER_ADDED_E */
    ev!("useradded", PROCESS | METAEVENT; MODIFIES_STATE; [
        ("uid", Uint32, Dec), ("gid", Uint32, Dec), ("name", CharBuf, Na), ("home", CharBuf, Na),
        ("shell", CharBuf, Na), ("container_id", CharBuf, Na),
    ]),
    /* 355 USER_ADDED_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 356 USER_DELETED_E */
    ev!("userdeleted", PROCESS | METAEVENT; MODIFIES_STATE; [
        ("uid", Uint32, Dec), ("gid", Uint32, Dec), ("name", CharBuf, Na), ("home", CharBuf, Na),
        ("shell", CharBuf, Na), ("container_id", CharBuf, Na),
    ]),
    /* 357 USER_DELETED_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 358 GROUP_ADDED_E */
    ev!("groupadded", PROCESS | METAEVENT; MODIFIES_STATE; [
        ("gid", Uint32, Dec), ("name", CharBuf, Na), ("container_id", CharBuf, Na),
    ]),
    /* 359 GROUP_ADDED_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 360 GROUP_DELETED_E */
    ev!("groupdeleted", PROCESS | METAEVENT; MODIFIES_STATE; [
        ("gid", Uint32, Dec), ("name", CharBuf, Na), ("container_id", CharBuf, Na),
    ]),
    /* 361 GROUP_DELETED_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 362 SYSCALL_DUP2_E */
    ev!("dup2", IO_OTHER | SYSCALL; CREATES_FD | USES_FD | MODIFIES_STATE; [("fd", Fd, Dec)]),
    /* 363 SYSCALL_DUP2_X */
    ev!("dup2", IO_OTHER | SYSCALL; CREATES_FD | USES_FD | MODIFIES_STATE; [
        ("res", Fd, Dec), ("oldfd", Fd, Dec), ("newfd", Fd, Dec),
    ]),
    /* 364 SYSCALL_DUP3_E */
    ev!("dup3", IO_OTHER | SYSCALL; CREATES_FD | USES_FD | MODIFIES_STATE; [("fd", Fd, Dec)]),
    /* 365 SYSCALL_DUP3_X */
    ev!("dup3", IO_OTHER | SYSCALL; CREATES_FD | USES_FD | MODIFIES_STATE; [
        ("res", Fd, Dec), ("oldfd", Fd, Dec), ("newfd", Fd, Dec), ("flags", Flags32, Hex),
    ]),
    /* 366 SYSCALL_DUP_1_E */
    ev!("dup", IO_OTHER | SYSCALL; CREATES_FD | USES_FD | MODIFIES_STATE; [("fd", Fd, Dec)]),
    /* 367 SYSCALL_DUP_1_X */
    ev!("dup", IO_OTHER | SYSCALL; CREATES_FD | USES_FD | MODIFIES_STATE; [
        ("res", Fd, Dec), ("oldfd", Fd, Dec),
    ]),
    /* 368 SYSCALL_BPF_2_E */
    ev!("bpf", OTHER | SYSCALL; CREATES_FD; [("cmd", Int64, Dec)]),
    /* 369 SYSCALL_BPF_2_X */
    ev!("bpf", OTHER | SYSCALL; CREATES_FD; [("fd", Fd, Dec), ("cmd", EnumFlags32, Dec)]),
    /* 370 SYSCALL_MLOCK2_E */
    ev!("mlock2", MEMORY | SYSCALL; NONE; []),
    /* 371 SYSCALL_MLOCK2_X */
    ev!("mlock2", MEMORY | SYSCALL; NONE; [
        ("res", Errno, Dec), ("addr", Uint64, Hex), ("len", Uint64, Dec), ("flags", Flags32, Hex),
    ]),
    /* 372 SYSCALL_FSCONFIG_E */
    ev!("fsconfig", SYSTEM | SYSCALL; NONE; []),
    /* 373 SYSCALL_FSCONFIG_X */
    ev!("fsconfig", SYSTEM | SYSCALL; USES_FD; [
        ("res", Errno, Dec), ("fd", Fd, Dec), ("cmd", EnumFlags32, Dec), ("key", CharBuf, Na),
        ("value_bytebuf", ByteBuf, Na), ("value_charbuf", CharBuf, Na), ("aux", Int32, Dec),
    ]),
    /* 374 SYSCALL_EPOLL_CREATE_E */
    ev!("epoll_create", WAIT | SYSCALL; CREATES_FD | MODIFIES_STATE; [("size", Int32, Dec)]),
    /* 375 SYSCALL_EPOLL_CREATE_X */
    ev!("epoll_create", WAIT | SYSCALL; CREATES_FD | MODIFIES_STATE; [("res", Errno, Dec)]),
    /* 376 SYSCALL_EPOLL_CREATE1_E */
    ev!("epoll_create1", WAIT | SYSCALL; CREATES_FD | MODIFIES_STATE; [("flags", Flags32, Hex)]),
    /* 377 SYSCALL_EPOLL_CREATE1_X */
    ev!("epoll_create1", WAIT | SYSCALL; CREATES_FD | MODIFIES_STATE; [("res", Errno, Dec)]),
    /* 378 SYSCALL_CHOWN_E */
    ev!("chown", FILE | SYSCALL; NONE; []),
    /* 379 SYSCALL_CHOWN_X */
    ev!("chown", FILE | SYSCALL; NONE; [
        ("res", Errno, Dec), ("path", FsPath, Na), ("uid", Uint32, Dec), ("gid", Uint32, Dec),
    ]),
    /* 380 SYSCALL_LCHOWN_E */
    ev!("lchown", FILE | SYSCALL; NONE; []),
    /* 381 SYSCALL_LCHOWN_X */
    ev!("lchown", FILE | SYSCALL; NONE; [
        ("res", Errno, Dec), ("path", FsPath, Na), ("uid", Uint32, Dec), ("gid", Uint32, Dec),
    ]),
    /* 382 SYSCALL_FCHOWN_E */
    ev!("fchown", FILE | SYSCALL; NONE; []),
    /* 383 SYSCALL_FCHOWN_X */
    ev!("fchown", FILE | SYSCALL; USES_FD; [
        ("res", Errno, Dec), ("fd", Fd, Dec), ("uid", Uint32, Dec), ("gid", Uint32, Dec),
    ]),
    /* 384 SYSCALL_FCHOWNAT_E */
    ev!("fchownat", FILE | SYSCALL; NONE; []),
    /* 385 SYSCALL_FCHOWNAT_X */
    ev!("fchownat", FILE | SYSCALL; NONE; [
        ("res", Errno, Dec), ("dirfd", Fd, Dec), ("pathname", FsRelPath, Na), ("uid", Uint32, Dec),
        ("gid", Uint32, Dec), ("flags", Flags32, Hex),
    ]),
    /* 386 SYSCALL_UMOUNT_1_E */
    ev!("umount", FILE | SYSCALL; MODIFIES_STATE; []),
    /* 387 SYSCALL_UMOUNT_1_X */
    ev!("umount", FILE | SYSCALL; MODIFIES_STATE; [("res", Errno, Dec), ("name", FsPath, Na)]),
    /* 388 SOCKET_ACCEPT4_6_E */
    ev!("accept4", NET | SYSCALL; CREATES_FD | MODIFIES_STATE; [("flags", Int32, Hex)]),
    /* 389 SOCKET_ACCEPT4_6_X */
    ev!("accept4", NET | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("tuple", SockTuple, Na), ("queuepct", Uint8, Dec),
        ("queuelen", Uint32, Dec), ("queuemax", Uint32, Dec),
    ]),
    /* 390 SYSCALL_UMOUNT2_E */
    ev!("umount2", FILE | SYSCALL; MODIFIES_STATE; [("flags", Flags32, Hex)]),
    /* 391 SYSCALL_UMOUNT2_X */
    ev!("umount2", FILE | SYSCALL; MODIFIES_STATE; [("res", Errno, Dec), ("name", FsPath, Na)]),
    /* 392 SYSCALL_PIPE2_E */
    ev!("pipe2", IPC | SYSCALL; CREATES_FD | MODIFIES_STATE; []),
    /* 393 SYSCALL_PIPE2_X */
    ev!("pipe2", IPC | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("res", Errno, Dec), ("fd1", Fd, Dec), ("fd2", Fd, Dec), ("ino", Uint64, Dec),
        ("flags", Flags32, Hex),
    ]),
    /* 394 SYSCALL_INOTIFY_INIT1_E */
    ev!("inotify_init1", IPC | SYSCALL; CREATES_FD | MODIFIES_STATE; []),
    /* 395 SYSCALL_INOTIFY_INIT1_X */
    ev!("inotify_init1", IPC | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("res", Fd, Dec), ("flags", Flags16, Hex),
    ]),
    /* 396 SYSCALL_EVENTFD2_E */
    ev!("eventfd2", IPC | SYSCALL; CREATES_FD | MODIFIES_STATE; [("initval", Uint64, Dec)]),
    /* 397 SYSCALL_EVENTFD2_X */
    ev!("eventfd2", IPC | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("res", Fd, Dec), ("flags", Flags16, Hex),
    ]),
    /* 398 SYSCALL_SIGNALFD4_E */
    ev!("signalfd4", SIGNAL | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("mask", Uint32, Hex),
    ]),
    /* 399 SYSCALL_SIGNALFD4_X */
    ev!("signalfd4", SIGNAL | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("res", Fd, Dec), ("flags", Flags16, Hex),
    ]),
    /* 400 SYSCALL_PRCTL_E */
    ev!("prctl", PROCESS | SYSCALL; MODIFIES_STATE; []),
    /* 401 SYSCALL_PRCTL_X */
    ev!("prctl", PROCESS | SYSCALL; MODIFIES_STATE; [
        ("res", Errno, Dec), ("option", EnumFlags32, Dec), ("arg2_str", CharBuf, Na),
        ("arg2_int", Int64, Dec),
    ]),
    /* 402 ASYNCEVENT_E */
    ev!("asyncevent", OTHER | METAEVENT; LARGE_PAYLOAD; [
        ("plugin_id", Uint32, Dec), ("name", CharBuf, Na), ("data", ByteBuf, Na),
    ]),
    /* 403 ASYNCEVENT_X */
    ev!("NA", UNKNOWN; UNUSED; []),
    /* 404 SYSCALL_MEMFD_CREATE_E */
    ev!("memfd_create", MEMORY | SYSCALL; CREATES_FD | MODIFIES_STATE; []),
    /* 405 SYSCALL_MEMFD_CREATE_X */
    ev!("memfd_create", MEMORY | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("name", CharBuf, Na), ("flags", Flags32, Hex),
    ]),
    /* 406 SYSCALL_PIDFD_GETFD_E */
    ev!("pidfd_getfd", PROCESS | SYSCALL; CREATES_FD | MODIFIES_STATE; []),
    /* 407 SYSCALL_PIDFD_GETFD_X */
    ev!("pidfd_getfd", PROCESS | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("pid_fd", Fd, Dec), ("target_fd", Fd, Dec), ("flags", Uint32, Hex),
    ]),
    /* 408 SYSCALL_PIDFD_OPEN_E */
    ev!("pidfd_open", PROCESS | SYSCALL; CREATES_FD | MODIFIES_STATE; []),
    /* 409 SYSCALL_PIDFD_OPEN_X */
    ev!("pidfd_open", PROCESS | SYSCALL; CREATES_FD | MODIFIES_STATE; [
        ("fd", Fd, Dec), ("pid", Pid, Dec), ("flags", Flags32, Hex),
    ]),
    /* 410 SYSCALL_INIT_MODULE_E */
    ev!("init_module", OTHER | SYSCALL; NONE; []),
    /* 411 SYSCALL_INIT_MODULE_X */
    ev!("init_module", OTHER | SYSCALL; NONE; [
        ("res", Errno, Dec), ("img", ByteBuf, Na), ("length", Uint64, Dec), ("uargs", CharBuf, Na),
    ]),
    /* 412 SYSCALL_FINIT_MODULE_E */
    ev!("finit_module", OTHER | SYSCALL; NONE; []),
    /* 413 SYSCALL_FINIT_MODULE_X */
    ev!("finit_module", OTHER | SYSCALL; USES_FD | READS_FROM_FD; [
        ("res", Errno, Dec), ("fd", Fd, Dec), ("uargs", CharBuf, Na), ("flags", Flags32, Hex),
    ]),
    /* 414 SYSCALL_MKNOD_E */
    ev!("mknod", OTHER | SYSCALL; NONE; []),
    /* 415 SYSCALL_MKNOD_X */
    ev!("mknod", OTHER | SYSCALL; NONE; [
        ("res", Errno, Dec), ("path", FsPath, Na), ("mode", Mode, Oct), ("dev", Uint32, Dec),
    ]),
    /* 416 SYSCALL_MKNODAT_E */
    ev!("mknodat", OTHER | SYSCALL; NONE; []),
    /* 417 SYSCALL_MKNODAT_X */
    ev!("mknodat", OTHER | SYSCALL; USES_FD; [
        ("res", Errno, Dec), ("dirfd", Fd, Dec), ("path", FsRelPath, Na), ("mode", Mode, Oct),
        ("dev", Uint32, Dec),
    ]),
    /* 418 SYSCALL_NEWFSTATAT_E */
    ev!("newfstatat", FILE | SYSCALL; NONE; []),
    /* 419 SYSCALL_NEWFSTATAT_X */
    ev!("newfstatat", FILE | SYSCALL; USES_FD; [
        ("res", Errno, Dec), ("dirfd", Fd, Dec), ("path", FsRelPath, Na), ("flags", Flags32, Hex),
    ]),
    /* 420 SYSCALL_PROCESS_VM_READV_E */
    ev!("process_vm_readv", IPC | SYSCALL; NONE; []),
    /* 421 SYSCALL_PROCESS_VM_READV_X */
    ev!("process_vm_readv", IPC | SYSCALL; NONE; [
        ("res", Int64, Dec), ("pid", Pid, Dec), ("data", ByteBuf, Na),
    ]),
    /* 422 SYSCALL_PROCESS_VM_WRITEV_E */
    ev!("process_vm_writev", IPC | SYSCALL; NONE; []),
    /* 423 SYSCALL_PROCESS_VM_WRITEV_X */
    ev!("process_vm_writev", IPC | SYSCALL; NONE; [
        ("res", Int64, Dec), ("pid", Pid, Dec), ("data", ByteBuf, Na),
    ]),
    /* 424 SYSCALL_DELETE_MODULE_E */
    ev!("delete_module", OTHER | SYSCALL; NONE; []),
    /* 425 SYSCALL_DELETE_MODULE_X */
    ev!("delete_module", OTHER | SYSCALL; NONE; [
        ("res", Errno, Dec), ("name", CharBuf, Na), ("flags", Flags32, Hex),
    ]),
    /* 426 SYSCALL_SETREUID_E */
    ev!("setreuid", USER | SYSCALL; MODIFIES_STATE; []),
    /* 427 SYSCALL_SETREUID_X */
    ev!("setreuid", USER | SYSCALL; MODIFIES_STATE; [
        ("res", Errno, Dec), ("ruid", Uid, Dec), ("euid", Uid, Dec),
    ]),
    /* 428 SYSCALL_SETREGID_E */
    ev!("setregid", USER | SYSCALL; NONE; []),
    /* 429 SYSCALL_SETREGID_X */
    ev!("setregid", USER | SYSCALL; MODIFIES_STATE; [
        ("res", Errno, Dec), ("rgid", Uid, Dec), ("egid", Uid, Dec),
    ]),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn names(e: &EventInfo) -> Vec<&'static str> {
        e.params.iter().map(|p| p.name).collect()
    }

    #[test]
    fn table_is_dense_up_to_the_last_code() {
        assert_eq!(EVENT_TABLE.len(), code::SYSCALL_SETREGID_X as usize + 1);
        assert_eq!(EVENT_TABLE.len(), EVENT_MAX as usize);
        assert_eq!(CODE_NAMES.len(), EVENT_MAX as usize);
        assert!(event_info(EVENT_MAX).is_none());
        assert!(event_info(EVENT_MAX - 1).is_some());
    }

    #[test]
    fn code_names_follow_enter_exit_pairs() {
        for (i, n) in CODE_NAMES.iter().enumerate() {
            let suffix = if EventInfo::is_enter(i as u16) {
                "_E"
            } else {
                "_X"
            };
            assert!(n.ends_with(suffix), "{i} {n}");
            if i % 2 == 1 {
                assert_eq!(
                    n[..n.len() - 2],
                    CODE_NAMES[i - 1][..CODE_NAMES[i - 1].len() - 2]
                );
            }
        }
        assert_eq!(code_name(code::GENERIC_E), Some("GENERIC_E"));
        assert_eq!(
            code_name(code::SYSCALL_EXECVE_19_X),
            Some("SYSCALL_EXECVE_19_X")
        );
        assert_eq!(
            code_name(code::CONTAINER_JSON_2_E),
            Some("CONTAINER_JSON_2_E")
        );
        assert_eq!(
            code_name(code::SOCKET_ACCEPT4_6_X),
            Some("SOCKET_ACCEPT4_6_X")
        );
        assert_eq!(code_name(code::K8S_E), Some("K8S_E"));
    }

    #[test]
    fn pairs_share_their_name_unless_the_exit_is_a_placeholder() {
        for c in (0..EVENT_MAX).step_by(2) {
            let e = event_info(c).unwrap();
            let x = event_info(c + 1).unwrap();
            assert_ne!(e.name, "NA", "enter slot {c} is a placeholder");
            if x.name == "NA" {
                assert!(x.is_unused(), "{}", c + 1);
                assert_eq!(x.category, Category::UNKNOWN);
                assert!(x.params.is_empty());
            } else {
                assert_eq!(e.name, x.name, "code {c}");
            }
        }
        // Exit slots that are placeholders in the C table.
        let placeholders: Vec<u16> = (0..EVENT_MAX)
            .filter(|&c| event_info(c).unwrap().name == "NA")
            .collect();
        assert_eq!(
            placeholders,
            vec![
                code::PROCEXIT_X,
                code::SCHEDSWITCH_1_X,
                code::SCHEDSWITCH_6_X,
                code::PROCEXIT_1_X,
                code::CONTAINER_X,
                code::SIGNALDELIVER_X,
                code::PROCINFO_X,
                code::CPU_HOTPLUG_X,
                code::K8S_X,
                code::MESOS_X,
                code::CONTAINER_JSON_X,
                code::NOTIFICATION_X,
                code::INFRASTRUCTURE_EVENT_X,
                code::PAGE_FAULT_X,
                code::PLUGINEVENT_X,
                code::CONTAINER_JSON_2_X,
                code::USER_ADDED_X,
                code::USER_DELETED_X,
                code::GROUP_ADDED_X,
                code::GROUP_DELETED_X,
                code::ASYNCEVENT_X,
            ]
        );
        // The scapevent exit keeps its name but is unused.
        assert!(event_info(code::SCAPEVENT_X).unwrap().is_unused());
    }

    #[test]
    fn structural_invariants() {
        for (i, e) in EVENT_TABLE.iter().enumerate() {
            assert!(e.nparams() <= 32, "{i}");
            let n = names(e);
            let mut dedup = n.clone();
            dedup.sort_unstable();
            dedup.dedup();
            assert_eq!(dedup.len(), n.len(), "duplicate parameter name in {i}");
            assert!(!e.flags.contains(EventFlags::DROP_SIMPLE_CONS), "{i}");
            if e.name != "NA" {
                assert_ne!(e.category.source(), Category::UNKNOWN, "{i} has no source");
                assert_ne!(e.category.kind(), Category::UNKNOWN, "{i} has no kind");
            }
            for p in e.params {
                assert_eq!(ParamType::from_u8(p.ptype as u8), Some(p.ptype));
                assert_eq!(PrintFormat::from_u8(p.fmt as u8), Some(p.fmt));
            }
        }
    }

    #[test]
    fn large_payload_events() {
        let large: Vec<u16> = (0..EVENT_MAX)
            .filter(|&c| event_info(c).unwrap().has_large_payload())
            .collect();
        assert_eq!(
            large,
            vec![
                code::PLUGINEVENT_E,
                code::CONTAINER_JSON_2_E,
                code::ASYNCEVENT_E
            ]
        );
        assert_eq!(
            event_info(code::CONTAINER_JSON_2_E)
                .unwrap()
                .param_len_size(),
            4
        );
        assert!(!event_info(code::CONTAINER_JSON_E)
            .unwrap()
            .has_large_payload());
        assert!(!event_info(code::K8S_E).unwrap().has_large_payload());
        assert_eq!(event_info(code::K8S_E).unwrap().param_len_size(), 2);
        assert!(!event_info(code::SYSCALL_EXECVE_19_X)
            .unwrap()
            .has_large_payload());
    }

    #[test]
    fn spot_checks() {
        assert_eq!(code::SYSCALL_OPEN_E, 2);
        assert_eq!(code::SYSCALL_OPEN_X, 3);
        assert_eq!(event_info(2).unwrap().name, "open");
        assert_eq!(event_info(3).unwrap().name, "open");
        assert_eq!(
            names(event_info(3).unwrap()),
            ["fd", "name", "flags", "mode", "dev", "ino"]
        );
        assert_eq!(
            event_info(3).unwrap().category,
            Category::FILE | Category::SYSCALL
        );
        assert_eq!(
            event_info(3).unwrap().flags,
            EventFlags::CREATES_FD | EventFlags::MODIFIES_STATE
        );

        let read_x = event_info(code::SYSCALL_READ_X).unwrap();
        assert_eq!(read_x.name, "read");
        assert_eq!(
            read_x.params[0],
            ParamInfo {
                name: "res",
                ptype: ParamType::Errno,
                fmt: PrintFormat::Dec
            }
        );
        assert_eq!(
            read_x.params[1],
            ParamInfo {
                name: "data",
                ptype: ParamType::ByteBuf,
                fmt: PrintFormat::Na
            }
        );
        assert_eq!(read_x.nparams(), 2);
        assert!(read_x.category.is_io());
        assert_eq!(read_x.category.kind(), Category::IO_READ);

        let ex = event_info(code::SYSCALL_EXECVE_19_X).unwrap();
        assert_eq!(code::SYSCALL_EXECVE_19_X, 293);
        assert_eq!(ex.nparams(), 28);
        assert_eq!(ex.param_index("res"), Some(0));
        assert_eq!(ex.param_index("env"), Some(15));
        assert_eq!(ex.param_index("trusted_exepath"), Some(27));
        assert_eq!(ex.param("exe_ino_ctime").unwrap().ptype, ParamType::AbsTime);
        assert_eq!(event_info(code::SYSCALL_EXECVE_19_E).unwrap().nparams(), 1);
        assert_eq!(event_info(code::SYSCALL_EXECVE_8_X).unwrap().nparams(), 8);
        assert!(event_info(code::SYSCALL_EXECVE_8_X)
            .unwrap()
            .is_old_version());
        assert_eq!(event_info(code::SYSCALL_EXECVE_18_X).unwrap().nparams(), 17);
        assert_eq!(event_info(code::SYSCALL_EXECVEAT_X).unwrap().nparams(), 28);

        for c in [
            code::SYSCALL_CLONE_20_X,
            code::SYSCALL_FORK_20_X,
            code::SYSCALL_VFORK_20_X,
            code::SYSCALL_CLONE3_X,
        ] {
            assert_eq!(event_info(c).unwrap().nparams(), 21);
        }
        assert_eq!(event_info(code::SYSCALL_CLONE_11_X).unwrap().nparams(), 11);
        assert_eq!(event_info(code::SYSCALL_CLONE_16_X).unwrap().nparams(), 16);
        assert_eq!(event_info(code::SYSCALL_CLONE_17_X).unwrap().nparams(), 17);

        assert_eq!(code::CONTAINER_E, 228);
        assert_eq!(event_info(code::CONTAINER_E).unwrap().name, "container");
        assert_eq!(
            event_info(code::CONTAINER_JSON_E).unwrap().name,
            "container"
        );
        assert_eq!(code::K8S_E, 260);
        assert_eq!(event_info(code::K8S_E).unwrap().name, "k8s");
        assert_eq!(code::PROCINFO_E, 234);
        assert_eq!(event_info(code::PROCINFO_E).unwrap().name, "procinfo");
        assert_eq!(event_info(code::SCHEDSWITCH_6_E).unwrap().name, "switch");
        assert_eq!(
            event_info(code::SIGNALDELIVER_E).unwrap().name,
            "signaldeliver"
        );
        assert_eq!(event_info(code::PROCEXIT_1_E).unwrap().name, "procexit");
        assert_eq!(code::PLUGINEVENT_E, 322);
        assert_eq!(code::CONTAINER_JSON_2_E, 324);
        assert_eq!(code::ASYNCEVENT_E, 402);
        assert_eq!(event_info(code::ASYNCEVENT_E).unwrap().name, "asyncevent");
        assert_eq!(
            event_info(code::SOCKET_ACCEPT4_6_X).unwrap().name,
            "accept4"
        );
        assert_eq!(event_info(code::SOCKET_ACCEPT4_X).unwrap().name, "accept");
        assert_eq!(event_info(code::USER_ADDED_E).unwrap().name, "useradded");
        assert_eq!(
            event_info(code::SYSCALL_SETREGID_X).unwrap().name,
            "setregid"
        );
        assert_eq!(code::SYSCALL_DELETE_MODULE_X, 425);

        let gen = event_info(code::GENERIC_E).unwrap();
        assert_eq!(gen.params[0].ptype, ParamType::SyscallId);
        assert_eq!(gen.params[1].ptype, ParamType::Uint16);
        assert_eq!(
            event_info(code::SOCKET_CONNECT_X).unwrap().params[1].ptype,
            ParamType::SockTuple
        );
        assert_eq!(
            event_info(code::SYSCALL_OPENAT_2_X).unwrap().params[2].ptype,
            ParamType::FsRelPath
        );
        assert!(event_info(code::DROP_E)
            .unwrap()
            .flags
            .contains(EventFlags::SKIPPARSERESET));
        assert_eq!(
            event_info(code::DROP_E).unwrap().category.source(),
            Category::METAEVENT
        );
        assert_eq!(
            event_info(code::PROCEXIT_1_E).unwrap().category.source(),
            Category::TRACEPOINT
        );

        assert_eq!(codes_named("execve").count(), 2 * 8);
        assert!(EventInfo::is_enter(code::SYSCALL_OPEN_E));
        assert!(EventInfo::is_exit(code::SYSCALL_OPEN_X));
        assert_eq!(EventInfo::direction(code::SYSCALL_OPEN_X), '<');
        assert_eq!(paired_code(code::SYSCALL_OPEN_X), code::SYSCALL_OPEN_E);
    }

    #[test]
    fn param_types() {
        assert_eq!(ParamType::from_u8(0), Some(ParamType::None));
        assert_eq!(ParamType::from_u8(1), Some(ParamType::Int8));
        assert_eq!(ParamType::from_u8(14), Some(ParamType::Fd));
        assert_eq!(ParamType::from_u8(27), Some(ParamType::Dyn));
        assert_eq!(ParamType::from_u8(43), Some(ParamType::FsRelPath));
        assert_eq!(ParamType::from_u8(46), Some(ParamType::EnumFlags32));
        assert_eq!(ParamType::from_u8(47), None);
        for (i, t) in ParamType::ALL.iter().enumerate() {
            assert_eq!(*t as usize, i);
        }
        assert_eq!(ParamType::Errno.fixed_size(), Some(8));
        assert_eq!(ParamType::SyscallId.fixed_size(), Some(2));
        assert_eq!(ParamType::SigType.fixed_size(), Some(1));
        assert_eq!(ParamType::Uid.fixed_size(), Some(4));
        assert_eq!(ParamType::Ipv6Addr.fixed_size(), Some(16));
        assert_eq!(ParamType::ByteBuf.fixed_size(), None);
        assert_eq!(ParamType::SockTuple.fixed_size(), None);
        assert_eq!(PrintFormat::from_u8(6), Some(PrintFormat::Oct));
        assert_eq!(PrintFormat::from_u8(7), None);
    }
}
