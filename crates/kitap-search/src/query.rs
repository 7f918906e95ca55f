//! The query language shared by the search box and SRU/CQL: both parse into
//! [`Query`], which the engine turns into a tantivy query.

use serde::Serialize;

/// What a clause searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// All text fields (title, author, subject, series, publisher, keywords,
    /// annotation) and, for a term that looks like one, the ISBN/ISSN.
    Any,
    Title,
    Author,
    Subject,
    Series,
    Publisher,
    Keyword,
    Annotation,
    /// Any ISBN form: 10 or 13 digits, hyphens and spaces ignored.
    Isbn,
    Issn,
    /// Copy inventory number, exact.
    Inventory,
    /// Copy barcode, exact.
    Barcode,
    /// UDC index, prefix match ("821.512" finds "821.512.122").
    Udc,
    /// BBK index, prefix match.
    Bbk,
    /// ISO 639-2/B language code ("kaz").
    Lang,
    /// Library (branch) code holding a copy ("F07").
    Library,
    /// Record type ("book", "serial") or a copy's material type.
    MaterialType,
    /// Knowledge-area report group of the BBK/UDC class.
    BbkGroup,
    /// The record id (UUID).
    Id,
}

/// A parsed query. `Not` appears only as a member of `And` (a pure negation
/// means "everything except", which [`Query::AndNot`] spells out).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "op", content = "args")]
pub enum Query {
    /// Every record.
    All,
    /// Words, any script, all required (the usual box search); a word of
    /// one or two letters only adds to the score when a longer one is there.
    Words {
        field: Field,
        text: String,
    },
    /// Words, at least one required (CQL `any`).
    AnyWords {
        field: Field,
        text: String,
    },
    /// The words in this order, adjacent.
    Phrase {
        field: Field,
        text: String,
    },
    /// Publication year in an inclusive range; `None` is open.
    Year {
        from: Option<i32>,
        to: Option<i32>,
    },
    And(Vec<Query>),
    Or(Vec<Query>),
    /// `left` and not `right`.
    AndNot(Box<Query>, Box<Query>),
}

impl Query {
    /// `a AND b`, flattening nested ANDs.
    pub fn and(self, other: Query) -> Query {
        match (self, other) {
            (Query::All, q) | (q, Query::All) => q,
            (Query::And(mut a), Query::And(b)) => {
                a.extend(b);
                Query::And(a)
            }
            (Query::And(mut a), q) => {
                a.push(q);
                Query::And(a)
            }
            (q, Query::And(mut b)) => {
                b.insert(0, q);
                Query::And(b)
            }
            (a, b) => Query::And(vec![a, b]),
        }
    }

    /// `a OR b`, flattening nested ORs.
    pub fn or(self, other: Query) -> Query {
        match (self, other) {
            (Query::Or(mut a), Query::Or(b)) => {
                a.extend(b);
                Query::Or(a)
            }
            (Query::Or(mut a), q) => {
                a.push(q);
                Query::Or(a)
            }
            (q, Query::Or(mut b)) => {
                b.insert(0, q);
                Query::Or(b)
            }
            (a, b) => Query::Or(vec![a, b]),
        }
    }
}

/// A query that cannot be parsed, with the character offset of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {position})")]
pub struct QueryError {
    /// A stable code: `unbalanced_parenthesis`, `unterminated_phrase`,
    /// `unknown_field`, `bad_range`, `empty_query`, `unsupported_relation`,
    /// `unknown_index`, `syntax`.
    pub code: &'static str,
    pub message: String,
    pub position: usize,
}

impl QueryError {
    pub fn new(code: &'static str, message: impl Into<String>, position: usize) -> QueryError {
        QueryError {
            code,
            message: message.into(),
            position,
        }
    }
}
