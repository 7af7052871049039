//! The one error type of the crate. Every input is data from outside (captures, API servers),
//! so every failure is reported as a value that says what was being read and where it broke;
//! nothing in this crate panics on bad input.

use std::fmt;

/// What went wrong while turning JSON into model types.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The text is not JSON, or a field has the wrong JSON type. `context` names the payload
    /// ("container JSON", "Kubernetes API JSON (PodList)", ...); the serde_json error carries the
    /// line and column.
    #[error("{context}: {source}")]
    Json {
        context: String,
        #[source]
        source: serde_json::Error,
    },

    /// Valid JSON that does not have the shape of the payload it claims to be
    /// (no `kind`, no `container` object, an unknown watch event type, ...).
    #[error("{context}: {message}")]
    Shape { context: String, message: String },

    /// A watch stream reported an error (`"type":"ERROR"`), e.g. 410 Gone when the resource
    /// version is too old. The caller decides whether to relist; the store is left unchanged.
    #[error("Kubernetes watch error{}: {reason}: {message}", code.map(|c| format!(" {c}")).unwrap_or_default())]
    Watch {
        code: Option<i64>,
        reason: String,
        message: String,
    },
}

impl ModelError {
    pub(crate) fn json(context: impl fmt::Display, source: serde_json::Error) -> Self {
        ModelError::Json {
            context: context.to_string(),
            source,
        }
    }

    pub(crate) fn shape(context: impl fmt::Display, message: impl fmt::Display) -> Self {
        ModelError::Shape {
            context: context.to_string(),
            message: message.to_string(),
        }
    }

    /// Line and column (1-based) of a JSON error, when the parser knew them.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            ModelError::Json { source, .. } if source.line() > 0 => {
                Some((source.line(), source.column()))
            }
            _ => None,
        }
    }
}
