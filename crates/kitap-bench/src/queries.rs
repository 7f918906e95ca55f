//! The query mix: six kinds in equal shares, each drawn from random records
//! of the catalogue, as the OPAC sends them and as PostgreSQL full-text
//! statements.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::generator::vocab::STOP;
use crate::generator::{isbn10, isbn13, isbn_hyphenated, Rng, Spec};
use crate::translit::{latin, Latin};

pub const MIX: [&str; 6] = [
    "one word",
    "two words",
    "author",
    "isbn",
    "facet-filtered",
    "latin script",
];

/// RFC 3986 unreserved characters stay as they are.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

#[derive(Clone)]
pub struct Query {
    /// Index in MIX, or `usize::MAX` for a recall query.
    pub kind: usize,
    /// MIX's name, or the recall set's.
    pub label: String,
    /// The search box text (for PostgreSQL load runs: the statement).
    pub text: String,
    /// Extra URL parameters (facet filters), already encoded.
    pub params: String,
    /// PostgreSQL: the tsquery expression and the extra WHERE conditions.
    pub tsquery: String,
    pub pg_filter: String,
    /// The ISBN-13 of the one record this query is meant to find.
    pub target: Option<String>,
}

/// A SQL string literal.
pub fn sql_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl Query {
    pub fn words(kind: usize, label: &str, text: String) -> Query {
        Query {
            kind,
            label: label.to_string(),
            tsquery: format!("plainto_tsquery('simple', {})", sql_str(&text)),
            text,
            params: String::new(),
            pg_filter: String::new(),
            target: None,
        }
    }

    /// The OPAC's search request.
    pub fn path(&self) -> String {
        format!(
            "/api/v1/search?q={}&limit=20{}",
            utf8_percent_encode(&self.text, QUERY_VALUE),
            self.params
        )
    }

    fn pg_matches(&self, cols: &str, schema: &str) -> String {
        format!(
            "SELECT {cols}, ts_rank(tsv, {tq}) AS r FROM {schema}.bib WHERE tsv @@ {tq}{f}",
            tq = self.tsquery,
            f = self.pg_filter
        )
    }

    /// Top 20 by rank and the total, in one statement.
    pub fn pg_top(&self, schema: &str) -> String {
        format!(
            "WITH m AS MATERIALIZED ({}) SELECT (SELECT count(*) FROM m) AS total, t.* FROM (SELECT id, isbn, r FROM m ORDER BY r DESC, id LIMIT 20) t",
            self.pg_matches("id, isbn", schema)
        )
    }

    /// The same plus language, library and year facet counts (top 20 each).
    pub fn pg_facets(&self, schema: &str) -> String {
        format!(
            "WITH m AS MATERIALIZED ({}) \
             SELECT 'total', (SELECT count(*) FROM m)::text, NULL \
             UNION ALL (SELECT 'hit', id::text, isbn FROM m ORDER BY r DESC, id LIMIT 20) \
             UNION ALL (SELECT 'lang', lang, count(*)::text FROM m GROUP BY lang ORDER BY count(*) DESC LIMIT 20) \
             UNION ALL (SELECT 'library', l, count(*)::text FROM m, unnest(libraries) l GROUP BY l ORDER BY count(*) DESC LIMIT 20) \
             UNION ALL (SELECT 'year', year::text, count(*)::text FROM m GROUP BY year ORDER BY count(*) DESC LIMIT 20)",
            self.pg_matches("id, isbn, lang, year, libraries", schema)
        )
    }
}

fn one_word(s: &Spec, r: &mut Rng) -> Option<String> {
    let words: Vec<String> = s
        .title_words()
        .into_iter()
        .filter(|w| w.chars().count() >= 3 && !STOP.contains(&w.as_str()))
        .collect();
    (!words.is_empty()).then(|| r.pick(&words).clone())
}

fn two_words(s: &Spec, r: &mut Rng) -> Option<String> {
    let words = s.title_words();
    if words.len() < 2 {
        return None;
    }
    let i = r.below(words.len() - 1);
    Some(format!("{} {}", words[i], words[i + 1]))
}

fn author(s: &Spec, label: &str) -> Query {
    let mut q = Query::words(2, label, format!("author:{}", s.surname));
    q.tsquery = format!(
        "to_tsquery('simple', {})",
        sql_str(&format!("{}:B", s.surname.to_lowercase()))
    );
    q
}

/// The three ISBN forms by turns.
fn isbn(n: u64, made: usize, label: &str) -> Query {
    let text = match made % 3 {
        0 => isbn13(n),
        1 => isbn_hyphenated(n),
        _ => isbn10(n),
    };
    let mut q = Query::words(3, label, text);
    q.target = Some(isbn13(n));
    q
}

/// One word with a language, library or year filter by turns.
fn facet_filtered(s: &Spec, word: String, made: usize, label: &str) -> Query {
    let mut q = Query::words(4, label, word);
    match made % 3 {
        0 => {
            q.params = format!("&lang={}", s.lang);
            q.pg_filter = format!(" AND lang = '{}'", s.lang);
        }
        1 if !s.copies.is_empty() => {
            let lib = s.copies[0].0;
            q.params = format!("&library={lib}");
            q.pg_filter = format!(" AND libraries @> ARRAY['{lib}']");
        }
        _ => {
            let from = s.year.saturating_sub(10);
            q.params = format!("&year_from={from}");
            q.pg_filter = format!(" AND year >= {from}");
        }
    }
    q
}

/// Up to three title words of a Kazakh title in one of the Latin spellings.
fn latin_script(s: &Spec, made: usize, label: &str) -> Option<Query> {
    let words = s.title_words();
    (s.lang == "kaz" && s.noun.is_some() && words.len() >= 2).then(|| {
        let style = [Latin::InformalZh, Latin::InformalJ, Latin::Official2021][made % 3];
        let text = words
            .iter()
            .take(3)
            .map(|w| latin(w, style))
            .collect::<Vec<_>>()
            .join(" ");
        Query::words(5, label, text)
    })
}

fn query_of_kind(kind: usize, n: u64, made: usize, r: &mut Rng) -> Option<Query> {
    let label = MIX[kind];
    let s = Spec::generate(n);
    match kind {
        0 => one_word(&s, r).map(|w| Query::words(kind, label, w)),
        1 => two_words(&s, r).map(|w| Query::words(kind, label, w)),
        2 => Some(author(&s, label)),
        3 => Some(isbn(n, made, label)),
        4 => one_word(&s, r).map(|w| facet_filtered(&s, w, made, label)),
        _ => latin_script(&s, made, label),
    }
}

/// The latency mix: `per_kind` queries of each of the six kinds, from random
/// records among the first `count`.
pub fn mix_queries(count: u64, per_kind: usize) -> Vec<Query> {
    let mut r = Rng::new(0x5EED);
    let mut out = Vec::new();
    for kind in 0..MIX.len() {
        let mut made = 0;
        let mut tries = 0;
        while made < per_kind && tries < per_kind * 100 {
            tries += 1;
            let n = r.next() % count;
            if let Some(q) = query_of_kind(kind, n, made, &mut r) {
                out.push(q);
                made += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_in_equal_shares() {
        let mix = mix_queries(2_000, 20);
        for (kind, name) in MIX.iter().enumerate() {
            assert_eq!(mix.iter().filter(|q| q.kind == kind).count(), 20, "{name}");
        }
        assert!(mix
            .iter()
            .filter(|q| q.kind == 3)
            .all(|q| q.target.is_some()));
        assert!(mix
            .iter()
            .filter(|q| q.kind == 4)
            .all(|q| !q.params.is_empty()));
    }

    #[test]
    fn paths_are_percent_encoded() {
        let q = Query::words(0, "one word", "жол 978-601 a&b".into());
        assert_eq!(
            q.path(),
            "/api/v1/search?q=%D0%B6%D0%BE%D0%BB%20978-601%20a%26b&limit=20"
        );
        assert!(q
            .pg_top("s")
            .contains("FROM s.bib WHERE tsv @@ plainto_tsquery('simple', 'жол 978-601 a&b')"));
        assert_eq!(sql_str("it's"), "'it''s'");
    }
}
