//! The OPAC search box: whatever a reader types, parsed into a [`Query`].
//!
//! Readers type plain words far more often than syntax, so the parser is
//! lenient: anything it cannot read as syntax is searched as words, and only
//! input that cannot mean anything (nothing to search, unbalanced
//! parentheses, an impossible year range) is an error.

use crate::query::{Field, Query, QueryError};

/// Deeper nesting is refused: the parser recurses once per parenthesis, and a
/// pasted "((((…" must not overflow the stack.
const MAX_DEPTH: usize = 64;

/// Parses the search box.
///
/// Grammar (informal; `NOT` binds tighter than `AND`, which binds tighter
/// than `OR`):
///
/// ```text
/// query   := and ( ("OR" | "||") and )*
/// and     := unary ( ["AND" | "&&"] unary )*      -- adjacency is AND
/// unary   := ("NOT" | "-" | "+")* primary         -- "-x" is NOT x, "+x" is x
/// primary := [field ":"] ( word | quoted | "(" query ")" )
/// ```
///
/// - Operators are recognised only in upper case; "and", "or", "not", "и"
///   are words.
/// - Field names (`title`, `author`, `subject`, `series`, `publisher`,
///   `keyword`, `annotation`, `isbn`, `issn`, `inv`/`inventory`, `barcode`,
///   `udc`, `bbk`, `lang`, `library`, `type`, `group`, `id`, `year`, `any`,
///   and Russian/Kazakh names such as `автор`, `заглавие`, `тақырып`, `ӘОЖ`,
///   `КБЖ`, `тіл`, `жыл`) are
///   case-insensitive. A field applies to the next word, quoted phrase or
///   parenthesised group; inside a group it is the default for every term.
///   `title: абай` (space after the colon) applies too. A field with nothing
///   to apply to (`title:` at the end, or before an operator or `)`) is
///   ignored.
/// - `foo:bar` where `foo` is not a field name is an ordinary word, so
///   "Абай: жолы" and "10:30" search as typed.
/// - Adjacent plain words for the same field with no operator between them
///   become one [`Query::Words`] ("абай жолы" is one clause, not two).
/// - `"…"`, `«…»`, `“…”` and `„…“` quote a [`Query::Phrase`]. An unclosed
///   quote runs to the end of the input (readers forget the closing quote).
/// - A word or phrase with no letter or digit ("-", "—", `""`) is ignored, so
///   "Абай - жолы" is "Абай жолы".
/// - `year:2015`, `year:2010..2020`, `year:2010..`, `year:..2020` (a hyphen or
///   dash works like `..`) give [`Query::Year`]; anything else after `year:`
///   is the error `bad_range`.
/// - An operator with nothing to apply to (`AND` at the start, `a OR`,
///   `NOT` alone) is ignored; `NOT NOT a` is `a`.
/// - Negated clauses are subtracted from the rest of their conjunction:
///   `a NOT b` is `AndNot(a, b)`, `a -b -c` is `AndNot(a, Or(b, c))`, and a
///   pure negation subtracts from [`Query::All`].
///
/// Errors (positions are character offsets): `empty_query` when nothing is
/// left to search, `unbalanced_parenthesis`, `bad_range`, and `syntax` for
/// nesting deeper than 64 parentheses. `unterminated_phrase` is never
/// returned.
pub fn parse_box(input: &str) -> Result<Query, QueryError> {
    let mut parser = Parser {
        tokens: lex(input),
        next: 0,
        depth: 0,
    };
    let query = parser.or_expr(Target::Field(Field::Any))?;
    if let Some(stray) = parser.peek() {
        // `or_expr` stops only at the end or at a `)` nothing opened.
        return Err(QueryError::new(
            "unbalanced_parenthesis",
            "no '(' matches this ')'",
            stray.pos,
        ));
    }
    query.ok_or_else(|| QueryError::new("empty_query", "there is nothing to search for", 0))
}

/// What a field prefix selects: an index field, or the publication year,
/// which is not a [`Field`] because its values are ranges, not text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Field(Field),
    Year,
}

/// The field names a reader may type, lower-cased. Kazakh and Russian names
/// are included because the catalogue's readers think in them; `ӘОЖ`/`КБЖ`
/// are the Kazakh abbreviations of UDC/BBK.
fn target_named(name: &str) -> Option<Target> {
    let field = match name.to_lowercase().as_str() {
        "year" | "год" | "жыл" => return Some(Target::Year),
        "any" => Field::Any,
        "title" | "ti" | "заглавие" | "название" | "атауы" => Field::Title,
        "author" | "au" | "автор" | "авторы" => Field::Author,
        "subject" | "su" | "тема" | "рубрика" | "тақырып" => Field::Subject,
        "series" | "серия" | "сериясы" => Field::Series,
        "publisher" | "издательство" | "баспа" => Field::Publisher,
        "keyword" | "kw" => Field::Keyword,
        "annotation" | "аннотация" | "аңдатпа" => Field::Annotation,
        "isbn" | "исбн" => Field::Isbn,
        "issn" => Field::Issn,
        "inv" | "inventory" | "инв" => Field::Inventory,
        "barcode" | "штрихкод" => Field::Barcode,
        "udc" | "удк" | "әож" => Field::Udc,
        "bbk" | "ббк" | "кбж" => Field::Bbk,
        "lang" | "language" | "язык" | "тіл" => Field::Lang,
        "library" | "библиотека" | "кітапхана" => Field::Library,
        "type" | "тип" | "түрі" => Field::MaterialType,
        "group" | "группа" => Field::BbkGroup,
        "id" => Field::Id,
        _ => return None,
    };
    Some(Target::Field(field))
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Phrase(String),
    Open,
    Close,
    And,
    Or,
    /// `NOT` or a leading `-`.
    Not,
    /// A leading `+`: the term is required, which every term already is.
    Plus,
    Field(Target),
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    tok: Tok,
    /// Character offset of the token's first character.
    pos: usize,
}

/// Characters that open a quoted phrase, with the characters that close it.
/// Typographic quotes are included because text pasted from a catalogue
/// card or a web page carries them.
fn closers(open: char) -> Option<&'static [char]> {
    match open {
        '"' => Some(&['"']),
        '«' => Some(&['»']),
        '“' => Some(&['”', '"']),
        '„' => Some(&['“', '”', '"']),
        _ => None,
    }
}

fn ends_word(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')' || closers(c).is_some()
}

fn lex(input: &str) -> Vec<Token> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' || c == ')' {
            let tok = if c == '(' { Tok::Open } else { Tok::Close };
            tokens.push(Token { tok, pos: i });
            i += 1;
        } else if let Some(close) = closers(c) {
            i = lex_phrase(&chars, i, close, &mut tokens);
        } else if let Some(tok) = prefix_operator(c, chars.get(i + 1).copied()) {
            tokens.push(Token { tok, pos: i });
            i += 1;
        } else {
            i = lex_word(&chars, i, &mut tokens);
        }
    }
    tokens
}

/// `-` and `+` are operators only when they lead a term; "978-601", "C++"
/// and a lone dash ("Абай - жолы") stay words.
fn prefix_operator(c: char, next: Option<char>) -> Option<Tok> {
    let leads_term = next.is_some_and(|n| !n.is_whitespace() && n != ')');
    match c {
        '-' if leads_term => Some(Tok::Not),
        '+' if leads_term => Some(Tok::Plus),
        _ => None,
    }
}

/// Lexes a phrase opened at `start`; returns the index after it. An unclosed
/// phrase runs to the end of the input.
fn lex_phrase(chars: &[char], start: usize, close: &[char], tokens: &mut Vec<Token>) -> usize {
    let body = chars.get(start + 1..).unwrap_or_default();
    let len = body
        .iter()
        .position(|c| close.contains(c))
        .unwrap_or(body.len());
    let text: String = body.iter().take(len).collect();
    tokens.push(Token {
        tok: Tok::Phrase(collapse_spaces(&text)),
        pos: start,
    });
    // Past the opening quote, the body and the closing quote (if any).
    start + 1 + len + 1
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lexes a word starting at `start`, which may be an operator or carry a
/// field prefix; returns the index after it.
fn lex_word(chars: &[char], start: usize, tokens: &mut Vec<Token>) -> usize {
    let rest = chars.get(start..).unwrap_or_default();
    let len = rest
        .iter()
        .position(|&c| ends_word(c))
        .unwrap_or(rest.len());
    let word: String = rest.iter().take(len).collect();
    let operator = match word.as_str() {
        "AND" | "&&" => Some(Tok::And),
        "OR" | "||" => Some(Tok::Or),
        "NOT" => Some(Tok::Not),
        _ => None,
    };
    if let Some(tok) = operator {
        tokens.push(Token { tok, pos: start });
    } else if let Some((target, value)) = split_field(&word) {
        tokens.push(Token {
            tok: Tok::Field(target),
            pos: start,
        });
        if !value.is_empty() {
            // A value glued to its field is taken literally: `title:AND`
            // and `title:-x` search for "AND" and "-x".
            let offset = word.chars().count() - value.chars().count();
            tokens.push(Token {
                tok: Tok::Word(value.to_owned()),
                pos: start + offset,
            });
        }
    } else {
        tokens.push(Token {
            tok: Tok::Word(word),
            pos: start,
        });
    }
    start + len
}

/// `title:абай` → (Title, "абай"); `None` when the part before the first
/// colon is not a field name.
fn split_field(word: &str) -> Option<(Target, &str)> {
    let (name, value) = word.split_once(':')?;
    Some((target_named(name)?, value))
}

/// A parsed term and whether it may merge with a neighbouring plain word.
struct Term {
    query: Query,
    plain: bool,
}

/// The clauses of one conjunction, collected left to right.
#[derive(Default)]
struct Conjunction {
    positives: Vec<Query>,
    negatives: Vec<Query>,
    /// The last clause pushed is a plain word that the next may join.
    open: bool,
}

impl Conjunction {
    /// `joined` says an explicit AND stood before this clause, which keeps
    /// it a separate clause as the reader wrote it.
    fn push(&mut self, negated: bool, term: Term, joined: bool) {
        if negated {
            self.negatives.push(term.query);
            self.open = false;
            return;
        }
        if term.plain && self.open && !joined && self.absorb(&term.query) {
            return;
        }
        self.positives.push(term.query);
        self.open = term.plain;
    }

    /// Appends plain words to the previous clause if it has the same field.
    fn absorb(&mut self, query: &Query) -> bool {
        let (
            Some(Query::Words { field, text }),
            Query::Words {
                field: new_field,
                text: new_text,
            },
        ) = (self.positives.last_mut(), query)
        else {
            return false;
        };
        if field != new_field {
            return false;
        }
        text.push(' ');
        text.push_str(new_text);
        true
    }

    fn finish(self) -> Option<Query> {
        let positive = self.positives.into_iter().reduce(Query::and);
        let negative = self.negatives.into_iter().reduce(Query::or);
        match (positive, negative) {
            (positive, None) => positive,
            (positive, Some(negative)) => Some(Query::AndNot(
                Box::new(positive.unwrap_or(Query::All)),
                Box::new(negative),
            )),
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    next: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn peek_tok(&self) -> Option<&Tok> {
        self.peek().map(|t| &t.tok)
    }

    /// `None` means the alternatives held nothing to search (only ignored
    /// operators or fields).
    fn or_expr(&mut self, target: Target) -> Result<Option<Query>, QueryError> {
        let mut query: Option<Query> = None;
        loop {
            if let Some(q) = self.and_expr(target)? {
                query = Some(match query {
                    Some(left) => left.or(q),
                    None => q,
                });
            }
            if self.peek_tok() != Some(&Tok::Or) {
                return Ok(query);
            }
            self.next += 1;
        }
    }

    fn and_expr(&mut self, target: Target) -> Result<Option<Query>, QueryError> {
        let mut conjunction = Conjunction::default();
        let mut joined = false;
        loop {
            match self.peek_tok() {
                None | Some(Tok::Or) | Some(Tok::Close) => break,
                Some(Tok::And) => {
                    self.next += 1;
                    joined = true;
                    continue;
                }
                Some(_) => {}
            }
            if let Some((negated, term)) = self.unary(target)? {
                conjunction.push(negated, term, joined);
            }
            joined = false;
        }
        Ok(conjunction.finish())
    }

    /// Always consumes at least one token unless the next one ends a
    /// conjunction or is `AND`, which is what keeps `and_expr` moving.
    fn unary(&mut self, target: Target) -> Result<Option<(bool, Term)>, QueryError> {
        let mut negated = false;
        while let Some(tok) = self.peek_tok() {
            match tok {
                Tok::Not => negated = !negated,
                Tok::Plus => {}
                _ => break,
            }
            self.next += 1;
        }
        Ok(self.primary(target)?.map(|term| (negated, term)))
    }

    fn primary(&mut self, target: Target) -> Result<Option<Term>, QueryError> {
        let Some(Token { tok, pos }) = self.peek().cloned() else {
            return Ok(None);
        };
        match tok {
            Tok::Field(field) => {
                self.next += 1;
                match self.peek_tok() {
                    Some(Tok::Word(_) | Tok::Phrase(_) | Tok::Open) => self.primary(field),
                    _ => Ok(None),
                }
            }
            Tok::Word(text) => {
                self.next += 1;
                if is_noise(target, &text) {
                    return Ok(None);
                }
                word(target, text, pos).map(Some)
            }
            Tok::Phrase(text) => {
                self.next += 1;
                if is_noise(target, &text) {
                    return Ok(None);
                }
                phrase(target, text, pos).map(Some)
            }
            Tok::Open => self.group(target, pos),
            Tok::And | Tok::Or | Tok::Not | Tok::Plus | Tok::Close => Ok(None),
        }
    }

    fn group(&mut self, target: Target, open: usize) -> Result<Option<Term>, QueryError> {
        if self.depth >= MAX_DEPTH {
            return Err(QueryError::new(
                "syntax",
                format!("parentheses are nested more than {MAX_DEPTH} deep"),
                open,
            ));
        }
        self.next += 1;
        self.depth += 1;
        let inner = self.or_expr(target)?;
        self.depth -= 1;
        if self.peek_tok() != Some(&Tok::Close) {
            return Err(QueryError::new(
                "unbalanced_parenthesis",
                "this '(' is never closed",
                open,
            ));
        }
        self.next += 1;
        Ok(inner.map(|query| Term {
            query,
            plain: false,
        }))
    }
}

/// A term with no letter or digit ("-", "—", an empty phrase) would analyse
/// to nothing, and a clause with no words is something the engine should not
/// have to interpret. Years are exempt so `year:..` is reported as a bad
/// range rather than silently dropped.
fn is_noise(target: Target, text: &str) -> bool {
    target != Target::Year && !text.chars().any(char::is_alphanumeric)
}

fn word(target: Target, text: String, pos: usize) -> Result<Term, QueryError> {
    match target {
        Target::Year => Ok(Term {
            query: year_range(&text, pos)?,
            plain: false,
        }),
        Target::Field(field) => Ok(Term {
            query: Query::Words { field, text },
            plain: true,
        }),
    }
}

fn phrase(target: Target, text: String, pos: usize) -> Result<Term, QueryError> {
    let query = match target {
        Target::Year => year_range(&text, pos)?,
        Target::Field(field) => Query::Phrase { field, text },
    };
    Ok(Term {
        query,
        plain: false,
    })
}

/// `2015`, `2010..2020`, `2010..`, `..2020`; a hyphen or dash may stand for
/// `..` because that is how ranges are printed ("2010–2020").
fn year_range(text: &str, pos: usize) -> Result<Query, QueryError> {
    let text = text.trim();
    let bad = |why: &str| QueryError::new("bad_range", format!("year '{text}': {why}"), pos);
    let (from, to) = match split_range(text) {
        Some((from, to)) => (bound(from), bound(to)),
        None => (bound(text), bound(text)),
    };
    let (from, to) = (
        from.ok_or_else(|| bad("not a year"))?,
        to.ok_or_else(|| bad("not a year"))?,
    );
    match (from, to) {
        (None, None) => Err(bad("both ends are open")),
        (Some(f), Some(t)) if f > t => Err(bad("the range ends before it starts")),
        _ => Ok(Query::Year { from, to }),
    }
}

fn split_range(text: &str) -> Option<(&str, &str)> {
    text.split_once("..")
        .or_else(|| text.split_once(['-', '–', '—']))
}

/// `Some(None)` for an open end, `None` for something that is not a year.
fn bound(text: &str) -> Option<Option<i32>> {
    let text = text.trim();
    if text.is_empty() {
        return Some(None);
    }
    if !text.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().map(Some)
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

    fn any(text: &str) -> Query {
        words(Field::Any, text)
    }

    fn phrase(field: Field, text: &str) -> Query {
        Query::Phrase {
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
        match parse_box(input) {
            Ok(q) => q,
            Err(e) => panic!("{input:?} failed: {e}"),
        }
    }

    fn err(input: &str) -> QueryError {
        match parse_box(input) {
            Ok(q) => panic!("{input:?} parsed as {q:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn plain_words_in_any_script_are_one_clause() {
        assert_eq!(ok("абай жолы"), any("абай жолы"));
        assert_eq!(ok("  Қара   сөздер  "), any("Қара сөздер"));
        assert_eq!(ok("War and peace"), any("War and peace"));
        assert_eq!(ok("Война и мир"), any("Война и мир"));
    }

    #[test]
    fn every_field_name_is_recognised_case_insensitively() {
        let cases = [
            ("title", Field::Title),
            ("Author", Field::Author),
            ("SUBJECT", Field::Subject),
            ("series", Field::Series),
            ("publisher", Field::Publisher),
            ("keyword", Field::Keyword),
            ("annotation", Field::Annotation),
            ("isbn", Field::Isbn),
            ("issn", Field::Issn),
            ("inv", Field::Inventory),
            ("inventory", Field::Inventory),
            ("barcode", Field::Barcode),
            ("udc", Field::Udc),
            ("bbk", Field::Bbk),
            ("lang", Field::Lang),
            ("library", Field::Library),
            ("type", Field::MaterialType),
            ("group", Field::BbkGroup),
            ("id", Field::Id),
            ("any", Field::Any),
            ("автор", Field::Author),
            ("Заглавие", Field::Title),
            ("ӘОЖ", Field::Udc),
            ("тіл", Field::Lang),
        ];
        for (name, field) in cases {
            assert_eq!(ok(&format!("{name}:x1")), words(field, "x1"), "{name}");
        }
    }

    #[test]
    fn field_values() {
        assert_eq!(ok("author:Әуезов"), words(Field::Author, "Әуезов"));
        assert_eq!(
            ok("isbn:978-601-7151-13-3"),
            words(Field::Isbn, "978-601-7151-13-3")
        );
        assert_eq!(ok("udc:821.512.122"), words(Field::Udc, "821.512.122"));
        assert_eq!(ok("library:F07"), words(Field::Library, "F07"));
        assert_eq!(ok("type:book"), words(Field::MaterialType, "book"));
        // A glued value is literal, even when it looks like an operator.
        assert_eq!(ok("title:AND"), words(Field::Title, "AND"));
        assert_eq!(ok("title:-x"), words(Field::Title, "-x"));
        assert_eq!(ok("title:author:x"), words(Field::Title, "author:x"));
    }

    #[test]
    fn a_field_applies_to_the_next_word_only() {
        assert_eq!(
            ok("title:абай жолы"),
            Query::And(vec![words(Field::Title, "абай"), any("жолы")])
        );
        assert_eq!(
            ok("жолы title:абай"),
            Query::And(vec![any("жолы"), words(Field::Title, "абай")])
        );
    }

    #[test]
    fn a_field_after_a_space_still_applies() {
        assert_eq!(ok("author: Абай"), words(Field::Author, "Абай"));
    }

    #[test]
    fn same_field_words_merge() {
        assert_eq!(
            ok("title:абай title:жолы"),
            words(Field::Title, "абай жолы")
        );
        assert_eq!(
            ok("абай title:жолы кітап"),
            Query::And(vec![any("абай"), words(Field::Title, "жолы"), any("кітап")])
        );
    }

    #[test]
    fn explicit_and_keeps_clauses_apart() {
        assert_eq!(
            ok("абай AND жолы"),
            Query::And(vec![any("абай"), any("жолы")])
        );
        assert_eq!(
            ok("абай && жолы"),
            Query::And(vec![any("абай"), any("жолы")])
        );
    }

    #[test]
    fn plus_marks_a_required_word() {
        assert_eq!(ok("+абай +жолы"), any("абай жолы"));
        assert_eq!(ok("C++ 978-601"), any("C++ 978-601"));
    }

    #[test]
    fn quoted_phrases() {
        assert_eq!(ok("title:\"абай жолы\""), phrase(Field::Title, "абай жолы"));
        assert_eq!(ok("\"абай   жолы\""), phrase(Field::Any, "абай жолы"));
        assert_eq!(ok("«Абай жолы»"), phrase(Field::Any, "Абай жолы"));
        assert_eq!(ok("“Абай жолы”"), phrase(Field::Any, "Абай жолы"));
        assert_eq!(ok("„Абай жолы“"), phrase(Field::Any, "Абай жолы"));
        assert_eq!(
            ok("Мұхтар \"Абай жолы\" роман"),
            Query::And(vec![
                any("Мұхтар"),
                phrase(Field::Any, "Абай жолы"),
                any("роман")
            ])
        );
    }

    #[test]
    fn unterminated_phrase_runs_to_the_end() {
        assert_eq!(ok("title:\"абай жолы"), phrase(Field::Title, "абай жолы"));
        assert_eq!(ok("«абай (жолы"), phrase(Field::Any, "абай (жолы"));
    }

    #[test]
    fn empty_phrase_is_ignored() {
        assert_eq!(ok("абай \"\""), any("абай"));
        assert_eq!(err("\"  \"").code, "empty_query");
    }

    #[test]
    fn kazakh_fielded_boolean() {
        assert_eq!(
            ok("title:\"Қара сөздер\" AND author:Абай"),
            Query::And(vec![
                phrase(Field::Title, "Қара сөздер"),
                words(Field::Author, "Абай")
            ])
        );
    }

    #[test]
    fn field_on_a_group_is_the_groups_default() {
        assert_eq!(ok("title:(абай жолы)"), words(Field::Title, "абай жолы"));
        assert_eq!(
            ok("title:(абай OR author:Әуезов)"),
            Query::Or(vec![
                words(Field::Title, "абай"),
                words(Field::Author, "Әуезов")
            ])
        );
        assert_eq!(
            ok("title:(\"абай жолы\" NOT роман)"),
            and_not(
                phrase(Field::Title, "абай жолы"),
                words(Field::Title, "роман")
            )
        );
    }

    #[test]
    fn years() {
        assert_eq!(ok("year:2015"), year(Some(2015), Some(2015)));
        assert_eq!(ok("year:2010..2020"), year(Some(2010), Some(2020)));
        assert_eq!(ok("year:2010.."), year(Some(2010), None));
        assert_eq!(ok("year:..2020"), year(None, Some(2020)));
        assert_eq!(ok("year:2010-2020"), year(Some(2010), Some(2020)));
        assert_eq!(ok("жыл:2010–2020"), year(Some(2010), Some(2020)));
        assert_eq!(ok("YEAR:\"2010 .. 2020\""), year(Some(2010), Some(2020)));
        assert_eq!(
            ok("year:(2010 OR 2012)"),
            Query::Or(vec![
                year(Some(2010), Some(2010)),
                year(Some(2012), Some(2012))
            ])
        );
        assert_eq!(
            ok("year:2010..2020 lang:kaz"),
            Query::And(vec![
                year(Some(2010), Some(2020)),
                words(Field::Lang, "kaz")
            ])
        );
    }

    #[test]
    fn bad_years() {
        for input in [
            "year:abc",
            "year:2020..2010",
            "year:..",
            "year:20x0",
            "year:99999999999",
        ] {
            let e = err(input);
            assert_eq!(e.code, "bad_range", "{input}");
            assert_eq!(e.position, 5, "{input}");
        }
        assert_eq!(err("абай year:(2010 x)").position, 16);
    }

    #[test]
    fn operators_and_precedence() {
        assert_eq!(
            ok("абай OR жолы"),
            Query::Or(vec![any("абай"), any("жолы")])
        );
        assert_eq!(
            ok("абай || жолы"),
            Query::Or(vec![any("абай"), any("жолы")])
        );
        // AND binds tighter than OR.
        assert_eq!(
            ok("a b OR c AND d"),
            Query::Or(vec![any("a b"), Query::And(vec![any("c"), any("d")])])
        );
        // NOT binds tighter than AND and OR.
        assert_eq!(
            ok("a OR b NOT c"),
            Query::Or(vec![any("a"), and_not(any("b"), any("c"))])
        );
        assert_eq!(
            ok("(a OR b) c"),
            Query::And(vec![Query::Or(vec![any("a"), any("b")]), any("c")])
        );
    }

    #[test]
    fn lowercase_operators_are_words() {
        assert_eq!(ok("абай and жолы or not"), any("абай and жолы or not"));
    }

    #[test]
    fn negation() {
        assert_eq!(ok("абай NOT жолы"), and_not(any("абай"), any("жолы")));
        assert_eq!(ok("абай AND NOT жолы"), and_not(any("абай"), any("жолы")));
        assert_eq!(ok("абай -жолы"), and_not(any("абай"), any("жолы")));
        assert_eq!(ok("NOT абай"), and_not(Query::All, any("абай")));
        assert_eq!(
            ok("-title:абай"),
            and_not(Query::All, words(Field::Title, "абай"))
        );
        assert_eq!(
            ok("a -b c -\"d e\""),
            and_not(
                Query::And(vec![any("a"), any("c")]),
                Query::Or(vec![any("b"), phrase(Field::Any, "d e")])
            )
        );
        assert_eq!(
            ok("a OR NOT b"),
            Query::Or(vec![any("a"), and_not(Query::All, any("b"))])
        );
        assert_eq!(ok("NOT NOT a"), any("a"));
        assert_eq!(
            ok("-(a OR b)"),
            and_not(Query::All, Query::Or(vec![any("a"), any("b")]))
        );
    }

    #[test]
    fn punctuation_alone_is_ignored() {
        assert_eq!(ok("Абай - жолы"), any("Абай жолы"));
        assert_eq!(ok("Абай — жолы"), any("Абай жолы"));
        assert_eq!(ok("(a -)"), any("a"));
    }

    #[test]
    fn unknown_fields_are_words() {
        assert_eq!(ok("Абай: жолы"), any("Абай: жолы"));
        assert_eq!(ok("10:30"), any("10:30"));
        assert_eq!(ok("foo:bar baz"), any("foo:bar baz"));
        assert_eq!(ok(":абай"), any(":абай"));
    }

    #[test]
    fn dangling_fields_and_operators_are_ignored() {
        assert_eq!(ok("абай title:"), any("абай"));
        assert_eq!(ok("title: AND абай"), any("абай"));
        assert_eq!(ok("AND абай"), any("абай"));
        assert_eq!(ok("абай OR"), any("абай"));
        assert_eq!(
            ok("абай OR OR жолы"),
            Query::Or(vec![any("абай"), any("жолы")])
        );
        assert_eq!(ok("абай NOT"), any("абай"));
        assert_eq!(ok("абай ()"), any("абай"));
        assert_eq!(ok("title:() абай"), any("абай"));
    }

    #[test]
    fn nothing_to_search_is_empty_query() {
        for input in [
            "",
            "   \t\n",
            "title:",
            "AND OR NOT",
            "()",
            "- +",
            "title:-",
        ] {
            let e = err(input);
            assert_eq!(e.code, "empty_query", "{input:?}");
        }
    }

    #[test]
    fn unbalanced_parentheses() {
        let e = err("абай (жолы");
        assert_eq!((e.code, e.position), ("unbalanced_parenthesis", 5));
        let e = err("абай) жолы");
        assert_eq!((e.code, e.position), ("unbalanced_parenthesis", 4));
        let e = err("Қара (сөздер))");
        assert_eq!((e.code, e.position), ("unbalanced_parenthesis", 13));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = "(".repeat(100_000);
        assert_eq!(err(&deep).code, "syntax");
        let ok_depth = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(ok(&ok_depth), any("a"));
        let negations = "NOT ".repeat(100_001) + "a";
        assert_eq!(ok(&negations), and_not(Query::All, any("a")));
    }

    proptest! {
        #[test]
        fn arbitrary_strings_never_panic(input in proptest::arbitrary::any::<String>()) {
            let _ = parse_box(&input);
        }

        #[test]
        fn syntax_soup_never_panics(parts in proptest::collection::vec(
            prop_oneof![
                Just("AND"), Just("OR"), Just("NOT"), Just("&&"), Just("||"),
                Just("("), Just(")"), Just("\""), Just("«"), Just("»"), Just("“"),
                Just("-"), Just("+"), Just(":"), Just(".."), Just("title:"),
                Just("year:"), Just("2010"), Just("абай"), Just("Қ"), Just(" "),
            ],
            0..30,
        )) {
            let _ = parse_box(&parts.concat());
        }

        #[test]
        fn words_without_syntax_are_one_clause(
            ws in proptest::collection::vec("[a-zа-яәіңғүұқөһ]{1,8}", 1..6)
        ) {
            let text = ws.join(" ");
            prop_assert_eq!(parse_box(&text), Ok(any(&text)));
        }
    }
}
