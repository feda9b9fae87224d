//! Python text forms of values: `repr()` of floats and strings, `str()` of any
//! value, `format(x, 'g')`, and Python's `int()` / `float()` string parsing
//! rules (used for type inference in tables and for column paths).

use serde_json::{Map, Value};

/// Decimal digits and exponent of the shortest round-trip form of a finite,
/// non-zero `v`: `v = 0.d1d2d3... * 10^(exp + 1)`, i.e. `d1.d2d3... * 10^exp`.
fn shortest_digits(v: f64) -> (bool, String, i32) {
    split_exp_form(&format!("{:e}", v))
}

/// Splits Rust `{:e}` text such as `-1.2345e-5` into (negative, "12345", -5).
fn split_exp_form(text: &str) -> (bool, String, i32) {
    let (neg, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mant, exp) = rest.split_once('e').unwrap_or((rest, "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    (neg, digits, exp)
}

/// Python exponent suffix: `e+16`, `e-05`.
fn exp_suffix(exp: i32) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("e{}{:02}", sign, exp.unsigned_abs())
}

/// Python `repr(float)`: shortest round-trip digits, positional when the
/// decimal exponent is in `-4..16`, otherwise `1e+16` / `1.5e-05` style.
pub fn float_repr(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let (neg, digits, exp) = shortest_digits(v);
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        positional(&mut out, &digits, exp, true);
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str(&exp_suffix(exp));
    }
    out
}

/// Writes `d1.d2... * 10^exp` positionally; `keep_point` adds `.0` to whole
/// numbers (repr style) instead of dropping the point (`g` style).
fn positional(out: &mut String, digits: &str, exp: i32, keep_point: bool) {
    let n = digits.len() as i32;
    if exp >= 0 {
        let int_len = exp + 1;
        if n <= int_len {
            out.push_str(digits);
            for _ in 0..(int_len - n) {
                out.push('0');
            }
            if keep_point {
                out.push_str(".0");
            }
        } else {
            out.push_str(&digits[..int_len as usize]);
            out.push('.');
            out.push_str(&digits[int_len as usize..]);
        }
    } else {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
    }
}

/// Python `format(v, 'g')`: 6 significant digits, trailing zeros removed,
/// exponent form when the rounded exponent is below -4 or at least 6.
pub fn float_g(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (neg, digits, exp) = split_exp_form(&format!("{:.5e}", v));
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if (-4..6).contains(&exp) {
        positional(&mut out, digits, exp, false);
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str(&exp_suffix(exp));
    }
    out
}

/// Python `str.isspace()` for one character (Rust's `char::is_whitespace`
/// plus the four information separators U+001C..U+001F).
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python `str.strip()`.
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Python `str.isprintable()` for one character. Control, format, separator
/// (other than the ASCII space), private-use, surrogate and non-character
/// code points are non-printable.
pub fn is_py_printable(c: char) -> bool {
    let u = c as u32;
    if c == ' ' {
        return true;
    }
    if u < 0x20 || (0x7f..=0xa0).contains(&u) {
        return false;
    }
    if matches!(
        u,
        0xad | 0x600..=0x605
            | 0x61c
            | 0x6dd
            | 0x70f
            | 0x890..=0x891
            | 0x8e2
            | 0x1680
            | 0x180e
            | 0x2000..=0x200f
            | 0x2028..=0x202f
            | 0x205f..=0x2064
            | 0x2066..=0x206f
            | 0x3000
            | 0xd800..=0xf8ff
            | 0xfdd0..=0xfdef
            | 0xfeff
            | 0xfff9..=0xfffb
            | 0x110bd
            | 0x110cd
            | 0x13430..=0x1343f
            | 0x1bca0..=0x1bca3
            | 0x1d173..=0x1d17a
            | 0xe0001
            | 0xe0020..=0xe007f
            | 0xf0000..=0x10ffff
    ) {
        return false;
    }
    // U+xxFFFE and U+xxFFFF are non-characters in every plane.
    (u & 0xfffe) != 0xfffe
}

/// Python `repr(str)`: single quotes unless the text holds `'` and no `"`;
/// backslash escapes for the quote, `\\`, `\t`, `\n`, `\r` and non-printables.
pub fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_py_printable(c) => out.push(c),
            c => {
                let u = c as u32;
                if u < 0x100 {
                    out.push_str(&format!("\\x{u:02x}"));
                } else if u < 0x10000 {
                    out.push_str(&format!("\\u{u:04x}"));
                } else {
                    out.push_str(&format!("\\U{u:08x}"));
                }
            }
        }
    }
    out.push(quote);
    out
}

/// Python `repr()` of a value held as a Python object (dict, list, str,
/// float, int, bool, None).
pub fn py_repr(v: &Value) -> String {
    let mut out = String::new();
    write_repr(&mut out, v);
    out
}

fn write_repr(out: &mut String, v: &Value) {
    match v {
        Value::String(s) => out.push_str(&repr_str(s)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => write_dict(out, map),
        other => out.push_str(&scalar_str(other)),
    }
}

fn write_dict(out: &mut String, map: &Map<String, Value>) {
    out.push('{');
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&repr_str(k));
        out.push_str(": ");
        write_repr(out, v);
    }
    out.push('}');
}

/// `str()` of a non-container value.
fn scalar_str(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => number_str(n),
        Value::String(s) => s.clone(),
        Value::Array(_) | Value::Object(_) => py_repr(v),
    }
}

/// Python text of a JSON number: ints plain, floats in `repr()` form.
pub fn number_str(n: &serde_json::Number) -> String {
    if n.is_f64() {
        float_repr(n.as_f64().unwrap_or(f64::NAN))
    } else {
        n.to_string()
    }
}

/// Python `str()` of the value: strings raw, floats `repr`, `True`/`False`,
/// `None`, dicts and lists as Python `repr`.
pub fn py_str(v: &Value) -> String {
    scalar_str(v)
}

/// Python's type name of a JSON value (`NoneType`, `bool`, `int`, `float`,
/// `str`, `list`, `dict`), for error messages.
pub fn py_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Python truthiness of a value.
pub fn py_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

/// Removes the underscores of a digit run that Python accepts: single
/// underscores strictly between digits. `None` when the run is invalid or empty.
fn strip_digit_underscores(s: &str, radix: u32) -> Option<String> {
    if s.is_empty() || s.starts_with('_') || s.ends_with('_') || s.contains("__") {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '_' {
            continue;
        }
        if !c.is_digit(radix) {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

/// Python `int(s)` for a string in base 10: surrounding whitespace, an
/// optional sign and digits with single underscores between them.
/// Values beyond `i128` count as valid but saturate.
pub fn parse_py_int(s: &str) -> Option<i128> {
    let t = py_strip(s);
    if !t.contains('_')
        && let Ok(v) = t.parse::<i128>()
    {
        return Some(v);
    }
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits = strip_digit_underscores(body, 10)?;
    // Only overflow can fail here: the digits were checked above.
    let value = digits.parse::<i128>().unwrap_or(i128::MAX);
    Some(if neg { value.saturating_neg() } else { value })
}

/// Python `float(s)`: whitespace, sign, `inf`/`infinity`/`nan` in any case,
/// or decimal digits (underscores between digits) with an optional point and
/// exponent.
pub fn parse_py_float(s: &str) -> Option<f64> {
    let t = py_strip(s);
    // Without underscores Rust's grammar is Python's (sign, digits with an
    // optional point and exponent, `inf` / `infinity` / `nan` in any case).
    if !t.contains('_') {
        return t.parse::<f64>().ok();
    }
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let lower = body.to_ascii_lowercase();
    let magnitude = if lower == "inf" || lower == "infinity" {
        f64::INFINITY
    } else if lower == "nan" {
        f64::NAN
    } else {
        let (mant, exp) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let (int_part, frac_part) = match mant.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (mant, None),
        };
        let int_digits = if int_part.is_empty() {
            String::new()
        } else {
            strip_digit_underscores(int_part, 10)?
        };
        let frac_digits = match frac_part {
            Some("") | None => String::new(),
            Some(f) => strip_digit_underscores(f, 10)?,
        };
        if int_digits.is_empty() && frac_digits.is_empty() {
            return None;
        }
        let mut text = format!("{int_digits}.{frac_digits}");
        if text == "." {
            return None;
        }
        if text.starts_with('.') {
            text.insert(0, '0');
        }
        if let Some(e) = exp {
            let (eneg, edigits) = match e.as_bytes().first() {
                Some(b'-') => (true, &e[1..]),
                Some(b'+') => (false, &e[1..]),
                _ => (false, e),
            };
            let edigits = strip_digit_underscores(edigits, 10)?;
            text.push('e');
            if eneg {
                text.push('-');
            }
            text.push_str(&edigits);
        }
        text.parse::<f64>().ok()?
    };
    Some(if neg { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn float_repr_matches_python() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1.0"),
            (2.5, "2.5"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1e-5, "1e-05"),
            (1.2345e-5, "1.2345e-05"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1234567890123.0, "1234567890123.0"),
            (1.5e300, "1.5e+300"),
            (0.0001, "0.0001"),
            (0.1, "0.1"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (-2.09683, "-2.09683"),
            (89860690.0, "89860690.0"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ];
        for (v, want) in cases {
            assert_eq!(float_repr(*v), *want, "repr({v})");
        }
    }

    #[test]
    fn float_g_matches_python() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1"),
            (1.5, "1.5"),
            (1234567890123.0, "1.23457e+12"),
            (1.2345e-5, "1.2345e-05"),
            (1e16, "1e+16"),
            (0.0001, "0.0001"),
            (0.000123456789, "0.000123457"),
            (123456.0, "123456"),
            (1234565.0, "1.23456e+06"),
            (999999.5, "1e+06"),
            (123456789.0, "1.23457e+08"),
            (0.1, "0.1"),
            (-2.25, "-2.25"),
            (100.0, "100"),
            (0.0, "0"),
            (-0.0, "-0"),
            (5e-324, "4.94066e-324"),
            (f64::INFINITY, "inf"),
            (f64::NAN, "nan"),
        ];
        for (v, want) in cases {
            assert_eq!(float_g(*v), *want, "format({v}, 'g')");
        }
    }

    #[test]
    fn str_of_values() {
        assert_eq!(py_str(&json!("abc")), "abc");
        assert_eq!(py_str(&json!(1.0)), "1.0");
        assert_eq!(py_str(&json!(3)), "3");
        assert_eq!(py_str(&json!(true)), "True");
        assert_eq!(py_str(&json!(false)), "False");
        assert_eq!(py_str(&Value::Null), "None");
        assert_eq!(py_str(&json!({"a": {"b": "deep"}})), "{'a': {'b': 'deep'}}");
        assert_eq!(
            py_str(&json!([1.0, "two", null, true])),
            "[1.0, 'two', None, True]"
        );
        assert_eq!(py_str(&json!([])), "[]");
        assert_eq!(py_str(&json!({})), "{}");
        assert_eq!(py_str(&json!({"k": [1e16, -0.0]})), "{'k': [1e+16, -0.0]}");
    }

    #[test]
    fn repr_quoting_rules() {
        assert_eq!(repr_str("it's"), "\"it's\"");
        assert_eq!(repr_str("say \"hi\""), "'say \"hi\"'");
        assert_eq!(repr_str("both ' and \""), "'both \\' and \"'");
        assert_eq!(repr_str("a\\b"), "'a\\\\b'");
        assert_eq!(repr_str("t\tn\nr\r"), "'t\\tn\\nr\\r'");
        assert_eq!(repr_str("\u{0}\u{1b}\u{7f}"), "'\\x00\\x1b\\x7f'");
        assert_eq!(repr_str("\u{85}\u{a0}"), "'\\x85\\xa0'");
        assert_eq!(repr_str("\u{2028}\u{feff}"), "'\\u2028\\ufeff'");
        assert_eq!(repr_str("한글 😀 é"), "'한글 😀 é'");
        assert_eq!(repr_str("\u{e000}"), "'\\ue000'");
        assert_eq!(repr_str("\u{10ffff}"), "'\\U0010ffff'");
    }

    #[test]
    fn python_int_parsing() {
        assert_eq!(parse_py_int("007"), Some(7));
        assert_eq!(parse_py_int(" 12 "), Some(12));
        assert_eq!(parse_py_int("-3"), Some(-3));
        assert_eq!(parse_py_int("+3"), Some(3));
        assert_eq!(parse_py_int("1_000"), Some(1000));
        assert_eq!(parse_py_int("1__0"), None);
        assert_eq!(parse_py_int("_1"), None);
        assert_eq!(parse_py_int("1_"), None);
        assert_eq!(parse_py_int("1.0"), None);
        assert_eq!(parse_py_int(""), None);
        assert_eq!(parse_py_int("-"), None);
        assert_eq!(parse_py_int("0x10"), None);
        assert_eq!(parse_py_int("1\n"), Some(1));
    }

    #[test]
    fn python_float_parsing() {
        assert_eq!(parse_py_float("1.50"), Some(1.5));
        assert_eq!(parse_py_float("1e5"), Some(1e5));
        assert_eq!(parse_py_float(".5"), Some(0.5));
        assert_eq!(parse_py_float("5."), Some(5.0));
        assert_eq!(parse_py_float(" -2.5e-3 "), Some(-2.5e-3));
        assert_eq!(parse_py_float("1_0.5"), Some(10.5));
        assert_eq!(parse_py_float("Infinity"), Some(f64::INFINITY));
        assert_eq!(parse_py_float("-inf"), Some(f64::NEG_INFINITY));
        assert!(parse_py_float("nan").is_some_and(f64::is_nan));
        assert_eq!(parse_py_float("."), None);
        assert_eq!(parse_py_float("e5"), None);
        assert_eq!(parse_py_float("1e"), None);
        assert_eq!(parse_py_float("1,000"), None);
        assert_eq!(parse_py_float("abc"), None);
        assert_eq!(parse_py_float(""), None);
    }

    #[test]
    fn truthiness() {
        assert!(!py_truthy(&json!(0.0)));
        assert!(!py_truthy(&json!("")));
        assert!(!py_truthy(&json!([])));
        assert!(py_truthy(&json!("0")));
        assert!(py_truthy(&json!(2)));
    }
}
