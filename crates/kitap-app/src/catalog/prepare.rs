//! One path from a decoded MARC record to what is stored: validation, the
//! bibliographic view, derived columns, identifier keys and the canonical
//! UTF-8 ISO 2709 bytes. The record API and the importer both use it, so a
//! record is the same whichever door it came in by.

use kitap_catalog::validate::{self, Issue, Severity};
use kitap_catalog::{AreaRules, BibView};
use kitap_db::records::{Derived, RecordKey};
use kitap_marc::Record;

/// A record ready to store, or the reasons it cannot be.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub record: Record,
    pub view: BibView,
    pub derived: Derived,
    pub keys: Vec<RecordKey>,
    /// Duplicate-detection keys (stored with the record).
    pub match_keys: kitap_dedup::MatchKeys,
    /// Canonical UTF-8 ISO 2709.
    pub marc: Vec<u8>,
    /// Warnings from validation and from reading (never blocking).
    pub warnings: Vec<Issue>,
}

/// Validation found errors: the record is not stored.
#[derive(Debug, Clone)]
pub struct Rejected {
    pub issues: Vec<Issue>,
}

impl Rejected {
    /// One line for an import report: the errors, semicolon-separated.
    pub fn summary(&self) -> String {
        let errors: Vec<&str> = self
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .map(|i| i.message.as_str())
            .collect();
        errors.join("; ")
    }

    /// The first error's stable code.
    pub fn code(&self) -> &'static str {
        self.issues
            .iter()
            .find(|i| i.severity == Severity::Error)
            .map_or("record_invalid", |i| i.code)
    }
}

/// Prepares `record`, its knowledge area derived under `rules` (the
/// configured ones: `App::area_rules`).
pub fn prepare(mut record: Record, rules: &AreaRules) -> Result<Prepared, Rejected> {
    let removed = kitap_catalog::strip_control_characters(&mut record);
    let mut issues = validate::validate(&record);
    issues.extend(removed);
    if validate::has_errors(&issues) {
        return Err(Rejected { issues });
    }
    let marc = match kitap_marc::write::iso2709::to_iso2709(&record) {
        Ok((bytes, _repairs)) => bytes,
        Err(err) => {
            return Err(Rejected {
                issues: vec![Issue {
                    severity: Severity::Error,
                    code: "record_too_large",
                    tag: None,
                    occurrence: None,
                    subfield: None,
                    message: format!("the record cannot be written as ISO 2709: {err}"),
                }],
            })
        }
    };
    let view = BibView::from_record(&record);
    let warnings = issues;
    let derived = derive(&record, &view, &warnings, rules);
    let keys = keys(&view);
    let match_keys = kitap_dedup::match_keys(&view);
    Ok(Prepared {
        record,
        view,
        derived,
        keys,
        match_keys,
        marc,
        warnings,
    })
}

pub(crate) fn derive(
    record: &Record,
    view: &BibView,
    warnings: &[Issue],
    rules: &AreaRules,
) -> Derived {
    Derived {
        dialect: record.dialect.name().to_owned(),
        record_type: view.record_type.as_str().to_owned(),
        title: view.title.clone().unwrap_or_default(),
        sort_title: view
            .sort_title()
            .map(|t| t.to_lowercase())
            .unwrap_or_default(),
        main_author: view
            .main_author()
            .or(view.authors.first())
            .map(|a| a.name.clone()),
        year: view.year,
        language: view.languages.first().cloned(),
        kazakh: view.is_kazakh(),
        bbk: view.bbk.first().cloned(),
        udc: view.udc.first().cloned(),
        knowledge_area: view
            .knowledge_area_under(rules)
            .map(|k| k.as_str().to_owned()),
        area_rules_version: rules.version.clone(),
        warnings: i32::try_from(warnings.len() + record.warnings.len()).unwrap_or(i32::MAX),
    }
}

/// Longer values are not identifiers (a 035 holding a pasted note): they
/// are not made keys, because PostgreSQL cannot index a key of more than
/// ~2,700 bytes and SQLite can, and the two backends must take the same
/// records.
const MAX_KEY_BYTES: usize = 256;

/// Identifier keys. The control number is scoped by its source (003) so
/// that two libraries' local numbers 1, 2, 3... do not collide; without a
/// 003 the importer confirms a match by title (see `import::matching`).
pub fn keys(view: &BibView) -> Vec<RecordKey> {
    let mut keys = Vec::new();
    if let Some(ctl) = control_key(view) {
        keys.push(RecordKey {
            kind: "ctl",
            value: ctl,
        });
    }
    for sys in &view.system_numbers {
        let value: String = sys.split_whitespace().collect();
        if !value.is_empty() {
            keys.push(RecordKey { kind: "sys", value });
        }
    }
    for isbn in &view.isbns {
        keys.push(RecordKey {
            kind: "isbn",
            value: isbn.clone(),
        });
    }
    for issn in &view.issns {
        keys.push(RecordKey {
            kind: "issn",
            value: issn.clone(),
        });
    }
    keys.retain(|k| k.value.len() <= MAX_KEY_BYTES);
    keys
}

/// `003|001`, with an empty source when the record has no 003.
pub fn control_key(view: &BibView) -> Option<String> {
    let number = view.control_number.as_deref()?.trim();
    if number.is_empty() {
        return None;
    }
    let source = view.control_source.as_deref().unwrap_or("").trim();
    Some(format!("{source}|{number}"))
}
