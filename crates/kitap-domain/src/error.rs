/// A value from outside did not pass validation.
///
/// `field` names the input field so an API client can point at it; `message`
/// is lowercase English without a trailing period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValueError {
    pub field: &'static str,
    pub message: String,
}

impl ValueError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
