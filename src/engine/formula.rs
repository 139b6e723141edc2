//! A small evaluator for KEDA `scalingModifiers` formulas: the subset of expr-lang that KEDA
//! documents (numbers, trigger names, `+ - * / % **`, comparisons, `&& || !`, `?:`, `??`,
//! parentheses, and `min`, `max`, `abs`, `ceil`, `floor`, `round`, `float`, `int`).
//!
//! Values are numbers, booleans or nil (a trigger in fallback under `behavior:
//! scalingModifiers`); the result must be a number, as KEDA's webhook requires.

use std::collections::BTreeMap;

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
    /// A number.
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// nil (a failed trigger under fallback behavior `scalingModifiers`).
    Nil,
}

impl Value {
    /// `a number`, `a boolean` or `nil`, for messages.
    pub fn kind(self) -> &'static str {
        match self {
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Nil => "nil",
        }
    }
}

/// Evaluates `formula` with the trigger values by name; the result must be a number.
pub fn evaluate(formula: &str, vars: &BTreeMap<String, Value>) -> Result<f64, FormulaError> {
    match evaluate_value(formula, vars)? {
        Value::Number(n) => Ok(n),
        other => Err(FormulaError::NotANumber(other.kind())),
    }
}

/// Evaluates `formula` to whatever value it gives (a number, a boolean or nil).
pub fn evaluate_value(
    formula: &str,
    vars: &BTreeMap<String, Value>,
) -> Result<Value, FormulaError> {
    let tokens = tokenize(formula)?;
    let mut parser = Parser {
        tokens: &tokens,
        at: 0,
    };
    let expr = parser.ternary()?;
    if let Some(token) = parser.peek() {
        return Err(syntax(token.column, "unexpected text after the expression"));
    }
    eval(&expr, vars)
}

fn syntax(column: usize, why: &str) -> FormulaError {
    FormulaError::Syntax {
        column,
        why: why.to_string(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Number(f64),
    Name(String),
    Op(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    tok: Tok,
    column: usize,
}

const OPERATORS: [&str; 24] = [
    "**", "==", "!=", "<=", ">=", "&&", "||", "??", "+", "-", "*", "/", "%", "<", ">", "!", "?",
    ":", "(", ")", ",", "^", "and", "or",
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
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == '_')
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().filter(|c| **c != '_').collect();
            let value = text
                .parse()
                .map_err(|_| syntax(column, "malformed number"))?;
            tokens.push(Token {
                tok: Tok::Number(value),
                column,
            });
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
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
                .find(|op| op.len() <= 2 && rest.starts_with(**op))
                .ok_or_else(|| syntax(column, &format!("unexpected character {c:?}")))?;
            i += op.len();
            let op = if *op == "^" { "**" } else { op };
            tokens.push(Token {
                tok: Tok::Op(op),
                column,
            });
        }
    }
    Ok(tokens)
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Number(f64),
    Bool(bool),
    Nil,
    Name(String),
    Unary(&'static str, Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
}

/// Binary operators by precedence, loosest first (expr-lang's order).
const LEVELS: [&[&str]; 7] = [
    &["??"],
    &["||"],
    &["&&"],
    &["==", "!=", "<", ">", "<=", ">="],
    &["+", "-"],
    &["*", "/", "%"],
    &["**"],
];

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn end_column(&self) -> usize {
        self.tokens.last().map_or(1, |t| t.column + 1)
    }

    fn eat(&mut self, op: &str) -> bool {
        if self.peek().is_some_and(|t| t.tok == Tok::Op(leak(op))) {
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
            let column = self.peek().map_or(self.end_column(), |t| t.column);
            Err(syntax(column, &format!("expected {op:?}")))
        }
    }

    fn ternary(&mut self) -> Result<Expr, FormulaError> {
        let condition = self.binary(0)?;
        if !self.eat("?") {
            return Ok(condition);
        }
        let yes = self.ternary()?;
        self.expect(":")?;
        let no = self.ternary()?;
        Ok(Expr::Ternary(
            Box::new(condition),
            Box::new(yes),
            Box::new(no),
        ))
    }

    fn binary(&mut self, level: usize) -> Result<Expr, FormulaError> {
        let Some(ops) = LEVELS.get(level) else {
            return self.unary();
        };
        let mut left = self.binary(level + 1)?;
        loop {
            let Some(op) = self.peek().and_then(|t| match &t.tok {
                Tok::Op(op) if ops.contains(op) => Some(*op),
                _ => None,
            }) else {
                return Ok(left);
            };
            self.at += 1;
            // `**` is right-associative.
            let right = if op == "**" {
                self.binary(level)?
            } else {
                self.binary(level + 1)?
            };
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self) -> Result<Expr, FormulaError> {
        for op in ["-", "+", "!"] {
            if self.eat(op) {
                return Ok(Expr::Unary(leak(op), Box::new(self.unary()?)));
            }
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, FormulaError> {
        let Some(token) = self.peek().cloned() else {
            return Err(syntax(self.end_column(), "expected a value"));
        };
        self.at += 1;
        match token.tok {
            Tok::Number(n) => Ok(Expr::Number(n)),
            Tok::Op("(") => {
                let inner = self.ternary()?;
                self.expect(")")?;
                Ok(inner)
            }
            Tok::Name(name) if self.eat("(") => self.call(name),
            Tok::Name(name) => Ok(match name.as_str() {
                "true" => Expr::Bool(true),
                "false" => Expr::Bool(false),
                "nil" => Expr::Nil,
                _ => Expr::Name(name),
            }),
            Tok::Op(_) => Err(syntax(token.column, "expected a value")),
        }
    }

    fn call(&mut self, name: String) -> Result<Expr, FormulaError> {
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.ternary()?);
                if self.eat(")") {
                    break;
                }
                self.expect(",")?;
            }
        }
        Ok(Expr::Call(name, args))
    }
}

/// Maps an operator text onto the static operator table (tokens hold `&'static str`).
fn leak(op: &str) -> &'static str {
    OPERATORS
        .iter()
        .chain(["!"].iter())
        .find(|o| **o == op)
        .copied()
        .unwrap_or("?")
}

fn eval(expr: &Expr, vars: &BTreeMap<String, Value>) -> Result<Value, FormulaError> {
    match expr {
        Expr::Number(n) => Ok(Value::Number(*n)),
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

fn number(value: Value, op: &str) -> Result<f64, FormulaError> {
    match value {
        Value::Number(n) => Ok(n),
        other => Err(type_error(op, other)),
    }
}

fn boolean(value: Value, op: &str) -> Result<bool, FormulaError> {
    match value {
        Value::Bool(b) => Ok(b),
        other => Err(type_error(op, other)),
    }
}

fn unary(op: &str, value: Value) -> Result<Value, FormulaError> {
    match op {
        "!" => boolean(value, op).map(|b| Value::Bool(!b)),
        "-" => number(value, op).map(|n| Value::Number(-n)),
        _ => number(value, op).map(Value::Number),
    }
}

fn binary(op: &str, left: Value, right: Value) -> Result<Value, FormulaError> {
    if matches!(op, "==" | "!=") {
        let equal = left == right;
        return Ok(Value::Bool(if op == "==" { equal } else { !equal }));
    }
    let (a, b) = (number(left, op)?, number(right, op)?);
    Ok(match op {
        "+" => Value::Number(a + b),
        "-" => Value::Number(a - b),
        "*" => Value::Number(a * b),
        "/" => Value::Number(a / b),
        "%" => Value::Number(a % b),
        "**" => Value::Number(a.powf(b)),
        "<" => Value::Bool(a < b),
        ">" => Value::Bool(a > b),
        "<=" => Value::Bool(a <= b),
        _ => Value::Bool(a >= b),
    })
}

fn call(name: &str, args: &[Value]) -> Result<Value, FormulaError> {
    let numbers = || {
        args.iter()
            .map(|v| number(*v, name))
            .collect::<Result<Vec<_>, _>>()
    };
    let one = || -> Result<f64, FormulaError> {
        match numbers()?.as_slice() {
            [n] => Ok(*n),
            _ => Err(FormulaError::Type(format!("{name}() takes one argument"))),
        }
    };
    let result = match name {
        "min" | "max" => {
            let values = numbers()?;
            let pick = |a: f64, b: f64| if name == "min" { a.min(b) } else { a.max(b) };
            values
                .iter()
                .copied()
                .reduce(pick)
                .ok_or_else(|| FormulaError::Type(format!("{name}() needs arguments")))?
        }
        "abs" => one()?.abs(),
        "ceil" => one()?.ceil(),
        "floor" => one()?.floor(),
        "round" => one()?.round(),
        "float" => one()?,
        "int" => one()?.trunc(),
        _ => return Err(FormulaError::UnknownFunction(name.to_string())),
    };
    Ok(Value::Number(result))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn evaluates_the_documented_subset() {
        let v = vars(&[
            ("queue", Value::Number(30.0)),
            ("kv", Value::Number(0.8)),
            ("down", Value::Nil),
        ]);
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
            ("queue % 7", 2.0),
            ("-queue + 40", 10.0),
            ("2 ** 3 ** 2", 512.0),
            ("float(queue) / 4", 7.5),
            ("ceil(kv) + floor(2.5) + round(2.5)", 6.0),
        ];
        for (formula, expected) in cases {
            assert_eq!(evaluate(formula, &v), Ok(expected), "{formula}");
        }
    }

    #[test]
    fn reports_bad_formulas() {
        let v = vars(&[("queue", Value::Number(1.0)), ("down", Value::Nil)]);
        assert_eq!(
            evaluate("queue + other", &v),
            Err(FormulaError::UnknownName("other".into()))
        );
        assert_eq!(
            evaluate("queue > 1", &v),
            Err(FormulaError::NotANumber("a boolean"))
        );
        assert_eq!(evaluate("down", &v), Err(FormulaError::NotANumber("nil")));
        assert!(matches!(
            evaluate("queue +", &v),
            Err(FormulaError::Syntax { .. })
        ));
        assert!(matches!(
            evaluate("(queue", &v),
            Err(FormulaError::Syntax { .. })
        ));
        assert!(matches!(
            evaluate("queue $ 2", &v),
            Err(FormulaError::Syntax { .. })
        ));
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
