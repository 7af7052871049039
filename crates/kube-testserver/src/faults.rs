//! Misbehaviour on demand: refusals, errors and silences per resource, as RBAC, an
//! overloaded server or a broken network produce them.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::resources::Resource;

/// Which requests a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    List,
    Watch,
}

/// Requests a fault matches: one verb, or any of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    Any,
    Only(Verb),
}

impl On {
    fn matches(self, verb: Verb) -> bool {
        match self {
            On::Any => true,
            On::Only(v) => v == verb,
        }
    }
}

/// A one-off fault, consumed by the next `times` matching requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this HTTP status and a `Status` body (500, 503, 429, ...).
    Status {
        resource: Resource,
        on: On,
        code: u16,
        times: usize,
    },
    /// Accept the request and say nothing for `duration` (then 504), as a stuck server or
    /// a black-holed connection does.
    Hang {
        resource: Resource,
        on: On,
        duration: Duration,
        times: usize,
    },
}

/// What the server should do instead of serving a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    Forbid,
    Status(u16),
    Hang(Duration),
}

#[derive(Debug, Default)]
pub(crate) struct Faults {
    forbidden: BTreeSet<Resource>,
    pending: Vec<Fault>,
}

impl Faults {
    pub fn forbid(&mut self, resource: Resource) {
        self.forbidden.insert(resource);
    }

    pub fn allow(&mut self, resource: Resource) {
        self.forbidden.remove(&resource);
    }

    pub fn inject(&mut self, fault: Fault) {
        self.pending.push(fault);
    }

    /// The action for a request, consuming one use of a one-off fault.
    pub fn take(&mut self, resource: Resource, verb: Verb) -> Option<Action> {
        if self.forbidden.contains(&resource) {
            return Some(Action::Forbid);
        }
        let i = self.pending.iter().position(|f| match f {
            Fault::Status {
                resource: r,
                on,
                times,
                ..
            }
            | Fault::Hang {
                resource: r,
                on,
                times,
                ..
            } => *r == resource && on.matches(verb) && *times > 0,
        })?;
        let action = match &mut self.pending[i] {
            Fault::Status { code, times, .. } => {
                *times -= 1;
                Action::Status(*code)
            }
            Fault::Hang {
                duration, times, ..
            } => {
                *times -= 1;
                Action::Hang(*duration)
            }
        };
        self.pending.retain(|f| match f {
            Fault::Status { times, .. } | Fault::Hang { times, .. } => *times > 0,
        });
        Some(action)
    }
}
