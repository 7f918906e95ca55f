//! Structural checks: leader, tags, indicators, control vs data fields,
//! subfields, non-repeatable fields.

use kitap_marc::{Dialect, Field, Record};

use super::{Issue, Place};

pub(super) fn leader(record: &Record) -> Vec<Issue> {
    let leader = &record.leader;
    if leader.trim().is_empty() {
        return vec![Issue::error("missing_leader", "the record has no leader")];
    }
    let len = leader.chars().count();
    if len != 24 {
        return vec![Issue::error(
            "bad_leader",
            format!("leader is {len} characters long, not 24: {leader:?}"),
        )];
    }
    if !leader.is_ascii() || leader.chars().any(|c| c.is_ascii_control()) {
        return vec![Issue::error(
            "bad_leader",
            format!("leader has characters other than printable ASCII: {leader:?}"),
        )];
    }
    let mut issues = Vec::new();
    let kind = record.leader_char(6).unwrap_or(' ');
    let known = match record.dialect {
        Dialect::Unimarc => "abcdefgijklmrxyz",
        _ => "acdefgijkmoprtzuvxyq",
    };
    if !known.contains(kind) {
        issues.push(Issue::warning(
            "unknown_record_type",
            format!("leader/06 {kind:?} is not a record type of this format"),
        ));
    }
    issues
}

/// Whether `tag` is a control field tag in `dialect`.
fn is_control_tag(dialect: Dialect, tag: &str) -> bool {
    let last = match tag.strip_prefix("00").and_then(|d| d.parse::<u8>().ok()) {
        Some(n) => n,
        None => return false,
    };
    match dialect {
        Dialect::Unimarc => (1..=5).contains(&last),
        _ => (1..=9).contains(&last),
    }
}

pub(super) fn field(dialect: Dialect, place: &Place<'_>) -> Vec<Issue> {
    let tag = place.tag;
    let mut issues = Vec::new();
    if tag.len() != 3 || !tag.chars().all(|c| c.is_ascii_alphanumeric()) {
        issues.push(
            Issue::error(
                "invalid_tag",
                format!("tag {tag:?} is not three ASCII letters or digits"),
            )
            .at(place),
        );
    }
    match place.field {
        Field::Control { value, .. } => {
            if value.contains('\u{1f}') {
                issues.push(
                    Issue::error(
                        "control_field_has_subfields",
                        format!("{tag}: a control field has subfield delimiters"),
                    )
                    .at(place),
                );
            }
        }
        Field::Data {
            ind1,
            ind2,
            subfields,
            ..
        } => {
            if is_control_tag(dialect, tag) {
                issues.push(
                    Issue::error(
                        "control_field_has_subfields",
                        format!("{tag}: a control field has indicators and subfields"),
                    )
                    .at(place),
                );
            }
            for (pos, ind) in [(1, *ind1), (2, *ind2)] {
                if !(ind == ' ' || ind.is_ascii_digit() || ind.is_ascii_lowercase()) {
                    issues.push(
                        Issue::error(
                            "invalid_indicator",
                            format!("{tag}: indicator {pos} is {ind:?}; only 0-9, a-z and blank are allowed"),
                        )
                        .at(place),
                    );
                }
            }
            issues.extend(subfield_issues(place, subfields));
        }
    }
    issues
}

fn subfield_issues(place: &Place<'_>, subfields: &[kitap_marc::Subfield]) -> Vec<Issue> {
    let tag = place.tag;
    let mut issues = Vec::new();
    if subfields.is_empty() {
        issues.push(
            Issue::warning(
                "field_without_subfields",
                format!("{tag}: a data field with no subfields"),
            )
            .at(place),
        );
    }
    for s in subfields {
        let code = s.code;
        if !(code.is_ascii_lowercase() || code.is_ascii_digit()) {
            // IRBIS uses '!' (910^!), and upper-case codes turn up in text
            // exports; the data is still readable, so only a warning.
            issues.push(
                Issue::warning(
                    "invalid_subfield_code",
                    format!("{tag}: subfield code {code:?} is not a lower-case letter or digit"),
                )
                .at(place)
                .in_subfield(code),
            );
        }
        if s.value.trim().is_empty() {
            issues.push(
                Issue::warning("empty_subfield", format!("{tag}${code} is empty"))
                    .at(place)
                    .in_subfield(code),
            );
        }
    }
    issues
}

/// Non-repeatable fields that occur more than once.
pub(super) fn repeats(record: &Record) -> Vec<Issue> {
    let single: &[&str] = match record.dialect {
        Dialect::Unimarc => &["001", "005", "100", "101", "200"],
        _ => &["001", "003", "005", "008", "245"],
    };
    let mut issues = Vec::new();
    for tag in single {
        let count = record.fields(tag).count();
        if count > 1 {
            issues.push(Issue {
                tag: Some((*tag).to_string()),
                ..Issue::warning(
                    "repeated_field",
                    format!("{tag} is not repeatable but occurs {count} times"),
                )
            });
        }
    }
    if record.dialect != Dialect::Unimarc {
        let main: Vec<&str> = record
            .fields
            .iter()
            .map(Field::tag)
            .filter(|t| matches!(*t, "100" | "110" | "111" | "130"))
            .collect();
        if main.len() > 1 {
            issues.push(Issue::warning(
                "repeated_field",
                format!("more than one 1XX main entry ({})", main.join(", ")),
            ));
        }
    }
    issues
}
