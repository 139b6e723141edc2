//! Where a character of a scalar's value sits in the source: the value of a quoted, block or
//! multi-line scalar is not a copy of the text between its first and last column (escapes,
//! quotes, block indentation and line folding change it), so an offset into the value (say,
//! where a PromQL query fails to parse) is mapped back by decoding the scalar again from its
//! source lines, with the position of every character kept.
//!
//! The decoded characters are checked against the value the loader produced; where they
//! disagree (a construct this module does not model) the caller gets `None` and falls back to
//! the start of the value rather than a wrong column.

use super::manifest::{NodePos, Pos, ScalarKind};

/// The source position of character `offset` (counted in characters) of the scalar `value`
/// written at `node` in `kind` style; `line(n)` returns line `n` of the source without its
/// line break. An offset at the end of the value maps just past its last character.
pub fn char_pos<'s>(
    line: &dyn Fn(u32) -> Option<&'s str>,
    node: NodePos,
    kind: ScalarKind,
    value: &str,
    offset: usize,
) -> Option<Pos> {
    let decoded = match kind {
        ScalarKind::Plain | ScalarKind::SingleQuoted | ScalarKind::DoubleQuoted => {
            flow(line, node.value, kind, offset)
        }
        ScalarKind::Literal | ScalarKind::Folded => block(line, node, kind, offset)?,
    };
    let expected: Vec<char> = value.chars().collect();
    let mut last = None;
    for (i, (c, pos)) in decoded.into_iter().enumerate().take(expected.len()) {
        if expected[i] != c {
            return None;
        }
        if i == offset {
            return Some(pos);
        }
        last = Some(pos);
    }
    // The offset is at the end of the value: just past its last character.
    last.filter(|_| offset == expected.len()).map(|p| Pos {
        line: p.line,
        column: p.column + 1,
    })
}

/// One decoded character and where it is written.
type Decoded = Vec<(char, Pos)>;

/// A character of a flow scalar's line, as the source has it.
struct Token {
    /// The character it stands for.
    c: char,
    /// Where it starts (the backslash of an escape).
    pos: Pos,
    /// Unescaped white space, which folding trims at line ends.
    space: bool,
}

/// How a line of a flow scalar ends.
enum LineEnd {
    /// The closing quote: the scalar is complete.
    Closed,
    /// A backslash before the line break (double-quoted): the break is not content.
    Escaped,
    /// A line break, folded into a space or newlines.
    Break,
}

/// Plain, single- and double-quoted scalars: lines folded into spaces, empty lines into line
/// breaks, white space around breaks trimmed; quotes and escapes decoded. Decodes at least
/// `want + 1` characters when the scalar has that many.
fn flow<'s>(
    line: &dyn Fn(u32) -> Option<&'s str>,
    start: Pos,
    kind: ScalarKind,
    want: usize,
) -> Decoded {
    let mut out: Decoded = Vec::new();
    let quoted = kind != ScalarKind::Plain;
    let mut number = start.line;
    // The first line starts at the value (after the opening quote); later ones after their
    // indentation.
    let mut from = start.column as usize - 1 + usize::from(quoted);
    let mut trim_leading = false;
    while let Some(text) = line(number) {
        let chars: Vec<char> = text.chars().collect();
        if trim_leading {
            while chars.get(from).is_some_and(|c| *c == ' ' || *c == '\t') {
                from += 1;
            }
        }
        let (mut tokens, end) = tokenize(&chars, from, number, kind);
        if !matches!(end, LineEnd::Escaped) {
            while tokens.last().is_some_and(|t| t.space) {
                tokens.pop();
            }
        }
        let line_end = Pos {
            line: number,
            column: tokens.last().map_or(from as u32 + 1, |t| t.pos.column + 1),
        };
        out.extend(tokens.into_iter().map(|t| (t.c, t.pos)));
        if out.len() > want || matches!(end, LineEnd::Closed) {
            break;
        }
        number += 1;
        from = 0;
        trim_leading = true;
        if matches!(end, LineEnd::Break) {
            let mut empty = 0;
            while line(number).is_some_and(|l| l.trim().is_empty()) {
                empty += 1;
                number += 1;
            }
            match empty {
                0 => out.push((' ', line_end)),
                n => out.extend(std::iter::repeat_n(('\n', line_end), n)),
            }
        }
    }
    out
}

/// The characters of one line of a flow scalar from column index `from`.
fn tokenize(chars: &[char], from: usize, line: u32, kind: ScalarKind) -> (Vec<Token>, LineEnd) {
    let mut tokens = Vec::new();
    let at = |i: usize| Pos {
        line,
        column: i as u32 + 1,
    };
    let mut i = from;
    while let Some(&c) = chars.get(i) {
        let space = c == ' ' || c == '\t';
        match (kind, c) {
            (ScalarKind::SingleQuoted, '\'') if chars.get(i + 1) == Some(&'\'') => {
                tokens.push(Token {
                    c,
                    pos: at(i),
                    space: false,
                });
                i += 2;
                continue;
            }
            (ScalarKind::SingleQuoted, '\'') | (ScalarKind::DoubleQuoted, '"') => {
                return (tokens, LineEnd::Closed);
            }
            (ScalarKind::DoubleQuoted, '\\') => {
                if i + 1 == chars.len() {
                    return (tokens, LineEnd::Escaped);
                }
                let (decoded, width) = escape(&chars[i + 1..]);
                tokens.push(Token {
                    c: decoded,
                    pos: at(i),
                    space: false,
                });
                i += 1 + width;
                continue;
            }
            _ => tokens.push(Token {
                c,
                pos: at(i),
                space,
            }),
        }
        i += 1;
    }
    (tokens, LineEnd::Break)
}

/// A double-quoted escape after its backslash: the character and how many source characters
/// follow the backslash. An unknown escape decodes to U+FFFD, which then fails the check
/// against the value.
fn escape(rest: &[char]) -> (char, usize) {
    let hex = |n: usize| -> (char, usize) {
        let digits: String = rest.iter().skip(1).take(n).collect();
        let c = u32::from_str_radix(&digits, 16)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or(char::REPLACEMENT_CHARACTER);
        (c, 1 + n)
    };
    let simple = match rest.first() {
        Some('0') => '\0',
        Some('a') => '\u{7}',
        Some('b') => '\u{8}',
        Some('t' | '\t') => '\t',
        Some('n') => '\n',
        Some('v') => '\u{b}',
        Some('f') => '\u{c}',
        Some('r') => '\r',
        Some('e') => '\u{1b}',
        Some(' ') => ' ',
        Some('"') => '"',
        Some('/') => '/',
        Some('\\') => '\\',
        Some('N') => '\u{85}',
        Some('_') => '\u{a0}',
        Some('L') => '\u{2028}',
        Some('P') => '\u{2029}',
        Some('x') => return hex(2),
        Some('u') => return hex(4),
        Some('U') => return hex(8),
        _ => char::REPLACEMENT_CHARACTER,
    };
    (simple, 1)
}

/// One line of a block scalar's body: its number, its characters, and whether it is empty.
struct BodyLine {
    number: u32,
    chars: Vec<char>,
    empty: bool,
}

/// Literal (`|`) and folded (`>`) scalars: the body's lines without the block indentation,
/// joined by line breaks (literal) or folded (folded: a single break between two lines that
/// do not start with white space becomes a space). `None` when the header is not where the
/// node says.
fn block<'s>(
    line: &dyn Fn(u32) -> Option<&'s str>,
    node: NodePos,
    kind: ScalarKind,
    want: usize,
) -> Option<Decoded> {
    let (header_line, explicit) = header(line, node)?;
    let (indent, lines) = body_lines(line, header_line + 1, |first_indent| match explicit {
        // The indentation indicator counts from the indentation of the key's mapping.
        Some(d) => (node.key.column as usize - 1) + d as usize,
        None => first_indent,
    });
    let mut out: Decoded = Vec::new();
    let mut previous: Option<(bool, Pos)> = None;
    let mut empty = 0usize;
    for body_line in lines {
        if out.len() > want {
            break;
        }
        if body_line.empty {
            empty += 1;
            continue;
        }
        let content = body_line.chars.get(indent..).unwrap_or(&[]);
        let spaced = content.first().is_some_and(|c| *c == ' ' || *c == '\t');
        let break_at = Pos {
            line: body_line.number,
            column: 1,
        };
        let breaks = match previous {
            None => empty,
            Some((previous_spaced, at)) => {
                let folds = kind == ScalarKind::Folded && !previous_spaced && !spaced;
                match (folds, empty) {
                    (true, 0) => {
                        out.push((' ', at));
                        0
                    }
                    (true, n) => n,
                    (false, n) => n + 1,
                }
            }
        };
        out.extend(std::iter::repeat_n(('\n', break_at), breaks));
        for (i, c) in content.iter().enumerate() {
            let pos = Pos {
                line: body_line.number,
                column: (indent + i) as u32 + 1,
            };
            out.push((*c, pos));
        }
        let end = Pos {
            line: body_line.number,
            column: (body_line.chars.len() as u32) + 1,
        };
        previous = Some((spaced, end));
        empty = 0;
    }
    Some(out)
}

/// The line of a block scalar's header (`|`, `>-`, `|2`…) and its indentation indicator. The
/// parser's span starts at the body, so the header is the nearest line above it (not above
/// the key) that ends in one.
fn header<'s>(line: &dyn Fn(u32) -> Option<&'s str>, node: NodePos) -> Option<(u32, Option<u32>)> {
    let lowest = node.key.line.min(node.value.line.saturating_sub(1)).max(1);
    (lowest..node.value.line).rev().find_map(|number| {
        let text = line(number)?;
        let code = text.split(" #").next().unwrap_or(text).trim_end();
        let at = code.rfind(['|', '>'])?;
        let indicators = &code[at + 1..];
        let valid = indicators.len() <= 2
            && indicators
                .chars()
                .all(|c| matches!(c, '+' | '-' | '1'..='9'));
        valid.then(|| (number, indicators.chars().find_map(|c| c.to_digit(10))))
    })
}

/// The body of a block scalar from line `first`: its indentation (from `indent_of`, given
/// the indentation of the first non-blank line) and its lines up to the first non-blank line
/// indented less. A blank line with more spaces than the indentation keeps them as content.
fn body_lines<'s>(
    line: &dyn Fn(u32) -> Option<&'s str>,
    first: u32,
    indent_of: impl Fn(usize) -> usize,
) -> (usize, Vec<BodyLine>) {
    let mut lines = Vec::new();
    let mut indent = None;
    let mut number = first;
    while let Some(text) = line(number) {
        let chars: Vec<char> = text.chars().collect();
        let leading = chars.iter().take_while(|c| **c == ' ').count();
        let blank = chars.iter().all(|c| *c == ' ' || *c == '\t');
        if !blank && leading < *indent.get_or_insert_with(|| indent_of(leading)) {
            break;
        }
        lines.push(BodyLine {
            number,
            chars,
            empty: blank,
        });
        number += 1;
    }
    let indent = indent.unwrap_or(0);
    for body_line in &mut lines {
        body_line.empty = body_line.empty && body_line.chars.len() <= indent;
    }
    (indent, lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::manifest::load_str;

    /// The position of character `offset` of the string at `pointer` in `text`.
    fn at(text: &str, pointer: &str, offset: usize) -> Option<Pos> {
        let docs = load_str("t.yaml", text).unwrap();
        let doc = &docs[0];
        let value = doc.value.at(pointer).unwrap().as_str().unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let line = |n: u32| lines.get(n as usize - 1).copied();
        let kind = doc.scalar_kind(pointer).unwrap();
        char_pos(&line, doc.pos(pointer), kind, value, offset)
    }

    fn pos(line: u32, column: u32) -> Option<Pos> {
        Some(Pos { line, column })
    }

    #[test]
    fn plain_and_single_quoted() {
        let text = "q: sum(x) + y\nr: 'it''s (x'\ns: a\n  b\n\n  c\n";
        assert_eq!(at(text, "/q", 4), pos(1, 8));
        assert_eq!(at(text, "/q", 10), pos(1, 14), "the end of the value");
        // `''` decodes to one quote at the first of the two.
        assert_eq!(at(text, "/r", 2), pos(2, 7));
        assert_eq!(at(text, "/r", 6), pos(2, 12));
        // "a b\nc": folded lines, an empty line as a line break.
        assert_eq!(at(text, "/s", 2), pos(4, 3));
        assert_eq!(at(text, "/s", 4), pos(6, 3));
    }

    #[test]
    fn double_quoted_escapes_count_as_one_character() {
        let text = "q: \"sum(x{a=\\\"b\\\"}) + sum(vllm_y)\"\n";
        // The value is `sum(x{a="b"}) + sum(vllm_y)`; `vllm_y` starts at character 20.
        assert_eq!(at(text, "/q", 20), pos(1, 27));
        let text = "q: \"a\\u00e9b \\\n    c\"\n";
        assert_eq!(at(text, "/q", 2), pos(1, 12));
        assert_eq!(
            at(text, "/q", 4),
            pos(2, 5),
            "an escaped line break adds nothing"
        );
    }

    #[test]
    fn literal_blocks_keep_lines_and_extra_indentation() {
        let text = "\
spec:
  query: |
    sum(a)
      + sum(vllm_b)
    - x
";
        // "sum(a)\n  + sum(vllm_b)\n- x\n"
        assert_eq!(at(text, "/spec/query", 0), pos(3, 5));
        assert_eq!(at(text, "/spec/query", 15), pos(4, 13));
        assert_eq!(at(text, "/spec/query", 23), pos(5, 5));
        let text = "q: |2\n    a\n   b\n";
        // An indentation indicator: two spaces from the key's indentation (0).
        assert_eq!(at(text, "/q", 0), pos(2, 3));
    }

    #[test]
    fn folded_blocks_fold_lines_into_spaces() {
        let text = "\
q: >-
  histogram_quantile(0.9,
  sum(rate(x[5m])))

  more
";
        // "histogram_quantile(0.9, sum(rate(x[5m])))\nmore"
        assert_eq!(at(text, "/q", 24), pos(3, 3));
        assert_eq!(at(text, "/q", 42), pos(5, 3));
    }

    #[test]
    fn a_mismatch_gives_none() {
        let docs = load_str("t.yaml", "q: abc\n").unwrap();
        let line = |_: u32| Some("q: xyz");
        let kind = docs[0].scalar_kind("/q").unwrap();
        assert_eq!(char_pos(&line, docs[0].pos("/q"), kind, "abc", 1), None);
    }
}
