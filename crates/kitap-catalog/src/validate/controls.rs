//! Control characters in field data. PostgreSQL text cannot hold U+0000 and
//! no catalog value means anything by a control character; they come from
//! broken exports (a NUL-padded field, a stray escape). They are removed from
//! the record with a warning per field, so the record is kept and stored the
//! same on both backends, and the import report says what was removed.

use std::collections::HashMap;

use kitap_marc::{Field, Record};

use super::Issue;

/// Removed: C0 controls but tab and line breaks, and DEL (the same set the
/// HTTP API refuses in text).
pub fn is_removed(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7f}'
}

fn strip(value: &mut String) -> Option<char> {
    let first = value.chars().find(|c| is_removed(*c))?;
    value.retain(|c| !is_removed(c));
    Some(first)
}

/// Strips control characters from every control field and subfield value;
/// one warning (`control_characters_removed`) per field that had any.
pub fn strip_control_characters(record: &mut Record) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for field in &mut record.fields {
        let occurrence = {
            let n = seen.entry(field.tag().to_owned()).or_default();
            *n += 1;
            *n - 1
        };
        let (tag, found) = match field {
            Field::Control { tag, value } => (tag.clone(), strip(value).map(|c| (c, None))),
            Field::Data { tag, subfields, .. } => {
                let found = subfields
                    .iter_mut()
                    .filter_map(|s| strip(&mut s.value).map(|c| (c, Some(s.code))))
                    .fold(None, |first, now| first.or(Some(now)));
                (tag.clone(), found)
            }
        };
        if let Some((c, subfield)) = found {
            let place = match subfield {
                Some(code) => format!("{tag}${code}"),
                None => tag.clone(),
            };
            let mut issue = Issue::warning(
                "control_characters_removed",
                format!(
                    "control characters (first U+{:04X}) removed from {place}",
                    c as u32
                ),
            );
            issue.tag = Some(tag);
            issue.occurrence = Some(occurrence);
            issue.subfield = subfield;
            issues.push(issue);
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use kitap_marc::{Dialect, Encoding, Subfield};

    use super::*;

    fn record(fields: Vec<Field>) -> Record {
        Record {
            leader: "00000nam a2200000 i 4500".to_owned(),
            fields,
            encoding: Encoding::Utf8,
            dialect: Dialect::Marc21,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn strips_nul_and_reports_each_field() {
        let mut r = record(vec![
            Field::Control {
                tag: "001".into(),
                value: "12\u{0}3".into(),
            },
            Field::Data {
                tag: "245".into(),
                ind1: '1',
                ind2: '0',
                subfields: vec![
                    Subfield {
                        code: 'a',
                        value: "Абай\u{0} жолы\u{1b}".into(),
                    },
                    Subfield {
                        code: 'c',
                        value: "line\nbreak\tkept".into(),
                    },
                ],
            },
        ]);
        let issues = strip_control_characters(&mut r);
        assert_eq!(issues.len(), 2);
        assert_eq!(r.control("001"), Some("123"));
        assert_eq!(r.first_subfield("245", 'a'), Some("Абай жолы"));
        assert_eq!(r.first_subfield("245", 'c'), Some("line\nbreak\tkept"));
        assert_eq!(issues[1].tag.as_deref(), Some("245"));
        assert_eq!(issues[1].subfield, Some('a'));
        assert!(issues[0].message.contains("U+0000"));
    }

    #[test]
    fn a_clean_record_is_left_alone() {
        let mut r = record(vec![Field::Control {
            tag: "001".into(),
            value: "1".into(),
        }]);
        let before = r.clone();
        assert!(strip_control_characters(&mut r).is_empty());
        assert_eq!(r, before);
    }
}
