//! Flag encodings of the sysdig event format (`PPM_*` values of falcosecurity/libs'
//! public driver header), converted from the Linux values the kernel and /proc report.
//! Captures carry these, not the raw Linux bits.

/// `PPM_O_*` open flags.
pub mod open {
    pub const RDONLY: u32 = 1 << 0;
    pub const WRONLY: u32 = 1 << 1;
    pub const RDWR: u32 = RDONLY | WRONLY;
    pub const CREAT: u32 = 1 << 2;
    pub const APPEND: u32 = 1 << 3;
    pub const DSYNC: u32 = 1 << 4;
    pub const EXCL: u32 = 1 << 5;
    pub const NONBLOCK: u32 = 1 << 6;
    pub const SYNC: u32 = 1 << 7;
    pub const TRUNC: u32 = 1 << 8;
    pub const DIRECT: u32 = 1 << 9;
    pub const DIRECTORY: u32 = 1 << 10;
    pub const LARGEFILE: u32 = 1 << 11;
    pub const CLOEXEC: u32 = 1 << 12;
    pub const TMPFILE: u32 = 1 << 13;
}

/// Linux `O_*` flags (x86_64 / generic values) to `PPM_O_*`.
pub fn open_flags(linux: u64) -> u32 {
    let f = linux as u32;
    let mut out = match f & 0o3 {
        0 => open::RDONLY,
        1 => open::WRONLY,
        2 => open::RDWR,
        _ => 0,
    };
    let table: [(u32, u32); 12] = [
        (0o100, open::CREAT),
        (0o200, open::EXCL),
        (0o1000, open::TRUNC),
        (0o2000, open::APPEND),
        (0o4000, open::NONBLOCK),
        (0o10000, open::DSYNC),
        (0o40000, open::DIRECT),
        (0o100000, open::LARGEFILE),
        (0o200000, open::DIRECTORY),
        (0o2000000, open::CLOEXEC),
        (0o4010000, open::SYNC),
        (0o20200000, open::TMPFILE),
    ];
    for (linux_bit, ppm) in table {
        if f & linux_bit == linux_bit {
            out |= ppm;
        }
    }
    out
}

/// `PPM_CL_*` clone flags (the bits libsinsp keeps for itself are left out).
pub mod clone {
    pub const FILES: u32 = 1 << 0;
    pub const FS: u32 = 1 << 1;
    pub const IO: u32 = 1 << 2;
    pub const NEWIPC: u32 = 1 << 3;
    pub const NEWNET: u32 = 1 << 4;
    pub const NEWNS: u32 = 1 << 5;
    pub const NEWPID: u32 = 1 << 6;
    pub const NEWUTS: u32 = 1 << 7;
    pub const PARENT: u32 = 1 << 8;
    pub const PARENT_SETTID: u32 = 1 << 9;
    pub const PTRACE: u32 = 1 << 10;
    pub const SIGHAND: u32 = 1 << 11;
    pub const SYSVSEM: u32 = 1 << 12;
    pub const THREAD: u32 = 1 << 13;
    pub const UNTRACED: u32 = 1 << 14;
    pub const VM: u32 = 1 << 15;
    pub const NEWUSER: u32 = 1 << 20;
    pub const CHILD_CLEARTID: u32 = 1 << 23;
    pub const CHILD_SETTID: u32 = 1 << 24;
    pub const SETTLS: u32 = 1 << 25;
    pub const VFORK: u32 = 1 << 27;
    pub const NEWCGROUP: u32 = 1 << 28;
    /// The child is not in the initial pid namespace.
    pub const CHILD_IN_PIDNS: u32 = 1 << 29;
}

/// Linux `CLONE_*` flags to `PPM_CL_*`.
pub fn clone_flags(linux: u64) -> u32 {
    let table: [(u64, u32); 22] = [
        (0x0000_0400, clone::FILES),
        (0x0000_0200, clone::FS),
        (0x8000_0000, clone::IO),
        (0x0800_0000, clone::NEWIPC),
        (0x4000_0000, clone::NEWNET),
        (0x0002_0000, clone::NEWNS),
        (0x2000_0000, clone::NEWPID),
        (0x0400_0000, clone::NEWUTS),
        (0x0000_8000, clone::PARENT),
        (0x0010_0000, clone::PARENT_SETTID),
        (0x0000_2000, clone::PTRACE),
        (0x0000_0800, clone::SIGHAND),
        (0x0004_0000, clone::SYSVSEM),
        (0x0001_0000, clone::THREAD),
        (0x0080_0000, clone::UNTRACED),
        (0x0000_0100, clone::VM),
        (0x1000_0000, clone::NEWUSER),
        (0x0020_0000, clone::CHILD_CLEARTID),
        (0x0100_0000, clone::CHILD_SETTID),
        (0x0008_0000, clone::SETTLS),
        (0x0000_4000, clone::VFORK),
        (0x0200_0000, clone::NEWCGROUP),
    ];
    table.iter().filter(|(l, _)| linux & l != 0).fold(0, |acc, (_, p)| acc | p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_flags_convert() {
        assert_eq!(open_flags(0), open::RDONLY);
        assert_eq!(open_flags(0o1 | 0o100 | 0o1000), open::WRONLY | open::CREAT | open::TRUNC);
        assert_eq!(open_flags(0o2 | 0o2000000), open::RDWR | open::CLOEXEC);
        assert_eq!(open_flags(0o200000 | 0o4000), open::RDONLY | open::DIRECTORY | open::NONBLOCK);
        // O_SYNC includes O_DSYNC's bit.
        assert_eq!(open_flags(0o4010001), open::WRONLY | open::SYNC | open::DSYNC);
        // O_TMPFILE includes O_DIRECTORY's bit.
        assert_eq!(open_flags(0o20200002), open::RDWR | open::TMPFILE | open::DIRECTORY);
    }

    #[test]
    fn clone_flags_convert() {
        // What glibc's pthread_create passes.
        let pthread = 0x003d_0f00u64;
        let f = clone_flags(pthread);
        assert!(f & clone::THREAD != 0 && f & clone::VM != 0 && f & clone::FILES != 0);
        assert_eq!(clone_flags(0x11), 0, "SIGCHLD in the low byte is not a flag");
    }
}
