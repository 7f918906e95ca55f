//! Highlighted snippets. The words of the record's text are analysed like the
//! query's (exact, stems, folding keys), so a Latin-script query marks the
//! Cyrillic word it found, which tantivy's snippet generator cannot do with
//! pre-tokenized fields.

use std::collections::HashSet;

use kitap_text::tokens;

use crate::analysis::words;
use crate::build::query_words;
use crate::query::Query;

/// Marks query words in record text.
pub struct Highlighter {
    terms: HashSet<String>,
}

fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

impl Highlighter {
    pub fn new(query: &Query) -> Highlighter {
        let mut ws = Vec::new();
        query_words(query, &mut ws);
        let mut terms = HashSet::new();
        for w in ws {
            terms.insert(w.exact);
            terms.extend(w.stems);
            // Only the first key: stemmed keys of short words would mark too much.
            terms.extend(w.keys.into_iter().take(1));
        }
        Highlighter { terms }
    }

    fn matches(&self, word: &str) -> bool {
        words(word, None).iter().any(|w| {
            self.terms.contains(&w.exact)
                || w.stems.iter().any(|s| self.terms.contains(s))
                || w.keys.iter().any(|k| self.terms.contains(k))
        })
    }

    /// `text` HTML-escaped with `<mark>` around matching words; `None` when
    /// nothing matches.
    pub fn mark(&self, text: &str) -> Option<String> {
        if self.terms.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(text.len() + 32);
        let mut rest = 0;
        let mut any = false;
        for token in tokens(text) {
            let Some(found) = text[rest..].find(&token.original) else {
                continue;
            };
            let start = rest + found;
            let end = start + token.original.len();
            if self.matches(&token.original) {
                escape(&mut out, &text[rest..start]);
                out.push_str("<mark>");
                escape(&mut out, &text[start..end]);
                out.push_str("</mark>");
                rest = end;
                any = true;
            }
        }
        escape(&mut out, &text[rest..]);
        any.then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Field;

    fn q(text: &str) -> Query {
        Query::Words {
            field: Field::Any,
            text: text.to_string(),
        }
    }

    #[test]
    fn marks_across_scripts_and_inflections() {
        let h = Highlighter::new(&q("Abai joly"));
        assert_eq!(
            h.mark("«Абай жолы» & роман").as_deref(),
            Some("«<mark>Абай</mark> <mark>жолы</mark>» &amp; роман")
        );
        let h = Highlighter::new(&q("абай"));
        assert_eq!(
            h.mark("Абайдың өлеңдері").as_deref(),
            Some("<mark>Абайдың</mark> өлеңдері")
        );
        assert_eq!(h.mark("Мұхтар Әуезов"), None);
    }
}
