//! UNIMARC embedded fields: 4XX links and 604 (name/title subjects) carry
//! whole fields inside one, each introduced by $1 + tag + indicators
//! ("$17001 " then that 700's own $a, $b...).

use kitap_marc::{Field, Subfield};

/// The embedded fields of `field`, each as a data field of its own; the
/// subfields outside any embedding (before the first $1) are left out.
pub fn embedded(field: &Field) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    for s in field.subfields() {
        if s.code == '1' {
            let mut head = s.value.chars();
            let tag: String = head.by_ref().take(3).collect();
            let ind1 = head.next().unwrap_or(' ');
            let ind2 = head.next().unwrap_or(' ');
            out.push(Field::Data {
                tag,
                ind1,
                ind2,
                subfields: Vec::new(),
            });
            continue;
        }
        if let Some(Field::Data { subfields, .. }) = out.last_mut() {
            subfields.push(s.clone());
        }
    }
    out
}

/// The $1 subfield that introduces an embedded field.
pub fn header(tag: &str, ind1: char, ind2: char) -> Subfield {
    Subfield {
        code: '1',
        value: format!("{tag}{ind1}{ind2}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::field;

    #[test]
    fn fields_are_cut_at_each_dollar_one() {
        let f = field(
            "604",
            "  $2x$171001$aРоссийская Федерация$150011$aВоенные уставы$vy",
        );
        let parts = embedded(&f);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].tag(), "710");
        assert_eq!(parts[0].subfield('a'), Some("Российская Федерация"));
        assert_eq!(parts[1].tag(), "500");
        assert_eq!(parts[1].subfield('v'), Some("y"));
        assert!(embedded(&field("410", "  $tX")).is_empty());
        let odd = embedded(&field("410", "  $1$a"));
        assert_eq!(odd[0].tag(), "");
        assert_eq!(header("700", ' ', '1').value, "700 1");
    }
}
