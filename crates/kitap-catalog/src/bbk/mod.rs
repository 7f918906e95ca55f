//! BBK and UDC numbers to the knowledge-area groups of the Karaganda
//! fund and loan reports (kz-domain.md §5).
//!
//! The mapping is data ([`AreaRules`], serde-loadable), not code, because
//! the guide marks several assignments uncertain and the report groups are
//! to be confirmed with the library: a library changes a table, not the
//! program. [`AreaRules::default`] is the guide's proposal, versioned
//! [`BUILTIN_VERSION`]; a library's own table carries its own version,
//! which is stored with every record it classified, so the records a rule
//! change concerns can be found and reclassified.

mod tables;
mod validate;

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

pub use validate::AreaRulesError;

/// The version id of the built-in rules (kz-domain.md §5, as proposed in
/// 2024). Change it whenever `tables.rs` changes, or records classified by
/// the old table would look current.
pub const BUILTIN_VERSION: &str = "kz-domain-2024";

/// A report group ("по отраслям знаний").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KnowledgeArea {
    /// ҚСӘ, қоғамдық-саяси әдебиет.
    SocioPolitical,
    /// ЖТҒ, жаратылыстану ғылымдары (with medicine, as Soviet-era forms did).
    NaturalSciences,
    /// Техника.
    Technology,
    /// а/ш, ауыл шаруашылығы.
    Agriculture,
    /// 75/85: physical culture and sport, arts.
    SportArts,
    /// 81/83: linguistics and literary studies (80-83).
    LinguisticsLiterary,
    /// 84: fiction.
    Fiction,
    /// Universal-content works (BBK 9, Я) and what no rule places.
    Other,
}

impl KnowledgeArea {
    pub const ALL: &'static [KnowledgeArea] = &[
        KnowledgeArea::SocioPolitical,
        KnowledgeArea::NaturalSciences,
        KnowledgeArea::Technology,
        KnowledgeArea::Agriculture,
        KnowledgeArea::SportArts,
        KnowledgeArea::LinguisticsLiterary,
        KnowledgeArea::Fiction,
        KnowledgeArea::Other,
    ];

    /// The stable snake_case name (as in JSON and report configuration).
    pub fn as_str(self) -> &'static str {
        match self {
            KnowledgeArea::SocioPolitical => "socio_political",
            KnowledgeArea::NaturalSciences => "natural_sciences",
            KnowledgeArea::Technology => "technology",
            KnowledgeArea::Agriculture => "agriculture",
            KnowledgeArea::SportArts => "sport_arts",
            KnowledgeArea::LinguisticsLiterary => "linguistics_literary",
            KnowledgeArea::Fiction => "fiction",
            KnowledgeArea::Other => "other",
        }
    }

    /// The group of a BBK index under the default rules; `None` when the
    /// index is neither a numeric nor a letter-table index.
    pub fn from_bbk(index: &str) -> Option<KnowledgeArea> {
        AreaRules::builtin().classify_bbk(index).map(|c| c.area)
    }

    /// The group of a UDC number under the default rules.
    pub fn from_udc(number: &str) -> Option<KnowledgeArea> {
        AreaRules::builtin().classify_udc(number)
    }
}

/// Which BBK tables an index comes from (kz-domain.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BbkTable {
    /// The public-library (массовые) tables: Arabic numerals ("84(5Каз)").
    Public,
    /// The scientific-library tables: a Cyrillic letter first ("Ш6", "Т3").
    Scientific,
}

/// A classified BBK index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BbkClass {
    pub table: BbkTable,
    /// The division the rules matched on: the first two digits as written
    /// ("84", "63", or "5" alone, which the rules read as 50) or the
    /// letter-table prefix ("Ш6", "Т").
    pub division: String,
    pub area: KnowledgeArea,
}

/// Numeric divisions `from..=to` (two-digit form) belong to `area`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeRule {
    pub from: u8,
    pub to: u8,
    pub area: KnowledgeArea,
}

/// Indexes starting with `prefix` belong to `area`; the longest matching
/// prefix wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrefixRule {
    pub prefix: String,
    pub area: KnowledgeArea,
}

/// The whole mapping. Unmatched numeric and letter indexes fall to
/// [`KnowledgeArea::Other`]; unparseable input gives `None`. Loaded from
/// outside, it is to be [`AreaRules::validate`]d before use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaRules {
    /// Names this table: a record stores the version that classified it.
    pub version: String,
    pub bbk_public: Vec<RangeRule>,
    pub bbk_scientific: Vec<PrefixRule>,
    pub udc: Vec<PrefixRule>,
}

impl Default for AreaRules {
    fn default() -> Self {
        tables::default_rules()
    }
}

impl AreaRules {
    /// The built-in rules, built once: statistics classify every copy.
    pub fn builtin() -> &'static AreaRules {
        static RULES: OnceLock<AreaRules> = OnceLock::new();
        RULES.get_or_init(AreaRules::default)
    }

    /// Classifies the first index of a possibly compound BBK string
    /// ("63.3(5Каз)+84(5Каз)" is read as "63.3(5Каз)").
    pub fn classify_bbk(&self, index: &str) -> Option<BbkClass> {
        let first = first_index(index);
        let mut chars = first.chars();
        let lead = chars.next()?;
        if lead.is_ascii_digit() {
            let digits: String = first
                .chars()
                .take_while(char::is_ascii_digit)
                .take(2)
                .collect();
            let division: u8 = match digits.len() {
                1 => digits.parse::<u8>().ok()? * 10,
                _ => digits.parse().ok()?,
            };
            let area = self
                .bbk_public
                .iter()
                .find(|r| (r.from..=r.to).contains(&division))
                .map_or(KnowledgeArea::Other, |r| r.area);
            return Some(BbkClass {
                table: BbkTable::Public,
                division: digits,
                area,
            });
        }
        // A letter-table index is a letter and then digits or a typical
        // division ("Ш6", "Ч617ц.я8"), never a word ("Кітап", "He.01").
        if chars.clone().next().is_some_and(char::is_alphabetic) {
            return None;
        }
        let letter = fold_letter(lead)?;
        let normalised: String = std::iter::once(letter).chain(chars).collect();
        let rule = longest_prefix(&self.bbk_scientific, &normalised);
        Some(BbkClass {
            table: BbkTable::Scientific,
            division: rule.map_or_else(|| letter.to_string(), |r| r.prefix.clone()),
            area: rule.map_or(KnowledgeArea::Other, |r| r.area),
        })
    }

    /// Classifies the first number of a UDC string by its leading digits.
    pub fn classify_udc(&self, number: &str) -> Option<KnowledgeArea> {
        let first = first_index(number);
        let first = first.trim_start_matches(['[', '(', '"']);
        if !first.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        // Literary form auxiliaries decide between fiction and literary
        // studies inside 82 (see tables.rs); other classes go by prefix.
        if let Some(area) = tables::udc_literature(first) {
            return Some(area);
        }
        let compact: String = first.chars().filter(char::is_ascii_digit).take(4).collect();
        longest_prefix(&self.udc, &compact).map(|r| r.area)
    }
}

/// The first index of a compound ("a+b", "a:b", "a; b", "a/b").
fn first_index(s: &str) -> &str {
    s.trim()
        .split(['+', ':', ';', '/', ' '])
        .next()
        .unwrap_or_default()
}

/// Upper-case Cyrillic for a letter-table lead letter; Latin look-alikes
/// (keyed on the wrong layout) are folded to the Cyrillic letter they mimic.
/// Only upper-case Latin is folded: a lone "c" in a 686 is junk, not "С".
fn fold_letter(c: char) -> Option<char> {
    if c.is_ascii_lowercase() {
        return None;
    }
    let upper = c.to_uppercase().next().unwrap_or(c);
    let folded = match upper {
        'A' => 'А',
        'B' => 'В',
        'C' => 'С',
        'E' => 'Е',
        'H' => 'Н',
        'K' => 'К',
        'M' => 'М',
        'O' => 'О',
        'P' => 'Р',
        'T' => 'Т',
        'X' => 'Х',
        'Y' => 'У',
        other => other,
    };
    ('А'..='Я').contains(&folded).then_some(folded)
}

fn longest_prefix<'a>(rules: &'a [PrefixRule], s: &str) -> Option<&'a PrefixRule> {
    rules
        .iter()
        .filter(|r| s.starts_with(r.prefix.as_str()))
        .max_by_key(|r| r.prefix.chars().count())
}

#[cfg(test)]
mod tests;
