//! How each source is doing, for the UI and `/api/status`.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceState {
    Starting,
    Running,
    /// Read to the end (a replay).
    Done,
    /// Not available in this build or on this machine; `detail` says why.
    Unavailable,
    Failed,
}

impl SourceState {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceState::Starting => "starting",
            SourceState::Running => "running",
            SourceState::Done => "done",
            SourceState::Unavailable => "unavailable",
            SourceState::Failed => "failed",
        }
    }
}

/// One line of "where does the data come from".
#[derive(Clone, Debug, PartialEq)]
pub struct SourceStatus {
    /// `replay`, `live-host`, `kubernetes`.
    pub kind: &'static str,
    pub state: SourceState,
    /// What it reads (a file, a kubeconfig) or why it cannot.
    pub detail: String,
    pub events: u64,
    pub bytes_read: u64,
    /// What stopped it: a damaged capture, an unreadable file.
    pub error: Option<String>,
}

impl SourceStatus {
    pub fn new(kind: &'static str, state: SourceState, detail: impl Into<String>) -> SourceStatus {
        SourceStatus { kind, state, detail: detail.into(), events: 0, bytes_read: 0, error: None }
    }
}
