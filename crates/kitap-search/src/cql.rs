//! CQL, the query language of SRU 1.2/2.0 (Library of Congress), parsed
//! into the same [`Query`] as the search box.
//!
//! CQL comes from programs, not readers, so this parser follows the grammar
//! and reports what it does not support with the codes the SRU layer turns
//! into diagnostics, instead of guessing.

use crate::query::{Field, Query, QueryError};

/// Deeper nesting is refused: the parser recurses once per parenthesis.
const MAX_DEPTH: usize = 64;

/// Parses a CQL query.
///
/// Grammar (CQL 1.2, with the CQL 2.0 `sortby` tail):
///
/// ```text
/// query      := prefix* scoped ["sortby" ...]
/// prefix     := ">" [name "="] uri                  -- accepted, ignored
/// scoped     := clause (boolean modifier* clause)*  -- left-associative
/// boolean    := "and" | "or" | "not" | "prox"       -- any case
/// clause     := "(" query ")" | index relation modifier* term | term
/// relation   := "=" | "==" | "<" | ">" | "<=" | ">=" | "<>" | name
/// modifier   := "/" name [comparator value]           -- accepted, ignored
/// term       := '"' chars, \" and \\ escaped '"' | run without space ( ) = < > / "
/// ```
///
/// - Booleans have equal precedence: `a or b and c` is `(a or b) and c`;
///   `a not b` is `AndNot(a, b)`. `prox` is read as `and` (a proximity match
///   is also a match of both sides; the engine has no proximity).
/// - Indexes (case-insensitive): `dc.title`, `dc.creator`/`dc.author`,
///   `dc.subject`, `dc.publisher`, `dc.language`, `dc.description`
///   (annotation), `dc.date` (year), `bath.title`, `bath.author`,
///   `bath.name`, `bath.subject`, `bath.isbn`, `bath.issn`, `rec.id`,
///   `cql.serverChoice`/`cql.anywhere`/`cql.keywords`/`cql.allIndexes`
///   (all fields) and `cql.allRecords` (every record, whatever the relation
///   and term). Each also works without its prefix (`title = абай`), which
///   CQL leaves to the server's default context set. Anything else is the
///   error `unknown_index`.
/// - Text relations: `=` and `all` give [`Query::Words`]; `any` gives
///   [`Query::AnyWords`]; `==`, `exact` and `adj` give [`Query::Phrase`] for
///   a term of several words and `Words` for a single word (the same search,
///   and it keeps the engine's ISBN handling). A `cql.` prefix on a relation
///   name is allowed. Other relations are `unsupported_relation`.
/// - `dc.date` takes `=`/`==`/`exact` (one year), `<`, `<=`, `>`, `>=`, and
///   `within "2010 2020"`; a term that is not a year is `bad_range`.
/// - A bare term is a `cql.serverChoice` search: `Words` over all fields.
/// - Masking characters `*`, `?` and `^` are removed unless escaped with a
///   backslash: truncation is not supported, and the stemming analyser
///   already finds most of what truncation is used for.
/// - Two terms with no boolean between them (`абай жолы`) are a `syntax`
///   error: quote a multi-word term.
/// - A CQL 2.0 `sortby` clause at the end is accepted and ignored (results
///   keep the engine's order).
///
/// Errors (positions are character offsets): `empty_query`, `syntax`,
/// `unterminated_phrase`, `unbalanced_parenthesis`, `unknown_index`,
/// `unsupported_relation`, `bad_range`.
pub fn parse_cql(input: &str) -> Result<Query, QueryError> {
    let tokens = lex(input)?;
    if tokens.is_empty() {
        return Err(QueryError::new("empty_query", "the query is empty", 0));
    }
    let mut parser = Parser {
        tokens,
        next: 0,
        depth: 0,
        end: input.chars().count(),
    };
    let query = parser.query()?;
    parser.sortby()?;
    match parser.peek() {
        None => Ok(query),
        Some(token) => Err(parser.unexpected(token)),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Slash,
    /// A comparator symbol: `=`, `==`, `<`, `>`, `<=`, `>=`, `<>`.
    Cmp(&'static str),
    /// An index, relation name, boolean or search term; which one depends
    /// on where it stands, so the lexer keeps both spellings.
    Word {
        /// As written, for matching keywords and index names.
        raw: String,
        /// Escapes resolved and masking characters removed, for searching.
        text: String,
        quoted: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    tok: Tok,
    pos: usize,
}

fn is_special(c: char) -> bool {
    matches!(c, '(' | ')' | '=' | '<' | '>' | '/' | '"')
}

fn lex(input: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let start = i;
        let tok = match c {
            _ if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => Tok::Open,
            ')' => Tok::Close,
            '/' => Tok::Slash,
            '=' | '<' | '>' => {
                let cmp = comparator(c, chars.get(i + 1).copied());
                i += cmp.chars().count();
                tokens.push(Token {
                    tok: Tok::Cmp(cmp),
                    pos: start,
                });
                continue;
            }
            '"' => {
                let (tok, next) = lex_quoted(&chars, start)?;
                i = next;
                tokens.push(Token { tok, pos: start });
                continue;
            }
            _ => {
                let (tok, next) = lex_unquoted(&chars, start);
                i = next;
                tokens.push(Token { tok, pos: start });
                continue;
            }
        };
        tokens.push(Token { tok, pos: start });
        i += 1;
    }
    Ok(tokens)
}

fn comparator(first: char, second: Option<char>) -> &'static str {
    match (first, second) {
        ('=', Some('=')) => "==",
        ('=', _) => "=",
        ('<', Some('=')) => "<=",
        ('<', Some('>')) => "<>",
        ('<', _) => "<",
        ('>', Some('=')) => ">=",
        _ => ">",
    }
}

/// Returns the token and the index after the closing quote.
fn lex_quoted(chars: &[char], start: usize) -> Result<(Tok, usize), QueryError> {
    let mut raw = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => {
                return Err(QueryError::new(
                    "unterminated_phrase",
                    "this quote is never closed",
                    start,
                ))
            }
            Some('"') => break,
            Some('\\') => {
                // Keep the escape for `search_text`; an escaped quote must
                // not end the term.
                raw.push('\\');
                if let Some(&escaped) = chars.get(i + 1) {
                    raw.push(escaped);
                    i += 1;
                }
            }
            Some(&c) => raw.push(c),
        }
        i += 1;
    }
    let text = search_text(&raw);
    Ok((
        Tok::Word {
            raw: unescape(&raw),
            text,
            quoted: true,
        },
        i + 1,
    ))
}

fn lex_unquoted(chars: &[char], start: usize) -> (Tok, usize) {
    let rest = chars.get(start..).unwrap_or_default();
    let len = rest
        .iter()
        .position(|&c| c.is_whitespace() || is_special(c))
        .unwrap_or(rest.len());
    let raw: String = rest.iter().take(len).collect();
    let text = search_text(&raw);
    (
        Tok::Word {
            raw,
            text,
            quoted: false,
        },
        start + len,
    )
}

/// The text to search for: escapes resolved, unescaped masking characters
/// dropped, whitespace collapsed.
fn search_text(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next().unwrap_or('\\')),
            '*' | '?' | '^' => {}
            _ => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes resolved, masking kept: how a quoted index or prefix reads.
fn unescape(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' {
            chars.next().unwrap_or('\\')
        } else {
            c
        });
    }
    out
}

/// What an index name selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Index {
    Field(Field),
    Year,
    AllRecords,
}

fn index_named(name: &str) -> Option<Index> {
    let lower = name.to_lowercase();
    // Unprefixed names use the server's default context set (CQL 1.2 §
    // "Index"): ours is the union of the ones below.
    let field = match lower.as_str() {
        "cql.allrecords" | "allrecords" => return Some(Index::AllRecords),
        "dc.date" | "date" => return Some(Index::Year),
        "dc.title" | "bath.title" | "title" => Field::Title,
        "dc.creator" | "dc.author" | "bath.author" | "bath.name" | "creator" | "author" => {
            Field::Author
        }
        "dc.subject" | "bath.subject" | "subject" => Field::Subject,
        "dc.publisher" | "publisher" => Field::Publisher,
        "dc.language" | "language" => Field::Lang,
        "dc.description" | "description" => Field::Annotation,
        "bath.isbn" | "isbn" => Field::Isbn,
        "bath.issn" | "issn" => Field::Issn,
        "rec.id" | "id" => Field::Id,
        "cql.serverchoice" | "cql.anywhere" | "cql.keywords" | "cql.allindexes"
        | "serverchoice" | "anywhere" | "keywords" | "allindexes" => Field::Any,
        _ => return None,
    };
    Some(Index::Field(field))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Boolean {
    And,
    Or,
    Not,
}

/// `prox` is read as `and`: see [`parse_cql`].
fn boolean_named(word: &str) -> Option<Boolean> {
    match word.to_lowercase().as_str() {
        "and" | "prox" => Some(Boolean::And),
        "or" => Some(Boolean::Or),
        "not" => Some(Boolean::Not),
        _ => None,
    }
}

fn combine(boolean: Boolean, left: Query, right: Query) -> Query {
    match boolean {
        Boolean::And => left.and(right),
        Boolean::Or => left.or(right),
        Boolean::Not => Query::AndNot(Box::new(left), Box::new(right)),
    }
}

/// A relation as the grammar found it: lower case, `cql.` prefix removed.
struct Relation {
    name: String,
    pos: usize,
}

struct Parser {
    tokens: Vec<Token>,
    next: usize,
    depth: usize,
    /// Character length of the input, the position of "ran out of input".
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn peek_tok(&self) -> Option<&Tok> {
        self.peek().map(|t| &t.tok)
    }

    fn peek_at(&self, ahead: usize) -> Option<&Tok> {
        self.tokens.get(self.next + ahead).map(|t| &t.tok)
    }

    /// The next token if it is an unquoted word: keywords are never quoted.
    fn peek_keyword(&self) -> Option<&str> {
        match self.peek_tok() {
            Some(Tok::Word {
                raw, quoted: false, ..
            }) => Some(raw),
            _ => None,
        }
    }

    fn syntax(&self, message: impl Into<String>, pos: usize) -> QueryError {
        QueryError::new("syntax", message, pos)
    }

    /// The error for a token nothing in the grammar accepts where it stands.
    fn unexpected(&self, token: &Token) -> QueryError {
        match token.tok {
            Tok::Close if self.depth == 0 => QueryError::new(
                "unbalanced_parenthesis",
                "no '(' matches this ')'",
                token.pos,
            ),
            Tok::Word { .. } => self.syntax(
                "expected a boolean (and, or, not) before this term; quote a term of several words",
                token.pos,
            ),
            _ => self.syntax("unexpected symbol", token.pos),
        }
    }

    fn query(&mut self) -> Result<Query, QueryError> {
        self.prefix_assignments()?;
        self.scoped()
    }

    /// `> dc = "info:srw/cql-context-set/1/dc-v1.1"`: the standard prefixes
    /// are the only ones understood, so a reassignment changes nothing.
    fn prefix_assignments(&mut self) -> Result<(), QueryError> {
        while let Some(Token {
            tok: Tok::Cmp(">"),
            pos,
        }) = self.peek().cloned()
        {
            self.next += 1;
            self.expect_word(pos, "a context set name or URI after '>'")?;
            if self.peek_tok() == Some(&Tok::Cmp("=")) {
                self.next += 1;
                self.expect_word(pos, "a context set URI after '='")?;
            }
        }
        Ok(())
    }

    fn scoped(&mut self) -> Result<Query, QueryError> {
        let mut query = self.clause()?;
        while let Some(boolean) = self.peek_keyword().and_then(boolean_named) {
            self.next += 1;
            self.modifiers()?;
            let right = self.clause()?;
            query = combine(boolean, query, right);
        }
        Ok(query)
    }

    fn clause(&mut self) -> Result<Query, QueryError> {
        let Some(Token { tok, pos }) = self.peek().cloned() else {
            return Err(self.syntax("the query ends where a search term was expected", self.end));
        };
        match tok {
            Tok::Open => self.group(pos),
            Tok::Word { raw, text, .. } => {
                self.next += 1;
                if self.relation_follows() {
                    self.indexed(&raw, pos)
                } else {
                    bare_term(text, pos)
                }
            }
            Tok::Close if self.depth == 0 => Err(QueryError::new(
                "unbalanced_parenthesis",
                "no '(' matches this ')'",
                pos,
            )),
            Tok::Close | Tok::Slash | Tok::Cmp(_) => {
                Err(self.syntax("expected a search term or '('", pos))
            }
        }
    }

    fn group(&mut self, open: usize) -> Result<Query, QueryError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.syntax(
                format!("parentheses are nested more than {MAX_DEPTH} deep"),
                open,
            ));
        }
        self.next += 1;
        self.depth += 1;
        let inner = self.query()?;
        let close = self.peek().cloned();
        self.depth -= 1;
        match close {
            Some(Token {
                tok: Tok::Close, ..
            }) => {
                self.next += 1;
                Ok(inner)
            }
            None => Err(QueryError::new(
                "unbalanced_parenthesis",
                "this '(' is never closed",
                open,
            )),
            Some(token) => Err(self.unexpected(&token)),
        }
    }

    /// Whether the word just read is an index: a comparator follows, or a
    /// relation name followed by a modifier or a term. A word that could
    /// only be a relation with nothing after it means two bare terms.
    fn relation_follows(&self) -> bool {
        match self.peek_tok() {
            Some(Tok::Cmp(_)) => true,
            Some(Tok::Word {
                raw, quoted: false, ..
            }) if boolean_named(raw).is_none() && !raw.eq_ignore_ascii_case("sortby") => {
                matches!(self.peek_at(1), Some(Tok::Word { .. } | Tok::Slash))
            }
            _ => false,
        }
    }

    fn indexed(&mut self, index_name: &str, index_pos: usize) -> Result<Query, QueryError> {
        let relation = self.relation()?;
        self.modifiers()?;
        let (text, term_pos) =
            self.expect_word(relation.pos, "a search term after the relation")?;
        let index = index_named(index_name).ok_or_else(|| {
            QueryError::new(
                "unknown_index",
                format!("unknown index '{index_name}'"),
                index_pos,
            )
        })?;
        match index {
            Index::AllRecords => Ok(Query::All),
            Index::Year => date_clause(&relation, &text, term_pos),
            Index::Field(field) => text_clause(field, &relation, text, term_pos),
        }
    }

    fn relation(&mut self) -> Result<Relation, QueryError> {
        let Some(Token { tok, pos }) = self.peek().cloned() else {
            return Err(self.syntax("expected a relation", self.end));
        };
        self.next += 1;
        let name = match tok {
            Tok::Cmp(symbol) => symbol.to_owned(),
            Tok::Word { raw, .. } => {
                let lower = raw.to_lowercase();
                lower.strip_prefix("cql.").unwrap_or(&lower).to_owned()
            }
            _ => return Err(self.syntax("expected a relation", pos)),
        };
        Ok(Relation { name, pos })
    }

    /// Skips `/name` and `/name=value` modifiers: none changes what this
    /// engine can do (`relevant`, `stem`, `locale=kk` are already its
    /// behaviour or not applicable).
    fn modifiers(&mut self) -> Result<(), QueryError> {
        while let Some(Token {
            tok: Tok::Slash,
            pos,
        }) = self.peek().cloned()
        {
            self.next += 1;
            self.expect_word(pos, "a modifier name after '/'")?;
            if let Some(Tok::Cmp(_)) = self.peek_tok() {
                self.next += 1;
                self.expect_word(pos, "a modifier value")?;
            }
        }
        Ok(())
    }

    /// Consumes a word (quoted or not) and returns its search text.
    fn expect_word(&mut self, after: usize, what: &str) -> Result<(String, usize), QueryError> {
        match self.peek().cloned() {
            Some(Token {
                tok: Tok::Word { text, .. },
                pos,
            }) => {
                self.next += 1;
                Ok((text, pos))
            }
            Some(token) => Err(self.syntax(format!("expected {what}"), token.pos)),
            None => Err(self.syntax(format!("expected {what}"), self.end.max(after))),
        }
    }

    /// `sortby key[/modifiers] ...` at the end: accepted, not applied.
    fn sortby(&mut self) -> Result<(), QueryError> {
        let is_sortby = self
            .peek_keyword()
            .is_some_and(|w| w.eq_ignore_ascii_case("sortby"));
        let Some(pos) = self.peek().filter(|_| is_sortby).map(|t| t.pos) else {
            return Ok(());
        };
        self.next += 1;
        self.expect_word(pos, "a sort key after sortby")?;
        loop {
            match self.peek_tok() {
                Some(Tok::Word { .. }) => self.next += 1,
                Some(Tok::Slash) => self.modifiers()?,
                _ => return Ok(()),
            }
        }
    }
}

fn bare_term(text: String, pos: usize) -> Result<Query, QueryError> {
    check_text(&text, pos)?;
    Ok(Query::Words {
        field: Field::Any,
        text,
    })
}

/// A term with no letter or digit (`""`, `"*"`) would search for nothing.
fn check_text(text: &str, pos: usize) -> Result<(), QueryError> {
    if text.chars().any(char::is_alphanumeric) {
        Ok(())
    } else {
        Err(QueryError::new(
            "syntax",
            "the search term has no letters or digits",
            pos,
        ))
    }
}

fn text_clause(
    field: Field,
    relation: &Relation,
    text: String,
    pos: usize,
) -> Result<Query, QueryError> {
    check_text(&text, pos)?;
    let several_words = text.contains(' ');
    match relation.name.as_str() {
        "=" | "all" => Ok(Query::Words { field, text }),
        "any" => Ok(Query::AnyWords { field, text }),
        "==" | "exact" | "adj" if several_words => Ok(Query::Phrase { field, text }),
        "==" | "exact" | "adj" => Ok(Query::Words { field, text }),
        _ => Err(unsupported(relation, "this index")),
    }
}

fn date_clause(relation: &Relation, text: &str, pos: usize) -> Result<Query, QueryError> {
    let one = || year(text, pos);
    let (from, to) = match relation.name.as_str() {
        "=" | "==" | "exact" => {
            let y = one()?;
            (Some(y), Some(y))
        }
        "<" => (None, Some(step(one()?, -1, text, pos)?)),
        "<=" => (None, Some(one()?)),
        ">" => (Some(step(one()?, 1, text, pos)?), None),
        ">=" => (Some(one()?), None),
        "within" => within(text, pos)?,
        _ => return Err(unsupported(relation, "dc.date")),
    };
    Ok(Query::Year { from, to })
}

fn within(text: &str, pos: usize) -> Result<(Option<i32>, Option<i32>), QueryError> {
    let ends: Vec<&str> = text.split_whitespace().collect();
    let [from, to] = ends.as_slice() else {
        return Err(bad_range(text, "within takes two years", pos));
    };
    let (from, to) = (year(from, pos)?, year(to, pos)?);
    if from > to {
        return Err(bad_range(text, "the range ends before it starts", pos));
    }
    Ok((Some(from), Some(to)))
}

fn year(text: &str, pos: usize) -> Result<i32, QueryError> {
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad_range(text, "not a year", pos));
    }
    text.parse().map_err(|_| bad_range(text, "not a year", pos))
}

/// `< 2010` is "up to 2009": the range is inclusive.
fn step(y: i32, by: i32, text: &str, pos: usize) -> Result<i32, QueryError> {
    y.checked_add(by)
        .ok_or_else(|| bad_range(text, "out of range", pos))
}

fn bad_range(text: &str, why: &str, pos: usize) -> QueryError {
    QueryError::new("bad_range", format!("date '{text}': {why}"), pos)
}

fn unsupported(relation: &Relation, index: &str) -> QueryError {
    QueryError::new(
        "unsupported_relation",
        format!("relation '{}' is not supported for {index}", relation.name),
        relation.pos,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn words(field: Field, text: &str) -> Query {
        Query::Words {
            field,
            text: text.to_owned(),
        }
    }

    fn phrase(field: Field, text: &str) -> Query {
        Query::Phrase {
            field,
            text: text.to_owned(),
        }
    }

    fn any_words(field: Field, text: &str) -> Query {
        Query::AnyWords {
            field,
            text: text.to_owned(),
        }
    }

    fn year(from: Option<i32>, to: Option<i32>) -> Query {
        Query::Year { from, to }
    }

    fn and_not(left: Query, right: Query) -> Query {
        Query::AndNot(Box::new(left), Box::new(right))
    }

    fn ok(input: &str) -> Query {
        match parse_cql(input) {
            Ok(q) => q,
            Err(e) => panic!("{input:?} failed: {e}"),
        }
    }

    fn err(input: &str) -> QueryError {
        match parse_cql(input) {
            Ok(q) => panic!("{input:?} parsed as {q:?}"),
            Err(e) => e,
        }
    }

    fn code_at(input: &str) -> (&'static str, usize) {
        let e = err(input);
        (e.code, e.position)
    }

    #[test]
    fn indexes() {
        let cases = [
            ("dc.title", Field::Title),
            ("DC.Title", Field::Title),
            ("dc.creator", Field::Author),
            ("dc.author", Field::Author),
            ("bath.author", Field::Author),
            ("dc.subject", Field::Subject),
            ("bath.isbn", Field::Isbn),
            ("bath.issn", Field::Issn),
            ("cql.anywhere", Field::Any),
            ("cql.serverChoice", Field::Any),
            ("cql.keywords", Field::Any),
            ("rec.id", Field::Id),
            ("dc.language", Field::Lang),
            ("dc.publisher", Field::Publisher),
            ("dc.description", Field::Annotation),
            ("title", Field::Title),
            ("serverChoice", Field::Any),
        ];
        for (index, field) in cases {
            assert_eq!(ok(&format!("{index} = x1")), words(field, "x1"), "{index}");
        }
    }

    #[test]
    fn unknown_index() {
        assert_eq!(code_at("dc.foo = абай"), ("unknown_index", 0));
        assert_eq!(code_at("абай and marc.245 = x"), ("unknown_index", 9));
    }

    #[test]
    fn kazakh_title_and_author() {
        assert_eq!(
            ok("dc.title = \"абай жолы\" and dc.creator = Әуезов"),
            Query::And(vec![
                words(Field::Title, "абай жолы"),
                words(Field::Author, "Әуезов")
            ])
        );
    }

    #[test]
    fn isbn_without_spaces() {
        assert_eq!(
            ok("bath.isbn=9786018946653"),
            words(Field::Isbn, "9786018946653")
        );
        assert_eq!(
            ok("bath.isbn==978-601-7151-13-3"),
            words(Field::Isbn, "978-601-7151-13-3")
        );
    }

    #[test]
    fn text_relations() {
        assert_eq!(
            ok("dc.title = \"Қара сөздер\""),
            words(Field::Title, "Қара сөздер")
        );
        assert_eq!(
            ok("dc.title all \"Қара сөздер\""),
            words(Field::Title, "Қара сөздер")
        );
        assert_eq!(
            ok("dc.title any \"Қара сөздер\""),
            any_words(Field::Title, "Қара сөздер")
        );
        for relation in ["==", "exact", "adj", "ADJ", "cql.adj"] {
            assert_eq!(
                ok(&format!("dc.title {relation} \"Қара  сөздер\"")),
                phrase(Field::Title, "Қара сөздер"),
                "{relation}"
            );
        }
        assert_eq!(ok("dc.title adj абай"), words(Field::Title, "абай"));
    }

    #[test]
    fn unsupported_relations() {
        assert_eq!(code_at("dc.title <> абай"), ("unsupported_relation", 9));
        assert_eq!(
            code_at("dc.title encloses абай"),
            ("unsupported_relation", 9)
        );
        assert_eq!(code_at("dc.title < абай"), ("unsupported_relation", 9));
        assert_eq!(code_at("dc.title fuzzy абай"), ("unsupported_relation", 9));
        assert_eq!(code_at("dc.date any 2010"), ("unsupported_relation", 8));
    }

    #[test]
    fn modifiers_are_ignored() {
        assert_eq!(ok("dc.title =/relevant абай"), words(Field::Title, "абай"));
        assert_eq!(
            ok("dc.title all/stem/locale=kk \"абай жолы\""),
            words(Field::Title, "абай жолы")
        );
        assert_eq!(
            ok("a and/rel.combine=sum b"),
            Query::And(vec![words(Field::Any, "a"), words(Field::Any, "b")])
        );
        // The modifier takes the word, leaving no term.
        assert_eq!(code_at("dc.title =/ абай"), ("syntax", 16));
        assert_eq!(code_at("dc.title =/"), ("syntax", 11));
    }

    #[test]
    fn bare_terms() {
        assert_eq!(ok("абай"), words(Field::Any, "абай"));
        assert_eq!(ok("\"абай жолы\""), words(Field::Any, "абай жолы"));
        assert_eq!(ok("\"and\""), words(Field::Any, "and"));
        // Where a term is expected, a boolean's name is a term (CQL allows it).
        assert_eq!(ok("dc.title = or"), words(Field::Title, "or"));
        assert_eq!(
            ok("абай and or"),
            Query::And(vec![words(Field::Any, "абай"), words(Field::Any, "or")])
        );
    }

    #[test]
    fn two_bare_terms_need_a_boolean() {
        assert_eq!(code_at("абай жолы"), ("syntax", 5));
        assert_eq!(code_at("абай \"жолы\""), ("syntax", 5));
        assert_eq!(code_at("dc.title = абай жолы"), ("syntax", 16));
        assert_eq!(code_at("(абай жолы)"), ("syntax", 6));
    }

    #[test]
    fn dates() {
        assert_eq!(ok("dc.date = 2015"), year(Some(2015), Some(2015)));
        assert_eq!(ok("dc.date == 2015"), year(Some(2015), Some(2015)));
        assert_eq!(ok("dc.date < 2010"), year(None, Some(2009)));
        assert_eq!(ok("dc.date <= 2010"), year(None, Some(2010)));
        assert_eq!(ok("dc.date > 2010"), year(Some(2011), None));
        assert_eq!(ok("dc.date>=2010"), year(Some(2010), None));
        assert_eq!(
            ok("dc.date within \"2010 2020\""),
            year(Some(2010), Some(2020))
        );
        assert_eq!(
            ok("dc.date >= 2010 and dc.language = kaz"),
            Query::And(vec![year(Some(2010), None), words(Field::Lang, "kaz")])
        );
    }

    #[test]
    fn bad_dates() {
        assert_eq!(code_at("dc.date = abc"), ("bad_range", 10));
        assert_eq!(code_at("dc.date within \"2020 2010\""), ("bad_range", 15));
        assert_eq!(code_at("dc.date within 2010"), ("bad_range", 15));
        assert_eq!(code_at("dc.date > 2147483647"), ("bad_range", 10));
    }

    #[test]
    fn booleans_are_left_associative_with_equal_precedence() {
        let (a, b, c) = (
            words(Field::Any, "a"),
            words(Field::Any, "b"),
            words(Field::Any, "c"),
        );
        assert_eq!(
            ok("a or b and c"),
            Query::And(vec![Query::Or(vec![a.clone(), b.clone()]), c.clone()])
        );
        assert_eq!(
            ok("a and b or c"),
            Query::Or(vec![Query::And(vec![a.clone(), b.clone()]), c.clone()])
        );
        assert_eq!(
            ok("a AND (b OR c)"),
            Query::And(vec![a.clone(), Query::Or(vec![b.clone(), c.clone()])])
        );
        assert_eq!(ok("a not b"), and_not(a.clone(), b.clone()));
        assert_eq!(
            ok("a not b not c"),
            and_not(and_not(a.clone(), b.clone()), c.clone())
        );
        assert_eq!(
            ok("a or b or c"),
            Query::Or(vec![a.clone(), b.clone(), c.clone()])
        );
        assert_eq!(ok("a prox b"), Query::And(vec![a, b]));
    }

    #[test]
    fn all_records() {
        assert_eq!(ok("cql.allRecords = 1"), Query::All);
        assert_eq!(ok("cql.allRecords=1"), Query::All);
        assert_eq!(
            ok("cql.allRecords = 1 not dc.title = абай"),
            and_not(Query::All, words(Field::Title, "абай"))
        );
        assert_eq!(
            ok("cql.allrecords = 1 and dc.title = абай"),
            words(Field::Title, "абай")
        );
    }

    #[test]
    fn quoting_and_escapes() {
        assert_eq!(
            ok(r#"dc.title = "Абай \"жолы\"""#),
            words(Field::Title, "Абай \"жолы\"")
        );
        assert_eq!(ok(r#""a\\b""#), words(Field::Any, "a\\b"));
        assert_eq!(code_at("dc.title = \"абай"), ("unterminated_phrase", 11));
        assert_eq!(
            code_at(r#"dc.title = "абай\""#),
            ("unterminated_phrase", 11)
        );
    }

    #[test]
    fn masking_is_removed_unless_escaped() {
        assert_eq!(ok("dc.title = абай*"), words(Field::Title, "абай"));
        assert_eq!(ok("\"Кто виноват?\""), words(Field::Any, "Кто виноват"));
        assert_eq!(ok(r#""C\*""#), words(Field::Any, "C*"));
        assert_eq!(code_at("dc.title = *"), ("syntax", 11));
        assert_eq!(code_at("dc.title = \"\""), ("syntax", 11));
    }

    #[test]
    fn parentheses() {
        assert_eq!(ok("(dc.title = абай)"), words(Field::Title, "абай"));
        assert_eq!(code_at("(dc.title = абай"), ("unbalanced_parenthesis", 0));
        assert_eq!(code_at("dc.title = абай)"), ("unbalanced_parenthesis", 15));
        assert_eq!(code_at(")"), ("unbalanced_parenthesis", 0));
        assert_eq!(code_at("()"), ("syntax", 1));
        assert_eq!(code_at(&"(".repeat(100_000)), ("syntax", 64));
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(code_at("dc.title ="), ("syntax", 10));
        assert_eq!(code_at("абай and"), ("syntax", 8));
        assert_eq!(code_at("= абай"), ("syntax", 0));
        assert_eq!(code_at("абай and or or"), ("syntax", 14));
    }

    #[test]
    fn empty() {
        assert_eq!(code_at(""), ("empty_query", 0));
        assert_eq!(code_at("  \t "), ("empty_query", 0));
    }

    #[test]
    fn prefix_assignments_and_sortby_are_accepted() {
        assert_eq!(
            ok("> dc = \"info:srw/cql-context-set/1/dc-v1.1\" dc.title = абай"),
            words(Field::Title, "абай")
        );
        assert_eq!(
            ok("dc.title = абай sortby dc.date/sort.descending dc.title"),
            words(Field::Title, "абай")
        );
        assert_eq!(code_at("абай sortby"), ("syntax", 11));
    }

    proptest! {
        #[test]
        fn arbitrary_strings_never_panic(input in proptest::arbitrary::any::<String>()) {
            let _ = parse_cql(&input);
        }

        #[test]
        fn syntax_soup_never_panics(parts in proptest::collection::vec(
            prop_oneof![
                Just("and"), Just("or"), Just("not"), Just("prox"), Just("sortby"),
                Just("("), Just(")"), Just("\""), Just("\\"), Just("/"), Just("="),
                Just("<"), Just(">"), Just("*"), Just("dc.title"), Just("dc.date"),
                Just("within"), Just("2010"), Just("абай"), Just("Қ"), Just(" "),
            ],
            0..30,
        )) {
            let _ = parse_cql(&parts.concat());
        }
    }
}
