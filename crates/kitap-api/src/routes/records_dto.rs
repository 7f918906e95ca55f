//! JSON shapes of bibliographic records.

use kitap_app::catalog::RecordDetails;
use kitap_app::StoredRecord;
use kitap_catalog::validate::{Issue, Severity};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// A record's stored summary: what lists show without decoding MARC.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordDto {
    pub id: String,
    /// Increases with every change; send it back with PUT and DELETE.
    pub version: i64,
    /// active or withdrawn (kept because its copies' history refers to it).
    #[schema(example = "active")]
    pub status: String,
    /// marc21, unimarc or unknown.
    #[schema(example = "unimarc")]
    pub dialect: String,
    #[schema(example = "book")]
    pub record_type: String,
    pub title: String,
    pub main_author: Option<String>,
    pub year: Option<i32>,
    /// First language, ISO 639-2/B.
    #[schema(example = "kaz")]
    pub language: Option<String>,
    pub kazakh: bool,
    pub bbk: Option<String>,
    pub udc: Option<String>,
    /// Report group derived from BBK/UDC.
    pub knowledge_area: Option<String>,
    /// The encoding the record arrived in (utf-8, windows-1251, kz-1048, marc-8, ...).
    pub source_encoding: String,
    /// Number of validation warnings when last saved.
    pub warnings: i32,
    pub import_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&StoredRecord> for RecordDto {
    fn from(r: &StoredRecord) -> Self {
        let d = &r.derived;
        RecordDto {
            id: r.id.to_string(),
            version: r.version,
            status: r.status.as_str().to_owned(),
            dialect: d.dialect.clone(),
            record_type: d.record_type.clone(),
            title: d.title.clone(),
            main_author: d.main_author.clone(),
            year: d.year,
            language: d.language.clone(),
            kazakh: d.kazakh,
            bbk: d.bbk.clone(),
            udc: d.udc.clone(),
            knowledge_area: d.knowledge_area.clone(),
            source_encoding: r.source_encoding.clone(),
            warnings: d.warnings,
            import_id: r.import_id.map(|id| id.to_string()),
            created_at: r.created_at.to_string(),
            updated_at: r.updated_at.to_string(),
        }
    }
}

/// A validation finding, pointing at the field and subfield.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueDto {
    /// error (blocks saving) or warning.
    #[schema(example = "warning")]
    pub severity: &'static str,
    /// Stable code, e.g. missing_title, bad_isbn_check_digit, unknown_language_code.
    #[schema(example = "bad_isbn_check_digit")]
    pub code: &'static str,
    #[schema(example = "020")]
    pub tag: Option<String>,
    /// 0-based among the fields with this tag.
    pub occurrence: Option<usize>,
    pub subfield: Option<String>,
    pub message: String,
}

impl From<&Issue> for IssueDto {
    fn from(i: &Issue) -> Self {
        IssueDto {
            severity: match i.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            code: i.code,
            tag: i.tag.clone(),
            occurrence: i.occurrence,
            subfield: i.subfield.map(String::from),
            message: i.message.clone(),
        }
    }
}

pub fn issues(list: &[Issue]) -> Vec<IssueDto> {
    list.iter().map(IssueDto::from).collect()
}

/// One record in full: summary, bibliographic view, MARC and warnings.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordFull {
    pub record: RecordDto,
    /// Number of copies (any status).
    pub copies: i64,
    /// Title, authors, publication, ISBN, languages, UDC, BBK, subjects...
    /// read the same way from MARC 21 and UNIMARC/RUSMARC.
    #[schema(value_type = Object)]
    pub view: Value,
    /// The canonical record as MARC-in-JSON.
    #[schema(value_type = Object)]
    pub marc: Value,
    pub warnings: Vec<IssueDto>,
    /// What was repaired when the record was read (bad indicators, ...).
    pub read_warnings: Vec<String>,
}

impl From<&RecordDetails> for RecordFull {
    fn from(d: &RecordDetails) -> Self {
        RecordFull {
            record: RecordDto::from(&d.stored),
            copies: d.copies,
            view: serde_json::to_value(&d.view).unwrap_or(Value::Null),
            marc: kitap_marc::json::record_to_json(&d.record),
            warnings: issues(&d.warnings),
            read_warnings: d.record.warnings.clone(),
        }
    }
}
