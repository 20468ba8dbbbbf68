//! The one error type of the Flux crate. Each variant is one of Flux's error codes, so the
//! API can map it to an HTTP status without looking at the text.

/// A Flux error: the variant is Flux's code, the text is the message InfluxDB would show.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FluxError {
    /// `invalid`: compilation and type errors, bad arguments (HTTP 400).
    #[error("{0}")]
    Invalid(String),
    /// `not found`: unknown bucket and the like (HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// `unimplemented`: a function or feature this engine does not have yet (HTTP 400).
    #[error("{0}")]
    Unimplemented(String),
    /// `permission denied`: e.g. `to()` into a bucket the caller may not write (HTTP 403).
    #[error("{0}")]
    PermissionDenied(String),
    /// `internal error` (HTTP 500).
    #[error("{0}")]
    Internal(String),
    /// `resource exhausted`: the query went over its memory budget (HTTP 400).
    #[error("{0}")]
    ResourceExhausted(String),
    /// `canceled`: the edge stopped the query (its deadline passed); HTTP 408.
    #[error("{0}")]
    Canceled(String),
}

impl FluxError {
    /// Flux's error code, as written in InfluxDB's JSON error body.
    pub fn code(&self) -> &'static str {
        match self {
            FluxError::Invalid(_) => "invalid",
            FluxError::NotFound(_) => "not found",
            FluxError::Unimplemented(_) => "unimplemented",
            FluxError::PermissionDenied(_) => "forbidden",
            FluxError::Internal(_) => "internal error",
            FluxError::ResourceExhausted(_) => "resource exhausted",
            FluxError::Canceled(_) => "canceled",
        }
    }

    /// The message without the code.
    pub fn message(&self) -> &str {
        match self {
            FluxError::Invalid(m)
            | FluxError::NotFound(m)
            | FluxError::Unimplemented(m)
            | FluxError::PermissionDenied(m)
            | FluxError::Internal(m)
            | FluxError::ResourceExhausted(m)
            | FluxError::Canceled(m) => m,
        }
    }

    pub(crate) fn invalid(m: impl Into<String>) -> FluxError {
        FluxError::Invalid(m.into())
    }

    /// The same error with `prefix: ` in front of its message.
    pub fn context(self, prefix: &str) -> FluxError {
        let wrap = |m: String| format!("{prefix}: {m}");
        match self {
            FluxError::Invalid(m) => FluxError::Invalid(wrap(m)),
            FluxError::NotFound(m) => FluxError::NotFound(wrap(m)),
            FluxError::Unimplemented(m) => FluxError::Unimplemented(wrap(m)),
            FluxError::PermissionDenied(m) => FluxError::PermissionDenied(wrap(m)),
            FluxError::Internal(m) => FluxError::Internal(wrap(m)),
            FluxError::ResourceExhausted(m) => FluxError::ResourceExhausted(wrap(m)),
            FluxError::Canceled(m) => FluxError::Canceled(wrap(m)),
        }
    }
}

pub type Result<T, E = FluxError> = std::result::Result<T, E>;
