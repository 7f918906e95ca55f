//! JSON shapes of bibliographic records.

use kitap_app::catalog::RecordDetails;
use kitap_app::StoredRecord;
use kitap_catalog::validate::{Issue, Severity};
use serde::{Deserialize, Serialize};
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
    /// Version of the knowledge-area rules that derived `knowledge_area`
    /// (see GET /reports/area-rules).
    #[schema(example = "kz-domain-2024")]
    pub area_rules_version: String,
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
            area_rules_version: d.area_rules_version.clone(),
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

/// A record just saved, with its likely duplicates.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordSaved {
    #[serde(flatten)]
    pub full: RecordFull,
    /// Catalog records this one probably or possibly duplicates, best first
    /// (empty when none).
    pub duplicates: Vec<DuplicateDto>,
}

impl From<&kitap_app::catalog::SavedRecord> for RecordSaved {
    fn from(saved: &kitap_app::catalog::SavedRecord) -> Self {
        RecordSaved {
            full: RecordFull::from(&saved.details),
            duplicates: saved.duplicates.iter().map(DuplicateDto::from).collect(),
        }
    }
}

/// A likely duplicate and why it is one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DuplicateDto {
    pub record_id: String,
    pub title: String,
    /// 0 to 1: the sum of the evidence's points, clamped.
    #[schema(example = 0.93)]
    pub score: f64,
    /// possible (from the warning threshold) or probable (from the blocking
    /// threshold: saving needs confirm_duplicate).
    #[schema(example = "probable")]
    pub level: String,
    /// Each key that agreed or disagreed, with the points it gave.
    pub evidence: Vec<EvidenceDto>,
    /// What rules a duplicate out (volume_differs, edition_differs,
    /// year_gap, language_differs, material_differs); empty here.
    pub vetoes: Vec<EvidenceDto>,
}

/// One agreement, disagreement or veto.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EvidenceDto {
    /// Stable: isbn, weak_isbn, issn, control_number, title, author, year,
    /// pages, publisher, edition, or a veto code.
    #[schema(example = "isbn")]
    pub code: String,
    /// Points added (negative: taken away).
    pub points: f64,
    /// For people.
    pub detail: String,
}

impl From<&kitap_app::dedup::Duplicate> for DuplicateDto {
    fn from(d: &kitap_app::dedup::Duplicate) -> Self {
        DuplicateDto {
            record_id: d.record_id.to_string(),
            title: d.title.clone(),
            score: d.score,
            level: level_name(d.level).to_owned(),
            evidence: d.evidence.iter().map(evidence).collect(),
            vetoes: d.vetoes.iter().map(evidence).collect(),
        }
    }
}

pub fn level_name(level: kitap_app::dedup::Level) -> &'static str {
    match level {
        kitap_app::dedup::Level::Probable => "probable",
        kitap_app::dedup::Level::Possible => "possible",
        kitap_app::dedup::Level::None => "none",
    }
}

pub fn evidence(e: &kitap_app::dedup::Evidence) -> EvidenceDto {
    EvidenceDto {
        code: e.code.clone(),
        points: e.points,
        detail: e.detail.clone(),
    }
}
