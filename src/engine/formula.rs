//! A small evaluator for KEDA `scalingModifiers` formulas, following expr-lang
//! (`github.com/expr-lang/expr`, which KEDA compiles them with) for the part KEDA documents:
//! numbers, trigger names, `+ - * / % ** ^`, comparisons, `&& || ! and or not`, `?:`, `??`,
//! parentheses, and `min`, `max`, `abs`, `ceil`, `floor`, `round`, `float`, `int`.
//!
//! What follows expr-lang exactly (`parser/operator/operator.go`, `parser/parser.go`):
//! - binary precedence, loosest first: `|| or` 10, `&& and` 15, comparisons 20, `+ -` 30,
//!   `* / %` 60, `** ^` 100 (right-associative), `??` 500; unary `! not` 50 and `- +` 90, so
//!   `-2 ** 2` is `-(2 ** 2)` and `!a == b` is `(!a) == b`;
//! - after `??` another binary operator at the same level is an error ("cannot be mixed"),
//!   while `a + b ?? c` reads `a + (b ?? c)`;
//! - chained comparisons: `a < b < c` is `a < b && b < c`;
//! - integers and floats: a literal without `.` or exponent is an integer; `+ - *` keep
//!   integers, `/` and `**` always give a float, `%` takes integers only (trigger values are
//!   floats, so `queue % 2` is an error), `ceil`/`floor`/`round` give floats.
//!
//! Values are numbers, booleans or nil (a trigger in fallback under `behavior:
//! scalingModifiers`); the result must be a number, as KEDA's webhook requires.
//!
//! Limits of our own: nesting deeper than [`MAX_DEPTH`] (parentheses, operators, calls) is
//! refused with [`FormulaError::TooDeep`] rather than risk the stack; expr-lang has no such
//! limit. More than [`MAX_NODES`] nodes is refused as expr-lang refuses it.

use std::collections::BTreeMap;

/// The deepest nesting evaluated (parentheses, operator chains, calls, ternaries).
pub const MAX_DEPTH: usize = 200;

/// The most nodes a formula may have (expr-lang's `DefaultMaxNodes`).
pub const MAX_NODES: usize = 10_000;

/// Why a formula could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormulaError {
    /// The text is not a valid expression.
    #[error("cannot parse formula at column {column}: {why}")]
    Syntax {
        /// 1-based column.
        column: usize,
        /// What was expected.
        why: String,
    },
    /// The formula nests deeper than [`MAX_DEPTH`].
    #[error("formula nests deeper than {0} levels (parentheses, operators or calls); simplify it")]
    TooDeep(usize),
    /// The formula has more than [`MAX_NODES`] nodes.
    #[error("formula exceeds the maximum of {0} nodes")]
    TooLarge(usize),
    /// A name that is not a trigger.
    #[error("unknown name {0:?} in formula (triggers are referred to by their name)")]
    UnknownName(String),
    /// A function that is not supported.
    #[error("unknown function {0:?} in formula")]
    UnknownFunction(String),
    /// An operator applied to the wrong kind of value.
    #[error("formula: {0}")]
    Type(String),
    /// The formula evaluated to nil or a boolean instead of a number.
    #[error("formula result is {0}, not a number")]
    NotANumber(&'static str),
}

/// A value during evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// An integer (a literal without `.` or exponent, or integer arithmetic on those).
    Int(i64),
    /// A float (every trigger value).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// nil (a failed trigger under fallback behavior `scalingModifiers`).
    Nil,
}

impl Value {
    /// `a number`, `a boolean` or `nil`, for messages.
    pub fn kind(self) -> &'static str {
        match self {
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Nil => "nil",
        }
    }

    /// The value as a float, when it is a number.
    pub fn number(self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The Go type name, as expr-lang's messages show it.
    fn go_type(self) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Bool(_) => "bool",
            Value::Nil => "<nil>",
        }
    }
}

/// Evaluates `formula` with the trigger values by name; the result must be a number.
pub fn evaluate(formula: &str, vars: &BTreeMap<String, Value>) -> Result<f64, FormulaError> {
    let value = evaluate_value(formula, vars)?;
    value.number().ok_or(FormulaError::NotANumber(value.kind()))
}

/// Evaluates `formula` to whatever value it gives (a number, a boolean or nil).
pub fn evaluate_value(
    formula: &str,
    vars: &BTreeMap<String, Value>,
) -> Result<Value, FormulaError> {
    let expr = parse(formula)?;
    eval(&expr, vars)
}

/// Parses `formula` into a tree no deeper than [`MAX_DEPTH`].
fn parse(formula: &str) -> Result<Expr, FormulaError> {
    let tokens = tokenize(formula)?;
    let mut parser = Parser {
        tokens: &tokens,
        at: 0,
        nodes: 0,
    };
    let parsed = parser.expression(0, 0)?;
    if let Some(token) = parser.peek() {
        return Err(syntax(token.column, "unexpected text after the expression"));
    }
    Ok(parsed.expr)
}

fn syntax(column: usize, why: &str) -> FormulaError {
    FormulaError::Syntax {
        column,
        why: why.to_string(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Int(i64),
    Float(f64),
    Name(String),
    Op(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    tok: Tok,
    column: usize,
}

/// Operator tokens, two-character ones first so that the longest match wins.
const OPERATORS: [&str; 22] = [
    "**", "==", "!=", "<=", ">=", "&&", "||", "??", "+", "-", "*", "/", "%", "<", ">", "!", "?",
    ":", "(", ")", ",", "^",
];

fn tokenize(text: &str) -> Result<Vec<Token>, FormulaError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let (tok, end) = number(&chars, i)?;
            tokens.push(Token { tok, column });
            i = end;
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let tok = match word.as_str() {
                "and" => Tok::Op("&&"),
                "or" => Tok::Op("||"),
                "not" => Tok::Op("!"),
                _ => Tok::Name(word),
            };
            tokens.push(Token { tok, column });
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let op = OPERATORS
                .iter()
                .find(|op| rest.starts_with(**op))
                .ok_or_else(|| syntax(column, &format!("unexpected character {c:?}")))?;
            i += op.chars().count();
            let op = if *op == "^" { "**" } else { op };
            tokens.push(Token {
                tok: Tok::Op(op),
                column,
            });
        }
    }
    Ok(tokens)
}

/// A number literal starting at `start` (expr-lang's lexer: `_` separators, `0x`/`0o`/`0b`
/// integers, a fraction or an exponent making a float), and where it ends.
fn number(chars: &[char], start: usize) -> Result<(Tok, usize), FormulaError> {
    let column = start + 1;
    let bad = || syntax(column, "malformed number");
    let radix = match (chars.get(start), chars.get(start + 1)) {
        (Some('0'), Some('x' | 'X')) => 16,
        (Some('0'), Some('o' | 'O')) => 8,
        (Some('0'), Some('b' | 'B')) => 2,
        _ => 10,
    };
    let mut i = start;
    if radix != 10 {
        i += 2;
        let digits_start = i;
        while i < chars.len() && (chars[i].is_digit(radix) || chars[i] == '_') {
            i += 1;
        }
        let digits: String = chars[digits_start..i]
            .iter()
            .filter(|c| **c != '_')
            .collect();
        let value = i64::from_str_radix(&digits, radix).map_err(|_| bad())?;
        return ensure_end(chars, i, column).map(|()| (Tok::Int(value), i));
    }
    let mut float = false;
    while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '_') {
        i += 1;
    }
    if chars.get(i) == Some(&'.') {
        float = true;
        i += 1;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '_') {
            i += 1;
        }
    }
    if matches!(chars.get(i), Some('e' | 'E')) {
        float = true;
        i += 1;
        if matches!(chars.get(i), Some('+' | '-')) {
            i += 1;
        }
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
    }
    ensure_end(chars, i, column)?;
    let text: String = chars[start..i].iter().filter(|c| **c != '_').collect();
    let tok = if float {
        Tok::Float(text.parse().map_err(|_| bad())?)
    } else {
        Tok::Int(text.parse().map_err(|_| bad())?)
    };
    Ok((tok, i))
}

/// A number must not run into a letter or digit (`12ab`).
fn ensure_end(chars: &[char], end: usize, column: usize) -> Result<(), FormulaError> {
    match chars.get(end) {
        Some(c) if c.is_alphanumeric() || *c == '_' => Err(syntax(column, "malformed number")),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Int(i64),
    Float(f64),
    Bool(bool),
    Nil,
    Name(String),
    Unary(&'static str, Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

/// A parsed subtree and its depth.
struct Parsed {
    expr: Expr,
    depth: usize,
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    nodes: usize,
}

/// expr-lang's binary operators: (precedence, right-associative).
fn binary_operator(op: &str) -> Option<(u16, bool)> {
    Some(match op {
        "||" => (10, false),
        "&&" => (15, false),
        "==" | "!=" | "<" | ">" | "<=" | ">=" => (20, false),
        "+" | "-" => (30, false),
        "*" | "/" | "%" => (60, false),
        "**" => (100, true),
        "??" => (500, false),
        _ => return None,
    })
}

/// expr-lang's unary operators and their precedence.
fn unary_operator(op: &str) -> Option<u16> {
    match op {
        "!" => Some(50),
        "-" | "+" => Some(90),
        _ => None,
    }
}

/// The comparisons that chain (`a < b < c`); `==` and `!=` do not.
fn is_comparison(op: &str) -> bool {
    matches!(op, "<" | ">" | "<=" | ">=")
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn peek_op(&self) -> Option<&'static str> {
        match self.peek()?.tok {
            Tok::Op(op) => Some(op),
            _ => None,
        }
    }

    fn column(&self) -> usize {
        self.peek().map_or_else(
            || self.tokens.last().map_or(1, |t| t.column + 1),
            |t| t.column,
        )
    }

    fn eat(&mut self, op: &str) -> bool {
        if self.peek_op() == Some(op) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), FormulaError> {
        if self.eat(op) {
            Ok(())
        } else {
            Err(syntax(self.column(), &format!("expected {op:?}")))
        }
    }

    /// Counts a new node with these children, refusing too many nodes or too deep a tree.
    fn node(&mut self, expr: Expr, children: &[usize]) -> Result<Parsed, FormulaError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(FormulaError::TooLarge(MAX_NODES));
        }
        let depth = 1 + children.iter().copied().max().unwrap_or(0);
        if depth > MAX_DEPTH {
            return Err(FormulaError::TooDeep(MAX_DEPTH));
        }
        Ok(Parsed { expr, depth })
    }

    /// expr-lang's `parseExpression`: operators of at least `min` precedence, by precedence
    /// climbing; `nesting` counts the recursion so that it stays bounded.
    fn expression(&mut self, min: u16, nesting: usize) -> Result<Parsed, FormulaError> {
        if nesting > MAX_DEPTH {
            return Err(FormulaError::TooDeep(MAX_DEPTH));
        }
        let mut left = self.primary(nesting)?;
        let mut previous: Option<&'static str> = None;
        while let Some(op) = self.peek_op() {
            let Some((precedence, right_assoc)) = binary_operator(op) else {
                break;
            };
            if precedence < min {
                break;
            }
            if previous == Some("??") && op != "??" {
                return Err(syntax(
                    self.column(),
                    &format!(
                        "operator ({op}) and coalesce expressions (??) cannot be mixed; wrap \
                         either in parentheses"
                    ),
                ));
            }
            self.at += 1;
            left = if is_comparison(op) {
                self.comparison(left, op, precedence, nesting)?
            } else {
                let next = if right_assoc {
                    precedence
                } else {
                    precedence + 1
                };
                let right = self.expression(next, nesting + 1)?;
                let depths = [left.depth, right.depth];
                let expr = Expr::Binary(op, Box::new(left.expr), Box::new(right.expr));
                self.node(expr, &depths)?
            };
            previous = Some(op);
        }
        if min == 0 {
            left = self.conditional(left, nesting)?;
        }
        Ok(left)
    }

    /// `a < b <= c` as `a < b && b <= c` (expr-lang's `parseComparison`).
    fn comparison(
        &mut self,
        mut left: Parsed,
        mut op: &'static str,
        precedence: u16,
        nesting: usize,
    ) -> Result<Parsed, FormulaError> {
        let mut root: Option<Parsed> = None;
        loop {
            let right = self.expression(precedence + 1, nesting + 1)?;
            let depths = [left.depth, right.depth];
            let (next_left, next_depth) = (right.expr.clone(), right.depth);
            let compare = Expr::Binary(op, Box::new(left.expr), Box::new(right.expr));
            let compare = self.node(compare, &depths)?;
            root = Some(match root {
                None => compare,
                Some(r) => {
                    let depths = [r.depth, compare.depth];
                    let both = Expr::Binary("&&", Box::new(r.expr), Box::new(compare.expr));
                    self.node(both, &depths)?
                }
            });
            left = Parsed {
                expr: next_left,
                depth: next_depth,
            };
            match self.peek_op() {
                Some(next) if is_comparison(next) => {
                    self.at += 1;
                    op = next;
                }
                _ => break,
            }
        }
        root.ok_or_else(|| syntax(self.column(), "expected a comparison"))
    }

    /// `cond ? a : b`, only at the outermost level of an expression, as expr-lang reads it.
    fn conditional(&mut self, mut node: Parsed, nesting: usize) -> Result<Parsed, FormulaError> {
        while self.eat("?") {
            let yes = self.expression(0, nesting + 1)?;
            self.expect(":")?;
            let no = self.expression(0, nesting + 1)?;
            let depths = [node.depth, yes.depth, no.depth];
            let expr = Expr::Ternary(Box::new(node.expr), Box::new(yes.expr), Box::new(no.expr));
            node = self.node(expr, &depths)?;
        }
        Ok(node)
    }

    fn primary(&mut self, nesting: usize) -> Result<Parsed, FormulaError> {
        if let Some(op) = self.peek_op()
            && let Some(precedence) = unary_operator(op)
        {
            self.at += 1;
            let inner = self.expression(precedence, nesting + 1)?;
            let depth = inner.depth;
            return self.node(Expr::Unary(op, Box::new(inner.expr)), &[depth]);
        }
        let Some(token) = self.peek().cloned() else {
            return Err(syntax(self.column(), "expected a value"));
        };
        self.at += 1;
        let leaf = match token.tok {
            Tok::Int(n) => Expr::Int(n),
            Tok::Float(n) => Expr::Float(n),
            Tok::Op("(") => {
                let inner = self.expression(0, nesting + 1)?;
                self.expect(")")?;
                return Ok(inner);
            }
            Tok::Name(name) if self.eat("(") => return self.call(name, nesting),
            Tok::Name(name) => match name.as_str() {
                "true" => Expr::Bool(true),
                "false" => Expr::Bool(false),
                "nil" => Expr::Nil,
                _ => Expr::Name(name),
            },
            Tok::Op(_) => return Err(syntax(token.column, "expected a value")),
        };
        self.node(leaf, &[])
    }

    fn call(&mut self, name: String, nesting: usize) -> Result<Parsed, FormulaError> {
        let mut args = Vec::new();
        let mut depths = Vec::new();
        if !self.eat(")") {
            loop {
                let arg = self.expression(0, nesting + 1)?;
                depths.push(arg.depth);
                args.push(arg.expr);
                if self.eat(")") {
                    break;
                }
                self.expect(",")?;
            }
        }
        self.node(Expr::Call(name, args), &depths)
    }
}

fn eval(expr: &Expr, vars: &BTreeMap<String, Value>) -> Result<Value, FormulaError> {
    match expr {
        Expr::Int(n) => Ok(Value::Int(*n)),
        Expr::Float(n) => Ok(Value::Float(*n)),
        Expr::Bool(b) => Ok(Value::Bool(*b)),
        Expr::Nil => Ok(Value::Nil),
        Expr::Name(name) => vars
            .get(name)
            .copied()
            .ok_or_else(|| FormulaError::UnknownName(name.clone())),
        Expr::Unary(op, inner) => unary(op, eval(inner, vars)?),
        Expr::Binary("??", left, right) => match eval(left, vars)? {
            Value::Nil => eval(right, vars),
            value => Ok(value),
        },
        Expr::Binary("&&", left, right) => match eval(left, vars)? {
            Value::Bool(false) => Ok(Value::Bool(false)),
            Value::Bool(true) => boolean(eval(right, vars)?, "&&").map(Value::Bool),
            other => Err(type_error("&&", other)),
        },
        Expr::Binary("||", left, right) => match eval(left, vars)? {
            Value::Bool(true) => Ok(Value::Bool(true)),
            Value::Bool(false) => boolean(eval(right, vars)?, "||").map(Value::Bool),
            other => Err(type_error("||", other)),
        },
        Expr::Binary(op, left, right) => binary(op, eval(left, vars)?, eval(right, vars)?),
        Expr::Ternary(condition, yes, no) => match eval(condition, vars)? {
            Value::Bool(true) => eval(yes, vars),
            Value::Bool(false) => eval(no, vars),
            other => Err(type_error("?:", other)),
        },
        Expr::Call(name, args) => {
            let values = args
                .iter()
                .map(|a| eval(a, vars))
                .collect::<Result<Vec<_>, _>>()?;
            call(name, &values)
        }
    }
}

fn type_error(op: &str, value: Value) -> FormulaError {
    FormulaError::Type(format!("operator {op} cannot take {}", value.kind()))
}

fn mismatched(op: &str, left: Value, right: Value) -> FormulaError {
    FormulaError::Type(format!(
        "invalid operation: {op} (mismatched types {} and {})",
        left.go_type(),
        right.go_type()
    ))
}

fn boolean(value: Value, op: &str) -> Result<bool, FormulaError> {
    match value {
        Value::Bool(b) => Ok(b),
        other => Err(type_error(op, other)),
    }
}

fn unary(op: &str, value: Value) -> Result<Value, FormulaError> {
    match (op, value) {
        ("!", v) => boolean(v, op).map(|b| Value::Bool(!b)),
        ("-", Value::Int(n)) => Ok(Value::Int(n.wrapping_neg())),
        ("-", Value::Float(n)) => Ok(Value::Float(-n)),
        ("+", v @ (Value::Int(_) | Value::Float(_))) => Ok(v),
        (_, other) => Err(type_error(op, other)),
    }
}

fn binary(op: &str, left: Value, right: Value) -> Result<Value, FormulaError> {
    match op {
        "==" => return Ok(Value::Bool(equal(left, right))),
        "!=" => return Ok(Value::Bool(!equal(left, right))),
        _ => {}
    }
    if let (Value::Int(a), Value::Int(b)) = (left, right) {
        match op {
            "+" => return Ok(Value::Int(a.wrapping_add(b))),
            "-" => return Ok(Value::Int(a.wrapping_sub(b))),
            "*" => return Ok(Value::Int(a.wrapping_mul(b))),
            "%" if b == 0 => {
                return Err(FormulaError::Type("integer divide by zero".to_string()));
            }
            "%" => return Ok(Value::Int(a.wrapping_rem(b))),
            _ => {}
        }
    }
    let (Some(a), Some(b)) = (left.number(), right.number()) else {
        return Err(mismatched(op, left, right));
    };
    Ok(match op {
        "+" => Value::Float(a + b),
        "-" => Value::Float(a - b),
        "*" => Value::Float(a * b),
        "/" => Value::Float(a / b),
        "**" => Value::Float(a.powf(b)),
        "<" => Value::Bool(a < b),
        ">" => Value::Bool(a > b),
        "<=" => Value::Bool(a <= b),
        ">=" => Value::Bool(a >= b),
        // `%` on a float: expr-lang's checker refuses it.
        _ => return Err(mismatched(op, left, right)),
    })
}

/// expr-lang's equality: numbers compare by value whatever their type; otherwise the same
/// type and value.
fn equal(left: Value, right: Value) -> bool {
    match (left, right) {
        (Value::Int(a), Value::Int(b)) => a == b,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Nil, Value::Nil) => true,
        (a, b) => match (a.number(), b.number()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

fn call(name: &str, args: &[Value]) -> Result<Value, FormulaError> {
    let one = || -> Result<Value, FormulaError> {
        match args {
            [v @ (Value::Int(_) | Value::Float(_))] => Ok(*v),
            [other] => Err(FormulaError::Type(format!(
                "invalid argument for {name} (type {})",
                other.go_type()
            ))),
            _ => Err(FormulaError::Type(format!(
                "invalid number of arguments for {name} (expected 1, got {})",
                args.len()
            ))),
        }
    };
    let float = |v: Value| v.number().unwrap_or(f64::NAN);
    Ok(match name {
        "min" | "max" => min_max(name, args)?,
        "abs" => match one()? {
            Value::Int(n) => Value::Int(n.wrapping_abs()),
            v => Value::Float(float(v).abs()),
        },
        "ceil" => Value::Float(float(one()?).ceil()),
        "floor" => Value::Float(float(one()?).floor()),
        "round" => Value::Float(float(one()?).round()),
        "float" => Value::Float(float(one()?)),
        "int" => match one()? {
            Value::Int(n) => Value::Int(n),
            // Go's int(float64) truncates toward zero.
            v => Value::Int(float(v).trunc() as i64),
        },
        _ => return Err(FormulaError::UnknownFunction(name.to_string())),
    })
}

/// `min`/`max`: the chosen argument itself, so an integer stays an integer.
fn min_max(name: &str, args: &[Value]) -> Result<Value, FormulaError> {
    let mut best: Option<(Value, f64)> = None;
    for arg in args {
        let n = arg.number().ok_or_else(|| {
            FormulaError::Type(format!(
                "invalid argument for {name} (type {})",
                arg.go_type()
            ))
        })?;
        let better = best.is_none_or(|(_, b)| if name == "min" { n < b } else { n > b });
        if better {
            best = Some((*arg, n));
        }
    }
    best.map(|(v, _)| v)
        .ok_or_else(|| FormulaError::Type(format!("not enough arguments to call {name}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn sample() -> BTreeMap<String, Value> {
        vars(&[
            ("queue", Value::Float(30.0)),
            ("kv", Value::Float(0.8)),
            ("down", Value::Nil),
        ])
    }

    #[test]
    fn evaluates_the_documented_subset() {
        let v = sample();
        let cases = [
            ("queue + kv * 10", 38.0),
            ("(queue + 10) / 4", 10.0),
            ("queue > 20 ? queue : 0", 30.0),
            ("queue < 20 ? queue : 1", 1.0),
            ("max(queue / 10, kv * 100) ", 80.0),
            ("min(queue, 5, 7)", 5.0),
            ("abs(-3) + 2 ** 3", 11.0),
            ("down ?? queue", 30.0),
            ("down ?? down ?? 8", 8.0),
            ("queue >= 30 && kv < 1 ? 1 : 2", 1.0),
            ("-queue + 40", 10.0),
            ("2 ** 3 ** 2", 512.0),
            ("float(queue) / 4", 7.5),
            ("ceil(kv) + floor(2.5) + round(2.5)", 6.0),
            ("1_000 + 0x10", 1016.0),
        ];
        for (formula, expected) in cases {
            assert_eq!(evaluate(formula, &v), Ok(expected), "{formula}");
        }
    }

    #[test]
    fn precedence_and_types_follow_expr_lang() {
        let v = sample();
        let cases = [
            // Unary minus (90) binds looser than ** (100).
            ("-2 ** 2", Value::Float(-4.0)),
            ("-2 * 3", Value::Int(-6)),
            // ?? (500) binds tightest: 1 + (down ?? queue).
            ("1 + down ?? queue", Value::Float(31.0)),
            ("(down ?? queue) + 1", Value::Float(31.0)),
            // Integer arithmetic stays integer; / and ** give floats.
            ("7 % 3", Value::Int(1)),
            ("-7 % 3", Value::Int(-1)),
            ("10 / 4", Value::Float(2.5)),
            ("2 * 3", Value::Int(6)),
            ("2 ** 2", Value::Float(4.0)),
            ("int(queue / 7)", Value::Int(4)),
            ("max(1, 2)", Value::Int(2)),
            // Chained comparisons and mixed equality.
            ("1 < 2 < 3", Value::Bool(true)),
            ("3 > 2 > 2", Value::Bool(false)),
            ("queue == 30", Value::Bool(true)),
            ("!false == true", Value::Bool(true)),
            ("not (queue > 1) or kv < 1", Value::Bool(true)),
        ];
        for (formula, expected) in cases {
            assert_eq!(evaluate_value(formula, &v), Ok(expected), "{formula}");
        }
    }

    #[test]
    fn coalesce_cannot_be_mixed_without_parentheses() {
        let v = sample();
        for formula in [
            "down ?? queue + 1",
            "down ?? queue * 2",
            "down ?? queue > 1",
        ] {
            let error = evaluate(formula, &v).unwrap_err();
            assert!(
                matches!(&error, FormulaError::Syntax { why, .. } if why.contains("cannot be mixed")),
                "{formula}: {error}"
            );
        }
    }

    #[test]
    fn modulo_takes_integers_only() {
        let v = sample();
        assert_eq!(
            evaluate("queue % 7", &v),
            Err(FormulaError::Type(
                "invalid operation: % (mismatched types float64 and int)".into()
            ))
        );
        assert!(matches!(
            evaluate("7.5 % 2", &v),
            Err(FormulaError::Type(_))
        ));
        assert_eq!(
            evaluate("7 % 0", &v),
            Err(FormulaError::Type("integer divide by zero".into()))
        );
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let v = sample();
        let deep = format!("{}queue{}", "(".repeat(4000), ")".repeat(4000));
        assert_eq!(evaluate(&deep, &v), Err(FormulaError::TooDeep(MAX_DEPTH)));
        let negations = format!("{}queue", "-".repeat(20_000));
        assert_eq!(
            evaluate(&negations, &v),
            Err(FormulaError::TooDeep(MAX_DEPTH))
        );
        let chain = vec!["queue"; 5000].join(" + ");
        assert_eq!(evaluate(&chain, &v), Err(FormulaError::TooDeep(MAX_DEPTH)));
        let calls = format!("{}queue{}", "abs(".repeat(3000), ")".repeat(3000));
        assert_eq!(evaluate(&calls, &v), Err(FormulaError::TooDeep(MAX_DEPTH)));
        // Just inside the limit still evaluates.
        let ok = format!("{}queue{}", "(".repeat(150), ")".repeat(150));
        assert_eq!(evaluate(&ok, &v), Ok(30.0));
        let wide = format!("max({})", vec!["queue"; MAX_NODES + 1].join(", "));
        assert_eq!(evaluate(&wide, &v), Err(FormulaError::TooLarge(MAX_NODES)));
    }

    #[test]
    fn reports_bad_formulas() {
        let v = vars(&[("queue", Value::Float(1.0)), ("down", Value::Nil)]);
        assert_eq!(
            evaluate("queue + other", &v),
            Err(FormulaError::UnknownName("other".into()))
        );
        assert_eq!(
            evaluate("queue > 1", &v),
            Err(FormulaError::NotANumber("a boolean"))
        );
        assert_eq!(evaluate("down", &v), Err(FormulaError::NotANumber("nil")));
        for bad in ["queue +", "(queue", "queue $ 2", "12ab", "queue ? 1"] {
            assert!(
                matches!(evaluate(bad, &v), Err(FormulaError::Syntax { .. })),
                "{bad}"
            );
        }
        assert_eq!(
            evaluate("sqrt(queue)", &v),
            Err(FormulaError::UnknownFunction("sqrt".into()))
        );
        assert!(matches!(
            evaluate("down + 1", &v),
            Err(FormulaError::Type(_))
        ));
    }
}
