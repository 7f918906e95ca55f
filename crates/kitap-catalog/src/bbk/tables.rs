//! The default mapping, from kz-domain.md §5.1-5.3. Entries marked [U]
//! are the guide's open questions (§6, question 3): change them here or in
//! the library's configuration once Karaganda confirms its official table.

use super::{AreaRules, KnowledgeArea, PrefixRule, RangeRule, BUILTIN_VERSION};
use KnowledgeArea::*;

/// Public-library (numeric) divisions, in the two-digit form.
const BBK_PUBLIC: &[(u8, u8, KnowledgeArea)] = &[
    (10, 19, SocioPolitical), // 1 general and interdisciplinary [U]
    (20, 29, NaturalSciences),
    (30, 39, Technology),
    (40, 49, Agriculture),
    (50, 59, NaturalSciences), // 5 medicine [U]
    (60, 68, SocioPolitical),
    (70, 74, SocioPolitical), // 74 education [U]
    (75, 75, SportArts),
    (76, 79, SocioPolitical),
    (80, 83, LinguisticsLiterary), // 82 folklore [U]
    (84, 84, Fiction),
    (85, 85, SportArts),
    (86, 88, SocioPolitical), // religion, philosophy, psychology [U]
    (90, 99, Other),
];

/// Scientific-library (letter) tables, by the numeric division each letter
/// corresponds to (§5.1). Ч5 (physical culture and sport) and Ш6 (fiction)
/// are split out like 75 and 84: the NLR records in the corpus class chess
/// problems as Ч515 and Babel's collected works as Ш6(2=Р)7.
const BBK_SCIENTIFIC: &[(&str, KnowledgeArea)] = &[
    ("А", SocioPolitical),
    ("Б", NaturalSciences),
    ("В", NaturalSciences),
    ("Г", NaturalSciences),
    ("Д", NaturalSciences),
    ("Е", NaturalSciences),
    ("Ж", Technology),
    ("З", Technology),
    ("И", Technology),
    ("К", Technology),
    ("Л", Technology),
    ("М", Technology),
    ("Н", Technology),
    ("О", Technology),
    ("П", Agriculture),
    ("Р", NaturalSciences),
    ("С", SocioPolitical),
    ("Т", SocioPolitical),
    ("У", SocioPolitical),
    ("Ф", SocioPolitical),
    ("Х", SocioPolitical),
    ("Ц", SocioPolitical),
    ("Ч", SocioPolitical),
    ("Ч5", SportArts),
    ("Ш", LinguisticsLiterary),
    ("Ш6", Fiction),
    ("Щ", SportArts),
    ("Э", SocioPolitical),
    ("Ю", SocioPolitical),
    ("Я", Other),
];

/// UDC by leading digits (§5.3). 0 mixes librarianship and information
/// (socio-political, like BBK 78) with computing (technology, like BBK 32)
/// and reference works (other, like BBK 9) [U].
const UDC: &[(&str, KnowledgeArea)] = &[
    ("0", SocioPolitical),
    ("004", Technology),
    ("03", Other),
    ("1", SocioPolitical),
    ("2", SocioPolitical),
    ("3", SocioPolitical),
    ("5", NaturalSciences),
    ("6", Technology),
    ("61", NaturalSciences),
    ("63", Agriculture),
    ("7", SportArts),
    ("8", LinguisticsLiterary),
    ("9", SocioPolitical),
];

pub(super) fn default_rules() -> AreaRules {
    let prefixes = |table: &[(&str, KnowledgeArea)]| {
        table
            .iter()
            .map(|(prefix, area)| PrefixRule {
                prefix: (*prefix).to_string(),
                area: *area,
            })
            .collect()
    };
    AreaRules {
        version: BUILTIN_VERSION.to_owned(),
        bbk_public: BBK_PUBLIC
            .iter()
            .map(|&(from, to, area)| RangeRule { from, to, area })
            .collect(),
        bbk_scientific: prefixes(BBK_SCIENTIFIC),
        udc: prefixes(UDC),
    }
}

/// UDC 82 is literature, texts and studies alike. The guide says it cannot
/// be split reliably and BBK should be preferred; as a fallback, studies are
/// recognised by their markers (82.0 theory, "-09"/".09" criticism and
/// history, "82-" general forms) and everything else under 821 (the texts of
/// national literatures, 821.512.122-31 for a Kazakh novel) is fiction [U].
pub(super) fn udc_literature(number: &str) -> Option<KnowledgeArea> {
    if !number.starts_with("82") {
        return None;
    }
    let studies = number.starts_with("82.0")
        || number.starts_with("82-")
        || number.contains("-09")
        || number.contains(".09")
        || number.contains("(091)");
    if studies {
        return Some(LinguisticsLiterary);
    }
    Some(if number.starts_with("821") {
        Fiction
    } else {
        LinguisticsLiterary
    })
}
