//! Threads and the process facts they carry.

use std::sync::Arc;

/// The facts shared by every thread of a process image: replaced at execve.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessImage {
    /// `proc.name`: the command name (comm).
    pub comm: String,
    /// `proc.exe`: the first argument as executed.
    pub exe: String,
    /// `proc.exepath`, when the capture has it.
    pub exepath: String,
    pub args: Vec<String>,
}

impl ProcessImage {
    /// `proc.cmdline`: name followed by the arguments.
    pub fn cmdline(&self) -> String {
        let mut s = self.comm.clone();
        for a in &self.args {
            s.push(' ');
            s.push_str(a);
        }
        s
    }

    /// `proc.exeline`: exe followed by the arguments.
    pub fn exeline(&self) -> String {
        let mut s = self.exe.clone();
        for a in &self.args {
            s.push(' ');
            s.push_str(a);
        }
        s
    }
}

#[derive(Clone, Debug)]
pub struct Thread {
    pub tid: i64,
    /// Thread-group id: the process id.
    pub pid: i64,
    /// Parent process id as the kernel reported it.
    pub ptid: i64,
    pub vtid: i64,
    pub vpid: i64,
    pub image: Arc<ProcessImage>,
    pub cwd: Arc<str>,
    pub uid: u32,
    /// Short id of the container the thread runs in; None on the host.
    pub container: Option<Arc<str>>,
    pub vmsize_kb: u64,
    pub vmrss_kb: u64,
    /// Last user+system tick count seen in a procinfo event (0: none yet).
    pub last_cpu_ticks: u64,
    /// Its procexit event was seen. A capture's thread stays known after its exit (later
    /// events and views still name it); live sources remove it ([`crate::Engine::remove_thread`]).
    pub exited: bool,
    /// Enter event waiting for its exit: what the exit handler needs of it.
    pub(crate) pending: Option<crate::Pending>,
    /// The bytes of that enter event: old drivers put some arguments (open's path, bind's
    /// address) only there. The buffer is reused from syscall to syscall.
    pub(crate) pending_raw: Vec<u8>,
}

impl Thread {
    pub fn new(tid: i64, pid: i64) -> Thread {
        Thread {
            tid,
            pid,
            ptid: 0,
            vtid: -1,
            vpid: -1,
            image: Arc::default(),
            cwd: Arc::from("/"),
            uid: 0,
            container: None,
            vmsize_kb: 0,
            vmrss_kb: 0,
            last_cpu_ticks: 0,
            exited: false,
            pending: None,
            pending_raw: Vec::new(),
        }
    }

    pub fn is_main(&self) -> bool {
        self.tid == self.pid
    }
}
