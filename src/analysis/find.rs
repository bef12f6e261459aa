//! Queries over objects' contents: a small expression language (`.userId == undefined and
//! retained_size > 1MB`), evaluated per object, for `heapsift find`, the MCP server's
//! `find_objects` and the app's Query field.
//!
//! An expression tests one subject: an object, or an entry of a Map or Set (then `key` and
//! `value` name its two halves and the attributes are the value's). Paths read properties as
//! the snapshot holds them: a property held as a small integer has no edge in V8's snapshot and
//! reads `undefined`, as a missing one does.

use std::borrow::Cow;
use std::fmt;

use rayon::prelude::*;
use regex::Regex;

use super::Snapshot;
use super::collections::{self, Entry};
use super::query::display_name;
use crate::model::{EdgeKind, EdgeName, NodeId, NodeKind};

/// A parse error, with the 1-based column it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for QueryError {}

/// What an object is asked for by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attr {
    Class,
    Name,
    Id,
    Type,
    SelfSize,
    RetainedSize,
    Distance,
    Edges,
    Entries,
    Length,
}

impl Attr {
    pub const ALL: [(&'static str, Attr); 10] = [
        ("class", Attr::Class),
        ("name", Attr::Name),
        ("id", Attr::Id),
        ("type", Attr::Type),
        ("self_size", Attr::SelfSize),
        ("retained_size", Attr::RetainedSize),
        ("distance", Attr::Distance),
        ("edges", Attr::Edges),
        ("entries", Attr::Entries),
        ("length", Attr::Length),
    ];

    fn parse(word: &str) -> Option<Attr> {
        Self::ALL.iter().find(|(n, _)| *n == word).map(|&(_, a)| a)
    }

    fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, a)| *a == self).map_or("?", |(n, _)| n)
    }

    fn is_number(self) -> bool {
        !matches!(self, Attr::Class | Attr::Name | Attr::Type)
    }
}

/// Where a path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    /// The subject (an entry's value).
    Subject,
    Key,
    Value,
}

/// One step of a path: a named property, or an element by index.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Prop(String),
    Index(u32),
}

#[derive(Debug, Clone, PartialEq)]
struct Path {
    root: Root,
    steps: Vec<Step>,
}

#[derive(Debug, Clone)]
enum Operand {
    /// `path` or `attr(path)`, or a bare attribute of the subject (`path` with no steps).
    Read(Path, Option<Attr>),
    Lit(Lit),
}

#[derive(Debug, Clone)]
enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Undefined,
    Regex(Regex),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Match,
    NoMatch,
}

#[derive(Debug, Clone)]
enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Truthy(Operand),
    Cmp(Operand, Op, Operand),
}

/// A parsed query.
#[derive(Debug, Clone)]
pub struct Query {
    text: String,
    expr: Expr,
}

/// A value read from the heap, or written in the query.
#[derive(Debug, Clone)]
pub enum Value<'a> {
    Str(Cow<'a, str>),
    Num(f64),
    Bool(bool),
    Null,
    Undefined,
    /// Any other heap object.
    Object(NodeId),
}

/// The subject an expression is evaluated on.
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    Object(NodeId),
    Entry(Entry),
}

impl Subject {
    fn node(self) -> Option<NodeId> {
        match self {
            Subject::Object(v) => Some(v),
            Subject::Entry(e) => e.value.or(e.key),
        }
    }
}

// ---- parsing ----

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(f64),
    Regex(String, String),
    Dot,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Op(Op),
    Not,
    End,
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

fn err<T>(column: usize, message: impl Into<String>) -> Result<T, QueryError> {
    Err(QueryError {
        column,
        message: message.into(),
    })
}

impl Lexer<'_> {
    fn column(&self, byte: usize) -> usize {
        self.text[..byte].chars().count() + 1
    }

    /// The next token and the column it starts at.
    fn next(&mut self) -> Result<(Tok, usize), QueryError> {
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() && bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        let start = self.pos;
        let col = self.column(start);
        let Some(&c) = bytes.get(start) else {
            return Ok((Tok::End, col));
        };
        let rest = &self.text[start..];
        let two = |s: &str| rest.starts_with(s);
        let (tok, len) = match c {
            b'.' if !rest[1..].starts_with(|c: char| c.is_ascii_digit()) => (Tok::Dot, 1),
            b'[' => (Tok::LBracket, 1),
            b']' => (Tok::RBracket, 1),
            b'(' => (Tok::LParen, 1),
            b')' => (Tok::RParen, 1),
            b'=' if two("==") => (Tok::Op(Op::Eq), 2),
            b'=' => return err(col, "a single '=': write '==' to compare"),
            b'!' if two("!=") => (Tok::Op(Op::Ne), 2),
            b'!' if two("!~") => (Tok::Op(Op::NoMatch), 2),
            b'!' => (Tok::Not, 1),
            b'<' if two("<=") => (Tok::Op(Op::Le), 2),
            b'<' => (Tok::Op(Op::Lt), 1),
            b'>' if two(">=") => (Tok::Op(Op::Ge), 2),
            b'>' => (Tok::Op(Op::Gt), 1),
            b'~' => (Tok::Op(Op::Match), 1),
            b'&' if two("&&") => (Tok::Word("and".into()), 2),
            b'|' if two("||") => (Tok::Word("or".into()), 2),
            b'"' | b'\'' => {
                let mut out = String::new();
                let mut chars = rest.char_indices().skip(1);
                loop {
                    match chars.next() {
                        None => return err(col, "this string has no closing quote"),
                        Some((i, ch)) if ch as u32 == c as u32 => {
                            self.pos = start + i + 1;
                            return Ok((Tok::Str(out), col));
                        }
                        Some((_, '\\')) => match chars.next() {
                            Some((_, 'n')) => out.push('\n'),
                            Some((_, 't')) => out.push('\t'),
                            Some((_, ch)) => out.push(ch),
                            None => return err(col, "this string has no closing quote"),
                        },
                        Some((_, ch)) => out.push(ch),
                    }
                }
            }
            b'/' => {
                let mut pattern = String::new();
                let mut chars = rest.char_indices().skip(1);
                let end = loop {
                    match chars.next() {
                        None => return err(col, "this regular expression has no closing '/'"),
                        Some((i, '/')) => break i + 1,
                        Some((_, '\\')) => {
                            let Some((_, ch)) = chars.next() else {
                                return err(col, "this regular expression has no closing '/'");
                            };
                            if ch != '/' {
                                pattern.push('\\');
                            }
                            pattern.push(ch);
                        }
                        Some((_, ch)) => pattern.push(ch),
                    }
                };
                let flags: String = rest[end..].chars().take_while(|c| c.is_ascii_alphabetic()).collect();
                self.pos = start + end + flags.len();
                return Ok((Tok::Regex(pattern, flags), col));
            }
            b'@' | b'0'..=b'9' | b'.' | b'-' => {
                let body = rest.strip_prefix('@').unwrap_or(rest);
                let skip = rest.len() - body.len();
                let num_len = body
                    .char_indices()
                    .find(|&(i, ch)| {
                        !(ch.is_ascii_digit() || ch == '.' || ch == '_' || (i == 0 && ch == '-' && skip == 0))
                    })
                    .map_or(body.len(), |(i, _)| i);
                let digits: String = body[..num_len].chars().filter(|&c| c != '_').collect();
                let Ok(mut n) = digits.parse::<f64>() else {
                    // `@` alone, or digits and dots that make no number (`1.2.3`, `-`).
                    let written = &rest[..skip + num_len];
                    return err(
                        col,
                        if digits.is_empty() {
                            "'@' takes an object id: @123".to_owned()
                        } else {
                            format!("'{written}' is not a number")
                        },
                    );
                };
                let unit_len = body[num_len..]
                    .char_indices()
                    .find(|&(_, ch)| !ch.is_ascii_alphabetic())
                    .map_or(body.len() - num_len, |(i, _)| i);
                let unit = &body[num_len..num_len + unit_len];
                if !unit.is_empty() {
                    if skip > 0 {
                        return err(col, "an id (@123) takes no unit");
                    }
                    n *= match unit {
                        "B" | "b" => 1.0,
                        "kB" | "KB" | "k" | "K" | "kb" => 1e3,
                        "MB" | "M" | "mb" => 1e6,
                        "GB" | "G" | "gb" => 1e9,
                        "KiB" => 1024.0,
                        "MiB" => 1024.0 * 1024.0,
                        "GiB" => 1024.0 * 1024.0 * 1024.0,
                        _ => {
                            return err(
                                self.column(start + skip + num_len),
                                format!("unknown unit '{unit}': use B, kB, MB, GB, KiB, MiB or GiB"),
                            );
                        }
                    };
                }
                (Tok::Num(n), skip + num_len + unit_len)
            }
            _ if c == b'_' || c == b'$' || c.is_ascii_alphabetic() || c >= 0x80 => {
                let len = rest
                    .char_indices()
                    .find(|&(_, ch)| !(ch == '_' || ch == '$' || ch.is_alphanumeric()))
                    .map_or(rest.len(), |(i, _)| i);
                let word = &rest[..len];
                // Keywords in any case, as OQL and SQL write them (AND, NOT, TRUE).
                let lower = word.to_ascii_lowercase();
                let word = match lower.as_str() {
                    "and" | "or" | "not" | "true" | "false" | "null" | "undefined" => lower,
                    _ => word.to_owned(),
                };
                (Tok::Word(word), len)
            }
            _ => {
                let ch = rest.chars().next().unwrap_or(' ');
                return err(col, format!("unexpected '{ch}'"));
            }
        };
        self.pos = start + len;
        Ok((tok, col))
    }
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    tok: Tok,
    col: usize,
    /// Tests read so far and parentheses or `not`s open: both bounded, so that neither the
    /// parser nor the evaluation can run out of stack on a hostile query.
    tests: usize,
    depth: usize,
}

/// The most tests (comparisons) one query may hold.
const MAX_TESTS: usize = 256;
/// The deepest nesting of parentheses and `not`.
const MAX_DEPTH: usize = 64;

impl Parser<'_> {
    fn bump(&mut self) -> Result<(), QueryError> {
        let (tok, col) = self.lexer.next()?;
        self.tok = tok;
        self.col = col;
        Ok(())
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(&self.tok, Tok::Word(x) if x == w)
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        self.chain("or", Self::and, Expr::Or)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        self.chain("and", Self::unary, Expr::And)
    }

    /// `next (word next)*`, joined from the left: `or` over `and`s, `and` over single tests.
    fn chain(
        &mut self,
        word: &str,
        next: fn(&mut Self) -> Result<Expr, QueryError>,
        join: fn(Box<Expr>, Box<Expr>) -> Expr,
    ) -> Result<Expr, QueryError> {
        let mut left = next(self)?;
        while self.is_word(word) {
            self.bump()?;
            let right = next(self)?;
            left = join(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        if self.is_word("not") || self.tok == Tok::Not || self.tok == Tok::LParen {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return err(self.col, format!("nested more than {MAX_DEPTH} deep"));
            }
            let inner = if self.tok == Tok::LParen {
                // A parenthesis opens a sub-expression here; `attr(path)` is read by `operand`.
                self.bump()?;
                let inner = self.or()?;
                self.expect(Tok::RParen, "')'")?;
                inner
            } else {
                self.bump()?;
                Expr::Not(Box::new(self.unary()?))
            };
            self.depth -= 1;
            return Ok(inner);
        }
        self.tests += 1;
        if self.tests > MAX_TESTS {
            return err(self.col, format!("more than {MAX_TESTS} tests in one query"));
        }
        let left_col = self.col;
        if let Tok::Word(w) = &self.tok
            && Attr::parse(w).is_none()
            && !matches!(
                w.as_str(),
                "key" | "value" | "true" | "false" | "null" | "undefined" | "and" | "or" | "not"
            )
        {
            let suggestion = Attr::ALL
                .iter()
                .map(|(n, _)| *n)
                .find(|n| close(n, w))
                .map(|n| format!("did you mean {n}? "))
                .unwrap_or_default();
            return err(
                left_col,
                format!(
                    "'{w}' is not an attribute: {suggestion}write .{w} for a property, or quote a string (attributes: {})",
                    Attr::ALL.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                ),
            );
        }
        let left = self.operand()?;
        let op = match self.tok {
            Tok::Op(op) => op,
            _ => {
                if let Operand::Lit(_) = left {
                    return err(
                        left_col,
                        "a value alone is not a test: compare it with a property or attribute",
                    );
                }
                return Ok(Expr::Truthy(left));
            }
        };
        self.bump()?;
        let right_col = self.col;
        let right = self.operand()?;
        if matches!(op, Op::Match | Op::NoMatch) && !matches!(right, Operand::Lit(Lit::Str(_) | Lit::Regex(_))) {
            return err(right_col, "'~' takes a string (a substring) or a /regular expression/");
        }
        if let Operand::Lit(Lit::Regex(_)) = left {
            return err(left_col, "a regular expression goes on the right of '~'");
        }
        if let Operand::Lit(Lit::Regex(_)) = right
            && !matches!(op, Op::Match | Op::NoMatch)
        {
            return err(right_col, "a regular expression is matched with '~', not compared");
        }
        // A number attribute against a word can never hold: say so instead of finding nothing.
        for (a, b, col) in [(&left, &right, right_col), (&right, &left, left_col)] {
            if let (Operand::Read(_, Some(attr)), Operand::Lit(Lit::Str(w))) = (a, b)
                && attr.is_number()
                && !matches!(op, Op::Match | Op::NoMatch)
                && w.trim().parse::<f64>().is_err()
            {
                return err(
                    col,
                    format!("{} is a number; {w:?} is not (sizes take units: 1kB, 2MB)", attr.name()),
                );
            }
        }
        Ok(Expr::Cmp(left, op, right))
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<(), QueryError> {
        if self.tok != tok {
            return err(self.col, format!("expected {what}"));
        }
        self.bump()
    }

    fn operand(&mut self) -> Result<Operand, QueryError> {
        let col = self.col;
        if matches!(self.tok, Tok::Dot | Tok::LBracket) {
            let steps = self.steps()?;
            return Ok(Operand::Read(
                Path {
                    root: Root::Subject,
                    steps,
                },
                None,
            ));
        }
        match std::mem::replace(&mut self.tok, Tok::End) {
            Tok::Str(s) => {
                self.bump()?;
                Ok(Operand::Lit(Lit::Str(s)))
            }
            Tok::Num(n) => {
                self.bump()?;
                Ok(Operand::Lit(Lit::Num(n)))
            }
            Tok::Regex(pattern, flags) => {
                let mut p = String::new();
                for f in flags.chars() {
                    match f {
                        'i' | 's' | 'm' | 'x' | 'u' => {}
                        _ => {
                            return err(
                                col,
                                format!(
                                    "unknown regular expression flag '{f}' (i, m, s, x, u); to compare with a path or URL, quote it: '/{pattern}/{flags}'"
                                ),
                            );
                        }
                    }
                }
                if !flags.is_empty() {
                    p = format!("(?{})", flags.replace('u', ""));
                    if p == "(?)" {
                        p.clear();
                    }
                }
                p.push_str(&pattern);
                let re = Regex::new(&p)
                    .or_else(|e| err(col, format!("bad regular expression: {}", first_line(&e.to_string()))))?;
                self.bump()?;
                Ok(Operand::Lit(Lit::Regex(re)))
            }
            Tok::Word(w) => {
                self.bump()?;
                match w.as_str() {
                    "true" => return Ok(Operand::Lit(Lit::Bool(true))),
                    "false" => return Ok(Operand::Lit(Lit::Bool(false))),
                    "null" => return Ok(Operand::Lit(Lit::Null)),
                    "undefined" => return Ok(Operand::Lit(Lit::Undefined)),
                    "and" | "or" | "not" => return err(col, format!("'{w}' needs something to test before it")),
                    "key" | "value" => {
                        let root = if w == "key" { Root::Key } else { Root::Value };
                        let steps = self.steps()?;
                        return Ok(Operand::Read(Path { root, steps }, None));
                    }
                    _ => {}
                }
                if let Some(attr) = Attr::parse(&w) {
                    if self.tok == Tok::LParen {
                        self.bump()?;
                        let path = self.path()?;
                        self.expect(Tok::RParen, &format!("')' to close {w}("))?;
                        return Ok(Operand::Read(path, Some(attr)));
                    }
                    return Ok(Operand::Read(
                        Path {
                            root: Root::Subject,
                            steps: vec![],
                        },
                        Some(attr),
                    ));
                }
                // Any other word is a string, so that `class == Session` reads as it would in OQL.
                Ok(Operand::Lit(Lit::Str(w)))
            }
            Tok::End => err(
                col,
                "the expression ends here; expected a property (.name), an attribute or a value",
            ),
            Tok::Op(_) | Tok::RParen | Tok::RBracket | Tok::LParen | Tok::Not | Tok::Dot | Tok::LBracket => err(
                col,
                "expected a property (.name), an attribute (class, retained_size, …) or a value",
            ),
        }
    }

    /// A path inside `attr(…)`: `.a.b`, `key`, `value.x`.
    fn path(&mut self) -> Result<Path, QueryError> {
        let root = if self.is_word("key") {
            self.bump()?;
            Root::Key
        } else if self.is_word("value") {
            self.bump()?;
            Root::Value
        } else if matches!(self.tok, Tok::Dot | Tok::LBracket) {
            Root::Subject
        } else {
            return err(self.col, "expected a path: .property, key or value");
        };
        let steps = self.steps()?;
        Ok(Path { root, steps })
    }

    fn steps(&mut self) -> Result<Vec<Step>, QueryError> {
        let mut steps = Vec::new();
        loop {
            match &self.tok {
                Tok::Dot => {
                    self.bump()?;
                    match std::mem::replace(&mut self.tok, Tok::End) {
                        Tok::Word(w) => steps.push(Step::Prop(w)),
                        Tok::Num(n) if n.fract() == 0.0 && n >= 0.0 => steps.push(Step::Index(n as u32)),
                        _ => return err(self.col, "expected a property name after '.'"),
                    }
                    self.bump()?;
                }
                Tok::LBracket => {
                    self.bump()?;
                    match std::mem::replace(&mut self.tok, Tok::End) {
                        Tok::Str(s) => steps.push(Step::Prop(s)),
                        Tok::Num(n) if n.fract() == 0.0 && n >= 0.0 => steps.push(Step::Index(n as u32)),
                        _ => return err(self.col, "expected a quoted property name or an index in [ ]"),
                    }
                    self.bump()?;
                    self.expect(Tok::RBracket, "']'")?;
                }
                _ => return Ok(steps),
            }
        }
    }
}

/// Whether `a` is `b` with one letter left out, added, changed or two swapped: a typo.
fn close(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    let start = short.iter().zip(long.iter()).take_while(|(x, y)| x == y).count();
    if short.len() < long.len() {
        return short[start..] == long[start + 1..];
    }
    short[start + 1..] == long[start + 1..]
        || (start + 1 < short.len()
            && short[start] == long[start + 1]
            && short[start + 1] == long[start]
            && short[start + 2..] == long[start + 2..])
}

fn first_line(s: &str) -> &str {
    s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or(s).trim()
}

impl Query {
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        let mut p = Parser {
            lexer: Lexer { text, pos: 0 },
            tok: Tok::End,
            col: 1,
            tests: 0,
            depth: 0,
        };
        p.bump()?;
        if p.tok == Tok::End {
            return err(1, "the query is empty");
        }
        let expr = p.or()?;
        if p.tok != Tok::End {
            let what = if matches!(p.tok, Tok::Word(_) | Tok::Str(_) | Tok::Num(_)) {
                "expected 'and', 'or' or the end; a value here needs an operator before it (==, <, ~, …)"
            } else {
                "expected 'and', 'or' or the end"
            };
            return err(p.col, what);
        }
        Ok(Query {
            text: text.to_owned(),
            expr,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the subject passes.
    pub fn matches(&self, s: &Snapshot, subject: Subject) -> bool {
        eval(&self.expr, s, subject)
    }

    /// Whether the query compares a property with a number (which needs the snapshot to hold
    /// numbers' values).
    pub fn compares_numbers(&self) -> bool {
        fn walk(e: &Expr) -> bool {
            match e {
                Expr::And(a, b) | Expr::Or(a, b) => walk(a) || walk(b),
                Expr::Not(a) => walk(a),
                Expr::Truthy(_) => false,
                Expr::Cmp(a, _, b) => matches!(
                    (a, b),
                    (Operand::Read(p, None), Operand::Lit(Lit::Num(_))) | (Operand::Lit(Lit::Num(_)), Operand::Read(p, None))
                        if !p.steps.is_empty()
                ),
            }
        }
        walk(&self.expr)
    }

    /// Whether the query reads `key` or `value`, which only a Map's or Set's entries have.
    pub fn reads_entries(&self) -> bool {
        fn operand(o: &Operand) -> bool {
            matches!(o, Operand::Read(p, _) if p.root != Root::Subject)
        }
        fn walk(e: &Expr) -> bool {
            match e {
                Expr::And(a, b) | Expr::Or(a, b) => walk(a) || walk(b),
                Expr::Not(a) => walk(a),
                Expr::Truthy(o) => operand(o),
                Expr::Cmp(a, _, b) => operand(a) || operand(b),
            }
        }
        walk(&self.expr)
    }
}

/// A path or attribute written on its own, for `--group-by`: `.tenant`, `class`, `key`,
/// `class(.owner)`.
#[derive(Debug, Clone)]
pub struct Reading {
    text: String,
    path: Path,
    attr: Option<Attr>,
}

impl Reading {
    pub fn parse(text: &str) -> Result<Reading, QueryError> {
        let mut p = Parser {
            lexer: Lexer { text, pos: 0 },
            tok: Tok::End,
            col: 1,
            tests: 0,
            depth: 0,
        };
        p.bump()?;
        let col = p.col;
        match p.operand()? {
            Operand::Read(path, attr) if p.tok == Tok::End => Ok(Reading {
                text: text.to_owned(),
                path,
                attr,
            }),
            Operand::Read(..) => err(p.col, "expected the end: group by one property or attribute"),
            Operand::Lit(_) => err(
                col,
                "expected a property (.name), key, value or an attribute to group by",
            ),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether it reads `key` or `value`, which only a Map's or Set's entries have.
    pub fn reads_entries(&self) -> bool {
        self.path.root != Root::Subject
    }

    pub fn read<'s>(&self, s: &'s Snapshot, subject: Subject) -> Value<'s> {
        read(s, subject, &self.path, self.attr)
    }
}

// ---- evaluation ----

fn eval(e: &Expr, s: &Snapshot, subject: Subject) -> bool {
    match e {
        Expr::And(a, b) => eval(a, s, subject) && eval(b, s, subject),
        Expr::Or(a, b) => eval(a, s, subject) || eval(b, s, subject),
        Expr::Not(a) => !eval(a, s, subject),
        Expr::Truthy(o) => truthy(s, &operand_value(s, subject, o)),
        Expr::Cmp(a, op, b) => {
            if let Operand::Lit(Lit::Regex(re)) = b {
                let found = match operand_value(s, subject, a) {
                    Value::Str(t) => re.is_match(&t),
                    Value::Object(v) => re.is_match(&object_text(s, v)),
                    Value::Num(n) => re.is_match(&number_text(n)),
                    _ => false,
                };
                return found == (*op == Op::Match);
            }
            compare(s, &operand_value(s, subject, a), *op, &operand_value(s, subject, b))
        }
    }
}

fn operand_value<'s>(s: &'s Snapshot, subject: Subject, o: &Operand) -> Value<'s> {
    match o {
        Operand::Read(path, attr) => read(s, subject, path, *attr),
        Operand::Lit(Lit::Str(t)) => Value::Str(Cow::Owned(t.clone())),
        Operand::Lit(Lit::Num(n)) => Value::Num(*n),
        Operand::Lit(Lit::Bool(b)) => Value::Bool(*b),
        Operand::Lit(Lit::Null) => Value::Null,
        Operand::Lit(Lit::Undefined | Lit::Regex(_)) => Value::Undefined,
    }
}

/// Whether the snapshot holds numbers' values: V8 names a heap number by its value only when
/// asked to (DevTools' "expose numeric values", Node's `exposeNumericValues`), else "heap number".
pub fn numbers_recorded(s: &Snapshot) -> bool {
    let g = &s.graph;
    let mut numbers = (0..g.node_count())
        .map(NodeId::at)
        .filter(|&v| g.kind(v) == NodeKind::Number)
        .peekable();
    numbers.peek().is_none() || numbers.any(|v| g.name(v).parse::<f64>().is_ok())
}

/// What `~` matches of an object: its class as the Summary names it.
fn object_text(s: &Snapshot, v: NodeId) -> String {
    s.class_name(v).to_owned()
}

pub(crate) fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn truthy(_s: &Snapshot, v: &Value) -> bool {
    match v {
        Value::Str(t) => !t.is_empty(),
        Value::Num(n) => *n != 0.0 && !n.is_nan(),
        Value::Bool(b) => *b,
        Value::Null | Value::Undefined => false,
        Value::Object(_) => true,
    }
}

fn compare(s: &Snapshot, a: &Value, op: Op, b: &Value) -> bool {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.partial_cmp(y),
        (Value::Str(x), Value::Str(y)) => Some(x.as_ref().cmp(y.as_ref())),
        (Value::Bool(x), Value::Bool(y)) => (x == y).then_some(Ordering::Equal),
        // JavaScript's loose equality: null and undefined equal each other and nothing else.
        (Value::Null | Value::Undefined, Value::Null | Value::Undefined) => Some(Ordering::Equal),
        (Value::Object(x), Value::Object(y)) => (x == y).then_some(Ordering::Equal),
        (Value::Object(v), Value::Str(t)) => Some(original_or_class(s, *v, t)),
        (Value::Str(t), Value::Object(v)) => Some(original_or_class(s, *v, t).reverse()),
        // A number written as text in the heap (a string property) against a number.
        (Value::Str(t), Value::Num(y)) => t.trim().parse::<f64>().ok().and_then(|x| x.partial_cmp(y)),
        (Value::Num(x), Value::Str(t)) => t.trim().parse::<f64>().ok().and_then(|y| x.partial_cmp(&y)),
        _ => None,
    };
    match op {
        Op::Eq => ord == Some(Ordering::Equal),
        Op::Ne => ord != Some(Ordering::Equal),
        Op::Lt => ord == Some(Ordering::Less),
        Op::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => ord == Some(Ordering::Greater),
        Op::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        Op::Match | Op::NoMatch => {
            let found = match (a, b) {
                (Value::Str(x), Value::Str(y)) => x.contains(y.as_ref()),
                (Value::Object(v), Value::Str(y)) => object_text(s, *v).contains(y.as_ref()),
                (Value::Num(n), Value::Str(y)) => number_text(*n).contains(y.as_ref()),
                _ => false,
            };
            found == (op == Op::Match)
        }
    }
}

/// An object against a word: equal when the word is its class as the Summary names it (`{a, b}`
/// for a plain object), its constructor's name (`Object`) or, minified, its original name.
fn original_or_class(s: &Snapshot, v: NodeId, t: &str) -> std::cmp::Ordering {
    let class = s.class_name(v);
    if class == t
        || (matches!(s.graph.kind(v), NodeKind::Object | NodeKind::Closure) && s.graph.name(v) == t)
        || s.original_class(v).as_deref() == Some(t)
    {
        std::cmp::Ordering::Equal
    } else {
        class.cmp(t)
    }
}

fn read<'s>(s: &'s Snapshot, subject: Subject, path: &Path, attr: Option<Attr>) -> Value<'s> {
    let start = match (path.root, subject) {
        (Root::Subject, sub) => sub.node(),
        (Root::Key, Subject::Entry(e)) => e.key,
        (Root::Value, Subject::Entry(e)) => e.value,
        (Root::Key | Root::Value, Subject::Object(_)) => None,
    };
    let mut at = start;
    for (i, step) in path.steps.iter().enumerate() {
        let Some(v) = at else { break };
        at = property(s, v, step);
        // `.length` of a string or an array, as JavaScript reads it, when no such property is
        // in the snapshot (V8 keeps it inline).
        if at.is_none() && *step == Step::Prop("length".into()) && i + 1 == path.steps.len() && attr.is_none() {
            return match value_of(s, v) {
                Value::Str(t) => Value::Num(t.encode_utf16().count() as f64),
                _ => collections::entries(s, v).map_or(Value::Undefined, |n| Value::Num(n as f64)),
            };
        }
    }
    let Some(v) = at else {
        // A missing property, or an attribute of one: there is nothing to read.
        return Value::Undefined;
    };
    match attr {
        None => value_of(s, v),
        Some(a) => attribute(s, v, a),
    }
}

/// The object a property or element edge of `v` leads to. Properties first, then a closure's
/// context variables and internal fields (a Map's `table`), as DevTools lists them.
fn property(s: &Snapshot, v: NodeId, step: &Step) -> Option<NodeId> {
    let g = &s.graph;
    let mut best: Option<(u8, NodeId)> = None;
    for e in g.edges(v) {
        let rank = match (step, g.edge_kind(e), g.edge_name(e)) {
            (Step::Prop(p), EdgeKind::Property, EdgeName::Str(n)) if n == p => 0,
            (Step::Prop(p), EdgeKind::Context, EdgeName::Str(n)) if n == p => 1,
            (Step::Prop(p), EdgeKind::Internal, EdgeName::Str(n)) if n == p => 2,
            (Step::Index(i), EdgeKind::Element, EdgeName::Index(j)) if *i == j => 0,
            (Step::Index(i), EdgeKind::Property, EdgeName::Str(n)) if n.parse::<u32>().ok() == Some(*i) => 1,
            _ => continue,
        };
        if rank == 0 {
            return Some(g.to(e));
        }
        if best.is_none_or(|(r, _)| rank < r) {
            best = Some((rank, g.to(e)));
        }
    }
    best.map(|(_, to)| to)
}

/// What a heap object stands for as a value: strings, numbers, booleans, null and undefined
/// as themselves, anything else as the object.
pub fn value_of(s: &Snapshot, v: NodeId) -> Value<'_> {
    let g = &s.graph;
    match g.kind(v) {
        NodeKind::String => Value::Str(Cow::Borrowed(g.name(v))),
        NodeKind::ConsString | NodeKind::SlicedString => Value::Str(Cow::Owned(display_name(g, v))),
        NodeKind::Number => g.name(v).parse::<f64>().map_or(Value::Object(v), Value::Num),
        // Chromium writes oddballs as native nodes named by their value.
        NodeKind::Native if matches!(g.name(v), "true" | "false" | "null" | "undefined") => match g.name(v) {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            _ => Value::Undefined,
        },
        _ => match super::query::oddball_name(g, v) {
            Some("true") => Value::Bool(true),
            Some("false") => Value::Bool(false),
            Some("null") => Value::Null,
            Some(_) => Value::Undefined,
            None => Value::Object(v),
        },
    }
}

fn attribute<'s>(s: &'s Snapshot, v: NodeId, a: Attr) -> Value<'s> {
    let g = &s.graph;
    match a {
        Attr::Class => Value::Str(Cow::Borrowed(s.class_name(v))),
        Attr::Name => Value::Str(Cow::Owned(display_name(g, v))),
        Attr::Id => Value::Num(g.id(v).0 as f64),
        Attr::Type => Value::Str(Cow::Borrowed(g.type_name(v))),
        Attr::SelfSize => Value::Num(g.self_size(v) as f64),
        Attr::RetainedSize => Value::Num(s.retained.get(v)),
        Attr::Distance => s.distances[v].shown().map_or(Value::Null, |d| Value::Num(d as f64)),
        Attr::Edges => Value::Num(g.edges(v).len() as f64),
        Attr::Entries => collections::entries(s, v).map_or(Value::Null, |n| Value::Num(n as f64)),
        Attr::Length => match value_of(s, v) {
            Value::Str(t) => Value::Num(t.encode_utf16().count() as f64),
            _ => collections::entries(s, v).map_or(Value::Null, |n| Value::Num(n as f64)),
        },
    }
}

impl Value<'_> {
    /// A key for grouping: equal values, equal keys.
    fn group_key(&self) -> GroupKey {
        match self {
            Value::Str(t) => GroupKey::Str(t.to_string()),
            Value::Num(n) => GroupKey::Num(n.to_bits()),
            Value::Bool(b) => GroupKey::Bool(*b),
            Value::Null => GroupKey::Null,
            Value::Undefined => GroupKey::Undefined,
            Value::Object(v) => GroupKey::Object(*v),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum GroupKey {
    Str(String),
    Num(u64),
    Bool(bool),
    Null,
    Undefined,
    Object(NodeId),
}

// ---- running a query over a snapshot ----

/// What to look at.
#[derive(Debug, Clone, Default)]
pub struct Search<'q> {
    /// Only objects of this class (its name, or a minified class's original name).
    pub class: Option<&'q str>,
    pub query: Option<&'q Query>,
    /// The entries of this Map or Set instead of objects.
    pub entries_of: Option<NodeId>,
}

/// The subjects that passed, largest retained size first.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub subjects: Vec<Subject>,
    /// How many subjects were looked at.
    pub examined: usize,
}

/// Runs a search: over the objects the Summary counts (self size above 0), or over a
/// collection's entries.
pub fn search(s: &Snapshot, what: &Search, cancelled: &(dyn Fn() -> bool + Sync)) -> Option<Found> {
    let g = &s.graph;
    let passes = |sub: Subject| what.query.is_none_or(|q| q.matches(s, sub));
    if let Some(map) = what.entries_of {
        let entries = collections::map_entries(s, map).unwrap_or_default();
        let examined = entries.len();
        let mut subjects: Vec<Subject> = entries.into_iter().map(Subject::Entry).filter(|&e| passes(e)).collect();
        sort_subjects(s, &mut subjects);
        return Some(Found { subjects, examined });
    }
    let classes: Option<Vec<bool>> = what.class.map(|name| {
        (0..s.classes.info.len() as u32)
            .map(|c| s.classes.name(g, c) == name || s.original_class_of(c).as_deref() == Some(name))
            .collect()
    });
    let sizes = g.self_sizes();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut nodes: Vec<NodeId> = (0..g.node_count())
        .into_par_iter()
        .with_min_len(4096)
        .filter(|&i| {
            if i % 65536 == 0 && cancelled() {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            if sizes[i] == 0 || stop.load(std::sync::atomic::Ordering::Relaxed) {
                return false;
            }
            if let Some(c) = &classes
                && !c[s.classes.of_node[NodeId::at(i)] as usize]
            {
                return false;
            }
            passes(Subject::Object(NodeId::at(i)))
        })
        .map(NodeId::at)
        .collect();
    if stop.into_inner() {
        return None;
    }
    let examined = match &classes {
        None => sizes.iter().filter(|&&z| z > 0).count(),
        Some(c) => (0..g.node_count())
            .filter(|&i| sizes[i] > 0 && c[s.classes.of_node[NodeId::at(i)] as usize])
            .count(),
    };
    nodes.par_sort_by(|&a, &b| {
        s.retained
            .get(b)
            .total_cmp(&s.retained.get(a))
            .then(g.id(a).cmp(&g.id(b)))
    });
    Some(Found {
        subjects: nodes.into_iter().map(Subject::Object).collect(),
        examined,
    })
}

/// The objects the Summary counts for which `q` holds, one bit per node, for limiting the
/// Summary to them; `None` when `cancelled` said so.
pub fn members(s: &Snapshot, q: &Query, cancelled: &(dyn Fn() -> bool + Sync)) -> Option<super::bits::BitVec> {
    let found = search(
        s,
        &Search {
            class: None,
            query: Some(q),
            entries_of: None,
        },
        cancelled,
    )?;
    let mut bits = super::bits::BitVec::new(s.graph.node_count());
    for sub in found.subjects {
        if let Subject::Object(v) = sub {
            bits.set(v.index());
        }
    }
    Some(bits)
}

fn sort_subjects(s: &Snapshot, subjects: &mut [Subject]) {
    let size = |sub: &Subject| sub.node().map_or(0.0, |v| s.retained.get(v));
    subjects.sort_by(|a, b| size(b).total_cmp(&size(a)));
}

/// One value of a grouped property, with the subjects that hold it.
#[derive(Debug, Clone)]
pub struct Group<'s> {
    pub value: Value<'s>,
    pub count: usize,
    pub self_size: f64,
    pub retained_size: f64,
}

/// The distribution of `by` over the subjects, most frequent value first (memlab's
/// `property_distribution`). Sizes are the subjects' own (an entry's value's).
pub fn group<'s>(s: &'s Snapshot, subjects: &[Subject], by: &Reading) -> Vec<Group<'s>> {
    let mut index: rustc_hash::FxHashMap<GroupKey, usize> = Default::default();
    let mut groups: Vec<Group<'s>> = Vec::new();
    for &sub in subjects {
        let value = by.read(s, sub);
        let i = *index.entry(value.group_key()).or_insert_with(|| {
            groups.push(Group {
                value,
                count: 0,
                self_size: 0.0,
                retained_size: 0.0,
            });
            groups.len() - 1
        });
        let g = &mut groups[i];
        g.count += 1;
        if let Some(v) = sub.node() {
            g.self_size += s.graph.self_size(v) as f64;
            g.retained_size += s.retained.get(v);
        }
    }
    groups.sort_by(|a, b| b.count.cmp(&a.count).then(b.retained_size.total_cmp(&a.retained_size)));
    groups
}

/// The help text for the language, shared by `find --help`, the MCP tool's description and
/// the app's Query field.
pub const SYNTAX: &str = "\
.prop, .a.b, [\"odd key\"], [0]: a property's value (a string, number, true/false, null, \
undefined when missing, else the object: compared with a word, its class); \
attributes: class, name, id, type, self_size, retained_size, distance, edges, entries, length, \
or of a property: retained_size(.cache); on a Map's or Set's entries: key, value, value.prop; \
compare with == != < <= > >= and ~ / !~ (substring or /regex/i); combine with and, or, not, ( ); \
sizes take units: 1kB 2MB 1GiB";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_point_at_the_column() {
        let e = Query::parse(".userId = 3").unwrap_err();
        assert_eq!(e.column, 9, "{e}");
        let e = Query::parse("retained_size > 1XB").unwrap_err();
        assert_eq!(e.column, 18, "{e}");
        assert!(e.message.contains("unknown unit"), "{e}");
        let e = Query::parse("class == Session and").unwrap_err();
        assert_eq!(e.column, 21, "{e}");
        let e = Query::parse(".name ~ /(/").unwrap_err();
        assert_eq!(e.column, 9, "{e}");
        let e = Query::parse("(.a == 1").unwrap_err();
        assert_eq!(e.column, 9, "{e}");
        let e = Query::parse(".a == 'x").unwrap_err();
        assert!(e.message.contains("closing quote"), "{e}");
        let e = Query::parse("class Session").unwrap_err();
        assert_eq!(e.column, 7, "{e}");
        let e = Query::parse("id == @").unwrap_err();
        assert_eq!((e.column, e.message.as_str()), (7, "'@' takes an object id: @123"));
        assert!(Query::parse("").is_err());
        assert!(Query::parse("3").is_err());
    }

    #[test]
    fn parses_what_the_docs_show() {
        for q in [
            ".userId == undefined",
            "class == Session and not .userId",
            "retained_size > 1MB or self_size >= 64KiB",
            ".headers.accept ~ \"json\"",
            ".name ~ /^user-\\d+$/i",
            "entries(.cache) > 1000",
            "key ~ 'acme' and value.tenant != null",
            "retained_size(value) > 1kB",
            ".items[0].id == 7 && id == @123",
            "!(.a == 1 || .b == 2)",
        ] {
            Query::parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        }
        assert!(Query::parse("key == 1").unwrap().reads_entries());
        assert!(!Query::parse(".key == 1").unwrap().reads_entries());
        assert!(Reading::parse(".tenant").is_ok());
        assert!(Reading::parse("class(.owner)").is_ok());
        assert!(Reading::parse("\"x\"").is_err());
    }

    /// Random text from the language's own characters (and multi-byte ones) parses or is an
    /// error with a column inside the text; it never panics.
    #[test]
    fn any_text_parses_or_fails_with_a_column() {
        let alphabet: Vec<char> = ".()[]\"'/~!=<>@-_ aZk9B é€&|\\".chars().collect();
        let words = [
            "and", "or", "not", "class", "key", "value", "entries(", "1kB", "null", "/x/i",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..100_000 {
            let mut text = String::new();
            for _ in 0..next(24) {
                if next(4) == 0 {
                    text.push_str(words[next(words.len())]);
                } else {
                    text.push(alphabet[next(alphabet.len())]);
                }
            }
            if let Err(e) = Query::parse(&text) {
                assert!(e.column >= 1 && e.column <= text.chars().count() + 1, "{text:?}: {e}");
            }
            let _ = Reading::parse(&text);
        }
    }

    #[test]
    fn units() {
        let q = Query::parse("retained_size > 1.5MB").unwrap();
        match q.expr {
            Expr::Cmp(_, Op::Gt, Operand::Lit(Lit::Num(n))) => assert_eq!(n, 1_500_000.0),
            other => panic!("{other:?}"),
        }
        let q = Query::parse("self_size == 2KiB").unwrap();
        match q.expr {
            Expr::Cmp(_, Op::Eq, Operand::Lit(Lit::Num(n))) => assert_eq!(n, 2048.0),
            other => panic!("{other:?}"),
        }
    }
}
