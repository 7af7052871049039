//! kinsight-scap: the sysdig capture format (`.scap`), read and written.
//!
//! Owns: the block structure (section header, machine info, process / fd / interface /
//! user lists, event blocks of every version), the event table (names, categories, flags
//! and parameter lists of every event code) and the decoding of event parameters.
//! Must not: keep state across events (threads, fds, containers belong to the engine) or
//! interpret what events mean.

pub mod block;
mod cursor;
pub mod error;
pub mod event;
pub mod reader;
pub mod table;
pub mod writer;

pub use block::{FdDetail, FdInfo, FdKind, FdList, Interface, MachineInfo, SectionHeader, ThreadInfo, UserList};
pub use error::{ErrorKind, ScapError};
pub use event::{EventRef, SockAddr, SockTuple};
pub use reader::{Block, ScapReader};
pub use writer::{Compression, ScapWriter};
