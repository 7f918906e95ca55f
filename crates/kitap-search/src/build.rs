//! [`Query`] to tantivy. A word is searched as its exact form, its stems and
//! its folding keys across the fields its clause names, boosted so that an
//! exact-script title or author match ranks first and a folded (other-script,
//! other-keyboard) or fuzzy match still finds the record.

use std::ops::Bound;

use kitap_domain::Isbn;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, FuzzyTermQuery, Occur,
    PhraseQuery, Query as TQuery, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field as TField, IndexRecordOption};
use tantivy::Term;

use crate::analysis::{words, WordTerms};
use crate::query::{Field, Query};
use crate::schema::Fields;

type Boxed = Box<dyn TQuery>;

/// Shortest folding key that gets a fuzzy (one-typo) variant, and the length
/// from which two typos are allowed. One typo from three letters on, like
/// Elasticsearch's `AUTO` fuzziness: readers mistype short words too
/// ("Кемел адм", "Ай мне Айша"; a transposition counts as one typo).
const FUZZY_MIN: usize = 3;
const FUZZY_TWO: usize = 10;

fn term(field: TField, text: &str) -> Boxed {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(q: Boxed, boost: f32) -> Boxed {
    Box::new(BoostQuery::new(q, boost))
}

fn fuzzy(field: TField, key: &str) -> Option<Boxed> {
    let len = key.chars().count();
    if len < FUZZY_MIN {
        return None;
    }
    let distance = if len >= FUZZY_TWO { 2 } else { 1 };
    Some(Box::new(FuzzyTermQuery::new(
        Term::from_field_text(field, key),
        distance,
        true,
    )))
}

fn dismax(parts: Vec<Boxed>) -> Boxed {
    match parts.len() {
        0 => Box::new(EmptyQuery),
        _ => Box::new(DisjunctionMaxQuery::with_tie_breaker(parts, 0.1)),
    }
}

/// Which index fields a logical field searches, with boosts.
struct Targets {
    /// Exact-word fields.
    exact: &'static [(FieldSel, f32)],
    /// Stem fields (searched with the word and its stems).
    stems: &'static [(FieldSel, f32)],
    /// Folding-key fields.
    keys: &'static [(FieldSel, f32)],
    /// Key fields that also get a fuzzy variant.
    fuzzy: &'static [(FieldSel, f32)],
    /// Exact-word fields that get a fuzzy variant of the word itself: the
    /// key's digraph rewrites can turn one typo into two ("весх" for "всех"
    /// folds to `vew` against `vseh`), the exact form keeps it one.
    fuzzy_exact: &'static [(FieldSel, f32)],
}

#[derive(Clone, Copy)]
enum FieldSel {
    Title,
    TitleS,
    TitleK,
    Author,
    AuthorK,
    Subject,
    SubjectK,
    SeriesK,
    PublisherK,
    All,
    AllK,
}

impl FieldSel {
    fn of(self, f: &Fields) -> TField {
        match self {
            FieldSel::Title => f.title,
            FieldSel::TitleS => f.title_s,
            FieldSel::TitleK => f.title_k,
            FieldSel::Author => f.author,
            FieldSel::AuthorK => f.author_k,
            FieldSel::Subject => f.subject,
            FieldSel::SubjectK => f.subject_k,
            FieldSel::SeriesK => f.series_k,
            FieldSel::PublisherK => f.publisher_k,
            FieldSel::All => f.all,
            FieldSel::AllK => f.all_k,
        }
    }
}

use FieldSel as S;

fn targets(field: Field) -> Option<Targets> {
    Some(match field {
        Field::Any | Field::Keyword | Field::Annotation => Targets {
            exact: &[
                (S::Title, 8.0),
                (S::Author, 6.0),
                (S::Subject, 3.0),
                (S::All, 1.5),
            ],
            stems: &[(S::TitleS, 5.0), (S::All, 1.0)],
            keys: &[
                (S::TitleK, 3.0),
                (S::AuthorK, 3.0),
                (S::SubjectK, 1.5),
                (S::AllK, 1.0),
            ],
            fuzzy: &[(S::TitleK, 0.6), (S::AuthorK, 0.6)],
            fuzzy_exact: &[(S::Title, 0.6), (S::Author, 0.6)],
        },
        Field::Title => Targets {
            exact: &[(S::Title, 4.0)],
            stems: &[(S::TitleS, 2.5)],
            keys: &[(S::TitleK, 1.5)],
            fuzzy: &[(S::TitleK, 0.3)],
            fuzzy_exact: &[(S::Title, 0.3)],
        },
        Field::Author => Targets {
            exact: &[(S::Author, 4.0)],
            stems: &[],
            keys: &[(S::AuthorK, 1.5)],
            fuzzy: &[(S::AuthorK, 0.3)],
            fuzzy_exact: &[(S::Author, 0.3)],
        },
        Field::Subject => Targets {
            exact: &[(S::Subject, 4.0)],
            stems: &[],
            keys: &[(S::SubjectK, 1.5)],
            fuzzy: &[(S::SubjectK, 0.3)],
            fuzzy_exact: &[(S::Subject, 0.3)],
        },
        Field::Series => Targets {
            exact: &[],
            stems: &[],
            keys: &[(S::SeriesK, 1.0)],
            fuzzy: &[],
            fuzzy_exact: &[],
        },
        Field::Publisher => Targets {
            exact: &[],
            stems: &[],
            keys: &[(S::PublisherK, 1.0)],
            fuzzy: &[],
            fuzzy_exact: &[],
        },
        _ => return None,
    })
}

fn word_clause(f: &Fields, t: &Targets, w: &WordTerms, fz: bool) -> Boxed {
    let mut parts: Vec<Boxed> = Vec::new();
    for (sel, boost) in t.exact {
        parts.push(boosted(term(sel.of(f), &w.exact), *boost));
    }
    for (sel, boost) in t.stems {
        for s in std::iter::once(&w.exact).chain(&w.stems) {
            parts.push(boosted(term(sel.of(f), s), *boost));
        }
    }
    for (sel, boost) in t.keys {
        for k in &w.keys {
            parts.push(boosted(term(sel.of(f), k), *boost));
        }
    }
    if !fz {
        return dismax(parts);
    }
    if let Some(key) = w.keys.first() {
        for (sel, boost) in t.fuzzy {
            if let Some(q) = fuzzy(sel.of(f), key) {
                parts.push(boosted(q, *boost));
            }
        }
    }
    for (sel, boost) in t.fuzzy_exact {
        if let Some(q) = fuzzy(sel.of(f), &w.exact) {
            parts.push(boosted(q, *boost));
        }
    }
    dismax(parts)
}

/// An ISBN in any form (hyphens, spaces, 10 or 13 digits) as its 13 digits.
pub fn normalize_isbn(raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}'..='\u{2015}'))
        .collect();
    Isbn::from_catalogue(&compact)
        .ok()
        .map(|isbn| isbn.as_str().to_string())
}

/// An ISSN as "NNNN-NNNC" (upper case X), hyphen optional in the input.
pub fn normalize_issn(raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    (compact.len() == 8
        && compact[..7].bytes().all(|b| b.is_ascii_digit())
        && compact[7..]
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'X'))
    .then(|| format!("{}-{}", &compact[..4], &compact[4..]))
}

fn looks_like_isbn(chunk: &str) -> bool {
    let digits = chunk.chars().filter(|c| c.is_ascii_digit()).count();
    (digits == 10 || digits == 13 || digits == 9)
        && chunk
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == 'x' || c == 'X')
}

/// A word too short for a fuzzy variant (its folding key has fewer than
/// [`FUZZY_MIN`] characters: "мен" mistyped "мн", a volume number "2").
fn too_short_to_correct(w: &WordTerms) -> bool {
    w.keys.first().unwrap_or(&w.exact).chars().count() < FUZZY_MIN
}

/// Words, all (`require_all`) or any of them, in the fields of `field`.
///
/// With `require_all`, a word too short to be corrected by a fuzzy variant
/// only adds to the score when the text has a longer word: a typo in it
/// could not be forgiven, and one or two letters say little about which
/// record is meant. Records that have it still rank above those that lack it.
fn words_query(f: &Fields, field: Field, text: &str, require_all: bool, fz: bool) -> Boxed {
    let occur = if require_all {
        Occur::Must
    } else {
        Occur::Should
    };
    let mut clauses: Vec<(Occur, Boxed)> = Vec::new();
    let Some(t) = targets(field) else {
        return exact_field(f, field, text, fz);
    };
    let chunks: Vec<(&str, Vec<WordTerms>)> = text
        .split_whitespace()
        .map(|chunk| (chunk, words(chunk, None)))
        .collect();
    let has_long = chunks
        .iter()
        .any(|(_, ws)| ws.iter().any(|w| !too_short_to_correct(w)));
    for (chunk, ws) in &chunks {
        let mut chunk_clauses: Vec<(Occur, Boxed)> = ws
            .iter()
            .map(|w| {
                let optional = require_all && has_long && too_short_to_correct(w);
                let occur = if optional { Occur::Should } else { occur };
                (occur, word_clause(f, &t, w, fz))
            })
            .collect();
        if field == Field::Any && looks_like_isbn(chunk) {
            // "978-601-..." is one ISBN, not five numbers.
            let as_words: Boxed = Box::new(BooleanQuery::new(
                chunk_clauses
                    .drain(..)
                    .map(|(_, q)| (Occur::Must, q))
                    .collect(),
            ));
            let as_isbn = normalize_isbn(chunk)
                .map(|isbn| boosted(term(f.isbn, &isbn), 20.0))
                .unwrap_or_else(|| Box::new(EmptyQuery));
            chunk_clauses.push((occur, dismax(vec![as_isbn, as_words])));
        }
        clauses.extend(chunk_clauses);
    }
    if clauses.is_empty() {
        return Box::new(EmptyQuery);
    }
    Box::new(BooleanQuery::new(clauses))
}

fn phrase_in(field: TField, terms: Vec<String>) -> Boxed {
    match terms.len() {
        0 => Box::new(EmptyQuery),
        1 => term(field, &terms[0]),
        _ => Box::new(PhraseQuery::new(
            terms
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect(),
        )),
    }
}

fn phrase_query(f: &Fields, field: Field, text: &str, fz: bool) -> Boxed {
    let ws = words(text, None);
    let exact: Vec<String> = ws.iter().map(|w| w.exact.clone()).collect();
    let keys: Vec<String> = ws.iter().filter_map(|w| w.keys.first().cloned()).collect();
    let pairs: Vec<(FieldSel, FieldSel, f32)> = match field {
        Field::Title => vec![(S::Title, S::TitleK, 1.0)],
        Field::Author => vec![(S::Author, S::AuthorK, 1.0)],
        Field::Subject => vec![(S::Subject, S::SubjectK, 1.0)],
        Field::Series => vec![(S::SeriesK, S::SeriesK, 1.0)],
        Field::Publisher => vec![(S::PublisherK, S::PublisherK, 1.0)],
        Field::Any | Field::Keyword | Field::Annotation => vec![
            (S::Title, S::TitleK, 4.0),
            (S::Author, S::AuthorK, 3.0),
            (S::Subject, S::SubjectK, 1.5),
            (S::All, S::All, 1.0),
        ],
        _ => return exact_field(f, field, text, fz),
    };
    let mut parts = Vec::new();
    for (exact_sel, key_sel, boost) in pairs {
        parts.push(boosted(
            phrase_in(exact_sel.of(f), exact.clone()),
            2.0 * boost,
        ));
        parts.push(boosted(phrase_in(key_sel.of(f), keys.clone()), boost));
    }
    dismax(parts)
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if c.is_alphanumeric() || c == ' ' {
            out.push(c);
        } else {
            out.push('\\');
            out.push(c);
        }
    }
    out
}

fn prefix(field: TField, text: &str) -> Boxed {
    let p = text.trim().to_lowercase();
    if p.is_empty() {
        return Box::new(EmptyQuery);
    }
    match RegexQuery::from_pattern(&format!("{}.*", regex_escape(&p)), field) {
        Ok(q) => Box::new(q),
        Err(_) => term(field, &p),
    }
}

/// Fields matched as whole values: identifiers, codes, classes.
fn exact_field(f: &Fields, field: Field, text: &str, fz: bool) -> Boxed {
    let text = text.trim();
    let any_of = |field: TField, values: Vec<String>| -> Boxed {
        let clauses: Vec<(Occur, Boxed)> = values
            .iter()
            .map(|v| (Occur::Should, term(field, v)))
            .collect();
        if clauses.is_empty() {
            Box::new(EmptyQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        }
    };
    let each = |norm: &dyn Fn(&str) -> Option<String>| -> Vec<String> {
        text.split([',', ';', ' '])
            .filter(|s| !s.is_empty())
            .filter_map(norm)
            .collect()
    };
    match field {
        // A whole hyphenated ISBN first, else each ISBN in a list.
        Field::Isbn => any_of(
            f.isbn,
            normalize_isbn(text).map_or_else(|| each(&normalize_isbn), |i| vec![i]),
        ),
        Field::Issn => any_of(f.issn, each(&normalize_issn)),
        Field::Inventory => any_of(f.inventory, each(&|s| Some(s.to_string()))),
        Field::Barcode => any_of(f.barcode, each(&|s| Some(s.to_string()))),
        Field::Udc => prefix(f.udc, text),
        Field::Bbk => prefix(f.bbk, text),
        Field::Lang => any_of(f.lang, each(&|s| Some(s.to_lowercase()))),
        Field::Library => any_of(f.library, each(&|s| Some(s.to_uppercase()))),
        Field::MaterialType => any_of(f.material_type, each(&|s| Some(s.to_lowercase()))),
        Field::BbkGroup => any_of(f.bbk_group, vec![text.to_string()]),
        Field::Id => any_of(f.id, each(&|s| Some(s.to_lowercase()))),
        _ => words_query(f, field, text, true, fz),
    }
}

fn year_range(f: &Fields, from: Option<i32>, to: Option<i32>) -> Boxed {
    let bound = |y: Option<i32>| match y {
        Some(y) => Bound::Included(Term::from_field_i64(f.year, i64::from(y))),
        None => Bound::Unbounded,
    };
    if from.is_none() && to.is_none() {
        // "any year" still means "has a year".
        return Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_i64(f.year, i64::MIN)),
            Bound::Unbounded,
        ));
    }
    Box::new(RangeQuery::new(bound(from), bound(to)))
}

/// The tantivy query for `query`.
/// `fz`: add fuzzy (typo-forgiving) variants; off for clients that expect
/// exact matching (SRU: copy-cataloguing tools).
pub fn to_tantivy(f: &Fields, query: &Query, fz: bool) -> Boxed {
    match query {
        Query::All => Box::new(AllQuery),
        Query::Words { field, text } => words_query(f, *field, text, true, fz),
        Query::AnyWords { field, text } => words_query(f, *field, text, false, fz),
        Query::Phrase { field, text } => phrase_query(f, *field, text, fz),
        Query::Year { from, to } => year_range(f, *from, *to),
        Query::And(parts) => Box::new(BooleanQuery::new(
            parts
                .iter()
                .map(|q| (Occur::Must, to_tantivy(f, q, fz)))
                .collect(),
        )),
        Query::Or(parts) => Box::new(BooleanQuery::new(
            parts
                .iter()
                .map(|q| (Occur::Should, to_tantivy(f, q, fz)))
                .collect(),
        )),
        Query::AndNot(left, right) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, to_tantivy(f, left, fz)),
            (Occur::MustNot, to_tantivy(f, right, fz)),
        ])),
    }
}

/// Every word of the query's text clauses, for highlighting.
pub fn query_words(query: &Query, out: &mut Vec<WordTerms>) {
    match query {
        Query::Words { text, field }
        | Query::AnyWords { text, field }
        | Query::Phrase { text, field }
            if targets(*field).is_some() =>
        {
            out.extend(words(text, None));
        }
        Query::And(parts) | Query::Or(parts) => {
            for p in parts {
                query_words(p, out);
            }
        }
        Query::AndNot(left, _) => query_words(left, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbn_forms() {
        let want = Some("9786018946653".to_string());
        assert_eq!(normalize_isbn("978-601-8946-65-3"), want);
        assert_eq!(normalize_isbn("9786018946653"), want);
        assert_eq!(normalize_isbn("978 601 8946 65 3"), want);
        assert_eq!(
            normalize_isbn("5-7520-0010-6").as_deref(),
            Some("9785752000102")
        );
        assert_eq!(normalize_isbn("12345"), None);
    }

    #[test]
    fn issn_forms() {
        assert_eq!(normalize_issn("0317-8471").as_deref(), Some("0317-8471"));
        assert_eq!(normalize_issn("2049363x").as_deref(), Some("2049-363X"));
        assert_eq!(normalize_issn("abc"), None);
    }
}
