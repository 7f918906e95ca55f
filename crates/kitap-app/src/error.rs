use kitap_db::DbError;
use kitap_domain::{Timestamp, ValueError};

/// Why a use case refused or failed. Each variant has a stable `code` that API
/// clients may match on; the HTTP status for each is decided once, in kitap-api.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Validation(#[from] ValueError),
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("unknown username or wrong password")]
    InvalidCredentials,
    #[error("too many failed logins for this username from this address; try again later, from another address, or ask an administrator")]
    AccountLocked { until: Timestamp },
    #[error("too many failed logins from this address; wait before trying again")]
    LoginThrottled { retry_after_seconds: u64 },
    #[error("authentication required: send Authorization: Bearer <token>")]
    Unauthenticated,
    #[error("the token is not valid")]
    InvalidToken,
    #[error("the session has expired; log in again")]
    TokenExpired,
    #[error("the session was ended; log in again")]
    TokenRevoked,
    #[error("this needs one of the roles: {required}")]
    RoleDenied { required: String },
    #[error("this account may not act for library {library}")]
    LibraryDenied { library: String },
    /// A MARC record that cannot be stored; `issues` says where and why.
    #[error("{message}")]
    InvalidRecord {
        code: &'static str,
        message: String,
        issues: Vec<kitap_catalog::validate::Issue>,
    },
    #[error("this was changed by someone else (now at version {current}); reload it and apply your change again")]
    VersionConflict { current: i64 },
    /// A search query that cannot be parsed (`code` from the parser).
    #[error("{0}")]
    Query(#[from] kitap_search::QueryError),
    /// An import file from which no record could be read.
    #[error("{0}")]
    NotMarc(String),
    /// A circulation policy said no (`code` is the refusal's snake_case).
    #[error("{}", .0.message)]
    Refused(Box<Refused>),
    /// Only administrators and managers may override a refusal.
    #[error("only an administrator or a manager may override a refusal")]
    OverrideDenied,
    /// A reader like this one is already registered; repeat with
    /// `confirm_duplicate` to register anyway.
    #[error("a reader with the same name and birth date (or IIN) is already registered")]
    PossibleDuplicate { candidates: Vec<serde_json::Value> },
    /// A record near-certainly already in the catalog; repeat with
    /// `confirm_duplicate` to save it anyway.
    #[error("the record is probably already in the catalog; send confirm_duplicate: true to save it anyway")]
    ProbableDuplicate { candidates: Vec<serde_json::Value> },
    /// A reader under 16 registers on a guarantee.
    #[error("a reader under 16 needs a guarantor reader or a guardian")]
    GuarantorRequired,
    /// A reader asked for their reading history without having chosen to
    /// keep one (`keep_history`).
    #[error("the reader has not chosen to keep a reading history; the library can turn it on")]
    HistoryNotKept,
    #[error("the database is busy; try again")]
    Busy,
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation(_) => "validation_failed",
            AppError::NotFound { entity } => not_found_code(entity),
            AppError::Conflict { code, .. } => code,
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::AccountLocked { .. } => "account_locked",
            AppError::LoginThrottled { .. } => "login_throttled",
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidToken => "invalid_token",
            AppError::TokenExpired => "token_expired",
            AppError::TokenRevoked => "token_revoked",
            AppError::RoleDenied { .. } => "role_denied",
            AppError::LibraryDenied { .. } => "library_denied",
            AppError::InvalidRecord { code, .. } => code,
            AppError::VersionConflict { .. } => "version_conflict",
            AppError::Query(q) => q.code,
            AppError::NotMarc(_) => "not_marc",
            AppError::Refused(refused) => refused.code,
            AppError::OverrideDenied => "override_denied",
            AppError::PossibleDuplicate { .. } => "reader_possible_duplicate",
            AppError::ProbableDuplicate { .. } => "probable_duplicate",
            AppError::GuarantorRequired => "guarantor_required",
            AppError::HistoryNotKept => "history_not_kept",
            AppError::Busy => "database_busy",
            AppError::Internal(_) => "internal_error",
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            message: message.into(),
        }
    }
}

/// A refusal as the desk shows it: the first failing check, in three
/// languages, and every failing check.
#[derive(Debug, Clone)]
pub struct Refused {
    pub code: &'static str,
    pub message: String,
    pub overridable: bool,
    pub message_ru: &'static str,
    pub message_kk: &'static str,
    /// Every failing check: (code, detail for staff, overridable).
    pub refusals: Vec<(&'static str, String, bool)>,
}

fn not_found_code(entity: &str) -> &'static str {
    match entity {
        "library" => "library_not_found",
        "staff account" => "staff_not_found",
        "record" => "record_not_found",
        "record source" => "record_source_not_found",
        "merge" => "merge_not_found",
        "copy" => "copy_not_found",
        "import" => "import_not_found",
        "act" => "act_not_found",
        "reader" => "reader_not_found",
        "loan" => "loan_not_found",
        "loan rule" => "loan_rule_not_found",
        "closed day" => "closed_day_not_found",
        "block" => "block_not_found",
        "notice" => "notice_not_found",
        "hold" => "hold_not_found",
        "amnesty campaign" => "amnesty_campaign_not_found",
        "offline upload" => "offline_upload_not_found",
        "dedup scan" => "scan_not_found",
        "pair decision" => "pair_decision_not_found",
        "transfer" => "transfer_not_found",
        "selection" => "selection_not_found",
        "library request" => "library_request_not_found",
        "transfer act" => "transfer_act_not_found",
        "selection reminder" => "reminder_not_found",
        "report" => "report_not_found",
        "chart" => "chart_not_found",
        _ => "not_found",
    }
}

impl From<DbError> for AppError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::NotFound => AppError::NotFound { entity: "record" },
            DbError::Busy => AppError::Busy,
            other => AppError::Internal(other.to_string()),
        }
    }
}
