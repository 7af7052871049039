//! Writer of scap captures, format version 1.2, in the block layouts that sysdig 0.29.3 and
//! later falcosecurity/libs read: a section header without options, then the metadata
//! blocks (machine info, interface list, user list, process list, fd lists) and one block per
//! event.
//!
//! Owns: the byte layout of every block it writes, the 4-byte padding and the trailing block
//! length. Must not: decide what goes into a capture or in which order. Callers write the
//! metadata blocks before the first event, as libscap does; libscap stops looking for
//! metadata at the first event block.
//!
//! Block versions written (every one of them read by sysdig 0.29.3):
//! - process list `PL_V9` (0x215): each entry carries its own length, so fields that this
//!   crate does not model (capabilities, tty, ...) may be left out and readers still agree;
//! - fd list `FDL_V2` (0x218), user list `UL_V2` (0x220), interface list `IL_V2` (0x219):
//!   sized entries, for the same reason;
//! - events `EV_V2` (0x216) or, with per-event flags, `EVF_V2` (0x217): the 26-byte header
//!   with its parameter count, so no reader has to guess the count from the event table.
//!   Events flagged `LARGE_PAYLOAD` in the table (32-bit parameter lengths) go into
//!   `EV_V2_LARGE` / `EVF_V2_LARGE` (0x221 / 0x222) as libs writes them.
//!
//! What is written is what the caller gives: fds of kinds newer than sysdig 0.29.3 (memfd,
//! pidfd) are kept, and sysdig 0.29.3 then refuses the fd list ("wrong fd type"); newer libs
//! read it.

use crate::block::{self, FdDetail, FdKind, FdList, Interface, MachineInfo, ThreadInfo, UserList};
use crate::event::{EventRef, HEADER_LEN, MAX_PARAMS};
use crate::reader::Block;
use crate::table;
use flate2::write::GzEncoder;
use std::io::{self, Write};
use std::net::IpAddr;

/// Format version written in the section header.
pub const WRITE_MAJOR: u16 = 1;
pub const WRITE_MINOR: u16 = 2;

/// Size of the hostname field of the machine info block (NUL-padded).
const HOSTNAME_LEN: usize = 128;
/// The machine info block ends with four reserved 64-bit words in libs' layout.
const MACHINE_INFO_RESERVED: usize = 4 * 8;
/// Interface entry types with a link speed field (`SCAP_II_IPV4`, `SCAP_II_IPV6`).
const IFACE_IPV4: u16 = 1;
const IFACE_IPV6: u16 = 2;
/// User list entry kinds.
const USER_ENTRY: u8 = 0;
const GROUP_ENTRY: u8 = 1;

/// Whether the capture is gzip-compressed as a whole (sysdig reads both).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Compression {
    #[default]
    None,
    Gzip,
}

enum Sink<W: Write> {
    Plain(W),
    Gzip(GzEncoder<W>),
}

impl<W: Write> Sink<W> {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.write_all(bytes),
            Sink::Gzip(w) => w.write_all(bytes),
        }
    }
}

/// Writes a capture block by block. Wrap files in a `BufWriter`: each block is one
/// `write_all` call.
pub struct ScapWriter<W: Write> {
    sink: Sink<W>,
    /// The block being assembled, reused from block to block.
    block: Vec<u8>,
    bytes_written: u64,
    events_written: u64,
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Appends little-endian values to a block under construction.
trait Put {
    fn put_u8(&mut self, v: u8);
    fn put_u16(&mut self, v: u16);
    fn put_u32(&mut self, v: u32);
    fn put_u64(&mut self, v: u64);
    fn put_i64(&mut self, v: i64);
    /// A byte string prefixed by its 16-bit length.
    fn put_lbytes16(&mut self, what: &str, b: &[u8]) -> io::Result<()>;
    /// Reserves a 32-bit length at the current position; see `patch_len32`.
    fn reserve_len32(&mut self) -> usize;
    /// Stores at `at` the number of bytes from `counted_from` to the end.
    fn patch_len32(&mut self, at: usize, counted_from: usize) -> io::Result<()>;
}

impl Put for Vec<u8> {
    fn put_u8(&mut self, v: u8) {
        self.push(v);
    }
    fn put_u16(&mut self, v: u16) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_u32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_u64(&mut self, v: u64) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_i64(&mut self, v: i64) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_lbytes16(&mut self, what: &str, b: &[u8]) -> io::Result<()> {
        let len = u16::try_from(b.len())
            .map_err(|_| invalid(format!("{what} of {} bytes does not fit a 16-bit length", b.len())))?;
        self.put_u16(len);
        self.extend_from_slice(b);
        Ok(())
    }
    fn reserve_len32(&mut self) -> usize {
        let at = self.len();
        self.put_u32(0);
        at
    }
    fn patch_len32(&mut self, at: usize, counted_from: usize) -> io::Result<()> {
        let len = u32::try_from(self.len() - counted_from).map_err(|_| invalid("entry longer than 4 GiB".into()))?;
        self[at..at + 4].copy_from_slice(&len.to_le_bytes());
        Ok(())
    }
}

impl<W: Write> ScapWriter<W> {
    /// Starts an uncompressed capture: writes the section header.
    pub fn new(out: W) -> io::Result<Self> {
        Self::with_compression(out, Compression::None)
    }

    /// Starts a capture, gzip-compressed or not: writes the section header.
    pub fn with_compression(out: W, compression: Compression) -> io::Result<Self> {
        let sink = match compression {
            Compression::None => Sink::Plain(out),
            Compression::Gzip => Sink::Gzip(GzEncoder::new(out, flate2::Compression::default())),
        };
        let mut w = ScapWriter { sink, block: Vec::with_capacity(1 << 12), bytes_written: 0, events_written: 0 };
        w.begin_block(block::SHB);
        w.block.put_u32(block::SHB_MAGIC);
        w.block.put_u16(WRITE_MAJOR);
        w.block.put_u16(WRITE_MINOR);
        // Section length: -1, "not specified", as every libscap writer leaves it.
        w.block.put_u64(u64::MAX);
        w.end_block()?;
        Ok(w)
    }

    /// Uncompressed bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.bytes_written
    }

    /// Event blocks written so far.
    pub fn events_written(&self) -> u64 {
        self.events_written
    }

    fn begin_block(&mut self, block_type: u32) {
        self.block.clear();
        self.block.put_u32(block_type);
        self.block.put_u32(0); // total length, patched by end_block
    }

    /// Pads the body to a multiple of 4 bytes, adds the trailing length and writes the block.
    fn end_block(&mut self) -> io::Result<()> {
        let padding = (4 - self.block.len() % 4) % 4;
        self.block.resize(self.block.len() + padding, 0);
        let total = u32::try_from(self.block.len() + 4)
            .map_err(|_| invalid(format!("block of {} bytes is longer than 4 GiB", self.block.len())))?;
        self.block[4..8].copy_from_slice(&total.to_le_bytes());
        self.block.put_u32(total);
        self.sink.write_all(&self.block)?;
        self.bytes_written += total as u64;
        Ok(())
    }

    /// Writes the machine info block.
    pub fn write_machine_info(&mut self, mi: &MachineInfo) -> io::Result<()> {
        self.begin_block(block::MI);
        self.block.put_u32(mi.num_cpus);
        self.block.put_u64(mi.memory_bytes);
        self.block.put_u64(mi.max_pid);
        // Fixed NUL-padded field; keep at least one NUL so C readers see a terminated string.
        let mut hostname = [0u8; HOSTNAME_LEN];
        let name = mi.hostname.as_bytes();
        let n = name.len().min(HOSTNAME_LEN - 1);
        hostname[..n].copy_from_slice(&name[..n]);
        self.block.extend_from_slice(&hostname);
        self.block.resize(self.block.len() + MACHINE_INFO_RESERVED, 0);
        self.end_block()
    }

    /// Writes an interface list block (`IL_V2`). Broadcast addresses and link speeds are not
    /// modelled by [`Interface`] and are written as zero.
    pub fn write_interface_list(&mut self, interfaces: &[Interface]) -> io::Result<()> {
        self.begin_block(block::IL_V2);
        for iface in interfaces {
            // The entry length counts the bytes after itself.
            let len_at = self.block.reserve_len32();
            let name = iface.name.as_bytes();
            let name_len =
                u16::try_from(name.len()).map_err(|_| invalid(format!("interface name of {} bytes", name.len())))?;
            match (iface.addr, iface.netmask) {
                (IpAddr::V4(addr), IpAddr::V4(mask)) => {
                    self.block.put_u16(IFACE_IPV4);
                    self.block.put_u16(name_len);
                    self.block.extend_from_slice(&addr.octets());
                    self.block.extend_from_slice(&mask.octets());
                    self.block.extend_from_slice(&[0; 4]);
                }
                (IpAddr::V6(addr), IpAddr::V6(mask)) => {
                    self.block.put_u16(IFACE_IPV6);
                    self.block.put_u16(name_len);
                    self.block.extend_from_slice(&addr.octets());
                    self.block.extend_from_slice(&mask.octets());
                    self.block.extend_from_slice(&[0; 16]);
                }
                _ => {
                    return Err(invalid(format!("interface {}: address and netmask of different families", iface.name)))
                }
            }
            self.block.put_u64(0); // link speed
            self.block.extend_from_slice(name);
            self.block.patch_len32(len_at, len_at + 4)?;
        }
        self.end_block()
    }

    /// Writes the user list block (`UL_V2`): users, then groups.
    pub fn write_user_list(&mut self, list: &UserList) -> io::Result<()> {
        self.begin_block(block::UL_V2);
        for user in &list.users {
            // The entry length counts itself.
            let start = self.block.reserve_len32();
            self.block.put_u8(USER_ENTRY);
            self.block.put_u32(user.uid);
            self.block.put_u32(user.gid);
            self.block.put_lbytes16("user name", user.name.as_bytes())?;
            self.block.put_lbytes16("home directory", user.home.as_bytes())?;
            self.block.put_lbytes16("shell", user.shell.as_bytes())?;
            self.block.patch_len32(start, start)?;
        }
        for group in &list.groups {
            let start = self.block.reserve_len32();
            self.block.put_u8(GROUP_ENTRY);
            self.block.put_u32(group.gid);
            self.block.put_lbytes16("group name", group.name.as_bytes())?;
            self.block.patch_len32(start, start)?;
        }
        self.end_block()
    }

    /// Writes the process list block (`PL_V9`), one entry per thread.
    pub fn write_process_list(&mut self, threads: &[ThreadInfo]) -> io::Result<()> {
        self.begin_block(block::PL_V9);
        for t in threads {
            // The entry length counts itself.
            let start = self.block.reserve_len32();
            let b = &mut self.block;
            b.put_i64(t.tid);
            b.put_i64(t.pid);
            b.put_i64(t.ptid);
            b.put_i64(t.sid);
            b.put_i64(t.vpgid);
            b.put_lbytes16("comm", t.comm.as_bytes())?;
            b.put_lbytes16("exe", t.exe.as_bytes())?;
            b.put_lbytes16("exepath", t.exepath.as_bytes())?;
            b.put_lbytes16("args", &t.args)?;
            b.put_lbytes16("cwd", t.cwd.as_bytes())?;
            b.put_u64(t.fdlimit);
            b.put_u32(t.flags);
            b.put_u32(t.uid);
            b.put_u32(t.gid);
            b.put_u32(t.vmsize_kb);
            b.put_u32(t.vmrss_kb);
            b.put_u32(t.vmswap_kb);
            b.put_u64(t.pfmajor);
            b.put_u64(t.pfminor);
            b.put_lbytes16("env", &t.env)?;
            b.put_i64(t.vtid);
            b.put_i64(t.vpid);
            b.put_lbytes16("cgroups", &t.cgroups)?;
            b.put_lbytes16("root", t.root.as_bytes())?;
            // Optional tail. Only loginuid is modelled; an entry that ends with it (at most
            // 29 trailing bytes) is read as a pre-0.10 entry by every libs version, which is
            // what keeps loginuid at the same place for old and new readers.
            if let Some(loginuid) = t.loginuid {
                b.put_u32(loginuid);
            }
            b.patch_len32(start, start)?;
        }
        self.end_block()
    }

    /// Writes one fd list block (`FDL_V2`): the fds of one process.
    pub fn write_fd_list(&mut self, list: &FdList) -> io::Result<()> {
        self.begin_block(block::FDL_V2);
        self.block.put_i64(list.tid);
        for fd in &list.fds {
            // The entry length counts itself.
            let start = self.block.reserve_len32();
            let b = &mut self.block;
            b.put_i64(fd.fd);
            b.put_u64(fd.ino);
            b.put_u8(fd_kind_code(fd.kind));
            let mismatch = || invalid(format!("fd {}: {:?} details for an fd of kind {:?}", fd.fd, fd.detail, fd.kind));
            match (fd.kind, &fd.detail) {
                (FdKind::Ipv4Sock, FdDetail::Ipv4 { sip, dip, sport, dport, l4proto }) => {
                    b.extend_from_slice(sip);
                    b.extend_from_slice(dip);
                    b.put_u16(*sport);
                    b.put_u16(*dport);
                    b.put_u8(*l4proto);
                }
                (FdKind::Ipv4ServSock, FdDetail::Ipv4Server { ip, port, l4proto }) => {
                    b.extend_from_slice(ip);
                    b.put_u16(*port);
                    b.put_u8(*l4proto);
                }
                (FdKind::Ipv6Sock, FdDetail::Ipv6 { sip, dip, sport, dport, l4proto }) => {
                    b.extend_from_slice(sip);
                    b.extend_from_slice(dip);
                    b.put_u16(*sport);
                    b.put_u16(*dport);
                    b.put_u8(*l4proto);
                }
                (FdKind::Ipv6ServSock, FdDetail::Ipv6Server { ip, port, l4proto }) => {
                    b.extend_from_slice(ip);
                    b.put_u16(*port);
                    b.put_u8(*l4proto);
                }
                (FdKind::UnixSock, FdDetail::Unix { source, dest, path }) => {
                    b.put_u64(*source);
                    b.put_u64(*dest);
                    b.put_lbytes16("unix socket path", path.as_bytes())?;
                }
                (FdKind::FileV2, FdDetail::File { open_flags, name }) => {
                    b.put_u32(*open_flags);
                    b.put_lbytes16("file name", name.as_bytes())?;
                }
                (FdKind::Unknown, FdDetail::None) => {}
                (
                    FdKind::Ipv4Sock
                    | FdKind::Ipv4ServSock
                    | FdKind::Ipv6Sock
                    | FdKind::Ipv6ServSock
                    | FdKind::UnixSock
                    | FdKind::FileV2
                    | FdKind::Unknown,
                    _,
                ) => return Err(mismatch()),
                // Every other kind (files, directories, pipes, event fds, ...) has a name only.
                (_, FdDetail::Name(name)) => b.put_lbytes16("fd name", name.as_bytes())?,
                (_, _) => return Err(mismatch()),
            }
            b.patch_len32(start, start)?;
        }
        self.end_block()
    }

    /// Re-emits an event read from a block of any version, in the current layout: header with
    /// parameter count, then the lengths (32-bit for `LARGE_PAYLOAD` events) and the values.
    /// The header fields are taken from `ev`'s fields, so a caller may shift `ev.ts` or change
    /// `ev.tid` before writing. `flags` selects an `EVF` block (per-event flags) when given.
    pub fn write_event(&mut self, cpu: u16, flags: Option<u32>, ev: &EventRef<'_>) -> io::Result<()> {
        let mut params: [&[u8]; MAX_PARAMS] = [&[]; MAX_PARAMS];
        let nparams = ev.nparams();
        for (i, slot) in params.iter_mut().enumerate().take(nparams) {
            *slot = ev.param(i).unwrap_or_default();
        }
        self.encode_event(cpu, flags, ev.ts, ev.tid, ev.etype, &params[..nparams])
    }

    /// Builds an event from its parameter values and writes it (no per-event flags).
    pub fn write_raw_event(&mut self, cpu: u16, ts: u64, tid: i64, etype: u16, params: &[&[u8]]) -> io::Result<()> {
        self.encode_event(cpu, None, ts, tid, etype, params)
    }

    fn encode_event(
        &mut self,
        cpu: u16,
        flags: Option<u32>,
        ts: u64,
        tid: i64,
        etype: u16,
        params: &[&[u8]],
    ) -> io::Result<()> {
        if params.len() > MAX_PARAMS {
            return Err(invalid(format!("event type {etype} with {} parameters (at most {MAX_PARAMS})", params.len())));
        }
        let large = table::event_info(etype).is_some_and(|info| info.has_large_payload());
        let width = if large { 4 } else { 2 };
        let values_len: usize = params.iter().map(|p| p.len()).sum();
        let event_len = u32::try_from(HEADER_LEN + params.len() * width + values_len)
            .map_err(|_| invalid(format!("event type {etype} longer than 4 GiB")))?;
        let block_type = match (flags.is_some(), large) {
            (false, false) => block::EV_V2,
            (false, true) => block::EV_V2_LARGE,
            (true, false) => block::EVF_V2,
            (true, true) => block::EVF_V2_LARGE,
        };
        self.begin_block(block_type);
        let b = &mut self.block;
        b.put_u16(cpu);
        if let Some(flags) = flags {
            b.put_u32(flags);
        }
        b.put_u64(ts);
        b.put_i64(tid);
        b.put_u32(event_len);
        b.put_u16(etype);
        b.put_u32(params.len() as u32);
        for (i, p) in params.iter().enumerate() {
            if large {
                b.put_u32(p.len() as u32);
            } else {
                let len = u16::try_from(p.len()).map_err(|_| {
                    invalid(format!(
                        "parameter {i} of event type {etype} is {} bytes, more than a 16-bit length holds",
                        p.len()
                    ))
                })?;
                b.put_u16(len);
            }
        }
        for p in params {
            b.extend_from_slice(p);
        }
        self.end_block()?;
        self.events_written += 1;
        Ok(())
    }

    /// Writes any block yielded by the reader. Section headers are skipped (a writer produces
    /// one section), and so are blocks of unknown types, whose bodies the reader does not
    /// keep. Returns whether something was written.
    pub fn write_block(&mut self, block: &Block<'_>) -> io::Result<bool> {
        match block {
            Block::Section(_) | Block::Unknown { .. } => return Ok(false),
            Block::MachineInfo(mi) => self.write_machine_info(mi)?,
            Block::ProcessList(threads) => self.write_process_list(threads)?,
            Block::FdList(list) => self.write_fd_list(list)?,
            Block::InterfaceList(interfaces) => self.write_interface_list(interfaces)?,
            Block::UserList(list) => self.write_user_list(list)?,
            Block::Event(ev) => self.write_event(ev.cpu, (ev.flags != 0).then_some(ev.flags), ev)?,
        }
        Ok(true)
    }

    /// Flushes the capture (and ends the gzip stream) and returns the output.
    pub fn finish(self) -> io::Result<W> {
        match self.sink {
            Sink::Plain(mut w) => {
                w.flush()?;
                Ok(w)
            }
            Sink::Gzip(gz) => {
                let mut w = gz.finish()?;
                w.flush()?;
                Ok(w)
            }
        }
    }
}

/// The wire value of an fd kind (scap_fd_type); the inverse of `FdKind::from_u8`.
fn fd_kind_code(kind: FdKind) -> u8 {
    use FdKind::*;
    match kind {
        Unknown => 0,
        File => 1,
        Directory => 2,
        Ipv4Sock => 3,
        Ipv6Sock => 4,
        Ipv4ServSock => 5,
        Ipv6ServSock => 6,
        Fifo => 7,
        UnixSock => 8,
        Event => 9,
        Unsupported => 10,
        SignalFd => 11,
        EventPoll => 12,
        Inotify => 13,
        TimerFd => 14,
        Netlink => 15,
        FileV2 => 16,
        Bpf => 17,
        UserFaultFd => 18,
        IoUring => 19,
        MemFd => 20,
        PidFd => 21,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fd_kind_codes_invert_from_u8() {
        for code in 0..=21u8 {
            assert_eq!(fd_kind_code(FdKind::from_u8(code)), code);
        }
    }
}
