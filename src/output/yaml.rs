//! PyYAML-compatible emitter: the text of `yaml.dump(data, allow_unicode=True)`
//! for `serde_json::Value` (block style, sorted keys, YAML 1.1 quoting rules,
//! 80-column folding).

use super::pyrepr::float_repr;
use serde_json::Value;

/// Preferred line width before plain and quoted scalars are folded.
const BEST_WIDTH: usize = 80;
/// Indentation step.
const BEST_INDENT: usize = 2;
/// Length of the `!!str` tag that PyYAML counts against the simple-key limit.
const STR_TAG_LEN: usize = 5;
/// A mapping key (plus its tag) must be shorter than this to be a simple key.
const MAX_SIMPLE_KEY: usize = 128;

/// `yaml.dump(v, allow_unicode=True)`.
pub fn dump(v: &Value) -> String {
    let mut e = Emitter::new();
    e.node(v, Ctx::ROOT);
    e.write_indent();
    if e.open_ended {
        e.write_indicator("...", true, false, false);
        e.write_indent();
    }
    e.out
}

/// One printed YAML document: `"---\n" + dump(v) + "\n"`; an empty object
/// prints an empty line.
pub fn document(v: &Value) -> String {
    if v.as_object().is_some_and(|m| m.is_empty()) {
        return "\n".into();
    }
    let body = dump(v);
    let mut out = String::with_capacity(body.len() + 5);
    out.push_str("---\n");
    out.push_str(&body);
    out.push('\n');
    out
}

/// The text PyYAML writes for a non-string scalar and whether it is a string.
fn scalar_text(v: &Value) -> (String, bool) {
    match v {
        Value::Null => ("null".into(), false),
        Value::Bool(true) => ("true".into(), false),
        Value::Bool(false) => ("false".into(), false),
        Value::Number(n) => {
            if n.is_f64() {
                (yaml_float(n.as_f64().unwrap_or(f64::NAN)), false)
            } else {
                (n.to_string(), false)
            }
        }
        Value::String(s) => (s.clone(), true),
        Value::Array(_) | Value::Object(_) => (String::new(), true),
    }
}

/// PyYAML's float text: `repr()` lower-cased with `.0` inserted before a bare
/// exponent (`1.0e+16`), and `.inf` / `-.inf` / `.nan`.
pub fn yaml_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    let r = float_repr(f).to_ascii_lowercase();
    if !r.contains('.') && r.contains('e') {
        r.replacen('e', ".0e", 1)
    } else {
        r
    }
}

// ---------------------------------------------------------------------------
// YAML 1.1 implicit resolvers (which plain scalars read back as non-strings).
// ---------------------------------------------------------------------------

/// True when a plain scalar with this text would be read back as something
/// other than a string (bool, int, float, null, timestamp, merge or value).
pub fn resolves_implicitly(s: &str) -> bool {
    // The resolver patterns end in `$`, which also matches before one final
    // newline.
    matches_any(s) || s.strip_suffix('\n').is_some_and(matches_any)
}

fn matches_any(s: &str) -> bool {
    crate::request::yaml11::resolve(s) != "str"
}

// ---------------------------------------------------------------------------
// Scalar analysis (which styles a scalar allows).
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Analysis {
    empty: bool,
    multiline: bool,
    allow_flow_plain: bool,
    allow_block_plain: bool,
    allow_single_quoted: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank_or_break(c: char) -> bool {
    matches!(
        c,
        '\0' | ' ' | '\t' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Characters that may appear unescaped with `allow_unicode`.
fn is_unicode_printable(c: char) -> bool {
    let u = c as u32;
    (u == 0x85
        || (0xa0..=0xd7ff).contains(&u)
        || (0xe000..=0xfffd).contains(&u)
        || (0x10000..0x10ffff).contains(&u))
        && u != 0xfeff
}

fn analyze(text: &[char]) -> Analysis {
    if text.is_empty() {
        return Analysis {
            empty: true,
            multiline: false,
            allow_flow_plain: false,
            allow_block_plain: true,
            allow_single_quoted: true,
        };
    }
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;

    let prefix: String = text.iter().take(3).collect();
    if prefix == "---" || prefix == "..." {
        block_indicators = true;
        flow_indicators = true;
    }

    let mut preceded_by_whitespace = true;
    let mut followed_by_whitespace = text.len() == 1 || is_blank_or_break(text[1]);
    let mut previous_space = false;
    let mut previous_break = false;

    let n = text.len();
    for (index, &ch) in text.iter().enumerate() {
        if index == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(ch) {
                flow_indicators = true;
                block_indicators = true;
            }
            if ch == '?' || ch == ':' {
                flow_indicators = true;
                if followed_by_whitespace {
                    block_indicators = true;
                }
            }
            if ch == '-' && followed_by_whitespace {
                flow_indicators = true;
                block_indicators = true;
            }
        } else {
            if ",?[]{}".contains(ch) {
                flow_indicators = true;
            }
            if ch == ':' {
                flow_indicators = true;
                if followed_by_whitespace {
                    block_indicators = true;
                }
            }
            if ch == '#' && preceded_by_whitespace {
                flow_indicators = true;
                block_indicators = true;
            }
        }

        if is_break(ch) {
            line_breaks = true;
        }
        if !(ch == '\n' || (' '..='~').contains(&ch) || is_unicode_printable(ch)) {
            special_characters = true;
        }

        if ch == ' ' {
            if index == 0 {
                leading_space = true;
            }
            if index == n - 1 {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(ch) {
            if index == 0 {
                leading_break = true;
            }
            if index == n - 1 {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }

        preceded_by_whitespace = is_blank_or_break(ch);
        followed_by_whitespace = index + 2 >= n || is_blank_or_break(text[index + 2]);
    }

    let mut allow_flow_plain = true;
    let mut allow_block_plain = true;
    let mut allow_single_quoted = true;

    if leading_space || leading_break || trailing_space || trailing_break {
        allow_flow_plain = false;
        allow_block_plain = false;
    }
    if break_space {
        allow_flow_plain = false;
        allow_block_plain = false;
        allow_single_quoted = false;
    }
    if space_break || special_characters {
        allow_flow_plain = false;
        allow_block_plain = false;
        allow_single_quoted = false;
    }
    if line_breaks {
        allow_flow_plain = false;
        allow_block_plain = false;
    }
    if flow_indicators {
        allow_flow_plain = false;
    }
    if block_indicators {
        allow_block_plain = false;
    }

    Analysis {
        empty: false,
        multiline: line_breaks,
        allow_flow_plain,
        allow_block_plain,
        allow_single_quoted,
    }
}

// ---------------------------------------------------------------------------
// The emitter.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Default)]
struct Ctx {
    root: bool,
    mapping: bool,
    simple_key: bool,
}

impl Ctx {
    const ROOT: Ctx = Ctx {
        root: true,
        mapping: false,
        simple_key: false,
    };
    const SEQUENCE: Ctx = Ctx {
        root: false,
        mapping: false,
        simple_key: false,
    };
    const MAPPING: Ctx = Ctx {
        root: false,
        mapping: true,
        simple_key: false,
    };
    const KEY: Ctx = Ctx {
        root: false,
        mapping: true,
        simple_key: true,
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
}

struct Emitter {
    out: String,
    indent: Option<usize>,
    indents: Vec<Option<usize>>,
    flow_level: usize,
    column: usize,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
}

impl Emitter {
    fn new() -> Self {
        Emitter {
            out: String::new(),
            indent: None,
            indents: Vec::new(),
            flow_level: 0,
            column: 0,
            whitespace: true,
            indention: true,
            open_ended: false,
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        match self.indent {
            None => self.indent = Some(if flow { BEST_INDENT } else { 0 }),
            Some(i) if !indentless => self.indent = Some(i + BEST_INDENT),
            Some(_) => {}
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().flatten();
    }

    fn node(&mut self, v: &Value, ctx: Ctx) {
        match v {
            Value::Object(map) => {
                if map.is_empty() || self.flow_level > 0 {
                    self.flow_empty("{", "}");
                } else {
                    self.block_mapping(map);
                }
            }
            Value::Array(items) => {
                if items.is_empty() || self.flow_level > 0 {
                    self.flow_empty("[", "]");
                } else {
                    self.block_sequence(items, ctx.mapping);
                }
            }
            other => {
                let (text, is_str) = scalar_text(other);
                let implicit_plain = !is_str || !resolves_implicitly(&text);
                self.scalar(&text, implicit_plain, ctx);
            }
        }
    }

    fn flow_empty(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.flow_level += 1;
        self.increase_indent(true, false);
        self.pop_indent();
        self.flow_level -= 1;
        self.write_indicator(close, false, false, false);
    }

    fn block_sequence(&mut self, items: &[Value], mapping_context: bool) {
        let indentless = mapping_context && !self.indention;
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Ctx::SEQUENCE);
        }
        self.pop_indent();
    }

    fn block_mapping(&mut self, map: &serde_json::Map<String, Value>) {
        self.increase_indent(false, false);
        let mut entries: Vec<(&String, &Value)> = map.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        for (key, value) in entries {
            self.write_indent();
            let key_chars: Vec<char> = key.chars().collect();
            let analysis = analyze(&key_chars);
            let simple = key_chars.len() + STR_TAG_LEN < MAX_SIMPLE_KEY
                && !analysis.empty
                && !analysis.multiline;
            let implicit_plain = !resolves_implicitly(key);
            if simple {
                self.scalar_chars(&key_chars, analysis, implicit_plain, Ctx::KEY);
                self.write_indicator(":", false, false, false);
                self.node(value, Ctx::MAPPING);
            } else {
                self.write_indicator("?", true, false, true);
                self.scalar_chars(&key_chars, analysis, implicit_plain, Ctx::MAPPING);
                self.write_indent();
                self.write_indicator(":", true, false, true);
                self.node(value, Ctx::MAPPING);
            }
        }
        self.pop_indent();
    }

    fn scalar(&mut self, text: &str, implicit_plain: bool, ctx: Ctx) {
        let chars: Vec<char> = text.chars().collect();
        let analysis = analyze(&chars);
        self.scalar_chars(&chars, analysis, implicit_plain, ctx);
    }

    fn choose_style(&self, a: Analysis, implicit_plain: bool, ctx: Ctx) -> Style {
        if implicit_plain
            && !(ctx.simple_key && (a.empty || a.multiline))
            && ((self.flow_level > 0 && a.allow_flow_plain)
                || (self.flow_level == 0 && a.allow_block_plain))
        {
            return Style::Plain;
        }
        if a.allow_single_quoted && !(ctx.simple_key && a.multiline) {
            return Style::Single;
        }
        Style::Double
    }

    fn scalar_chars(&mut self, text: &[char], a: Analysis, implicit_plain: bool, ctx: Ctx) {
        self.increase_indent(true, false);
        let style = self.choose_style(a, implicit_plain, ctx);
        let split = !ctx.simple_key;
        match style {
            Style::Plain => self.write_plain(text, split, ctx.root),
            Style::Single => self.write_single_quoted(text, split),
            Style::Double => self.write_double_quoted(text, split),
        }
        self.pop_indent();
    }

    // -- low-level writers --------------------------------------------------

    fn push_chars(&mut self, chars: &[char]) {
        self.column += chars.len();
        self.out.extend(chars.iter());
    }

    fn push_str_counted(&mut self, s: &str) {
        self.column += s.chars().count();
        self.out.push_str(s);
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        whitespace: bool,
        indention: bool,
    ) {
        if !self.whitespace && need_whitespace {
            self.out.push(' ');
            self.column += 1;
        }
        self.whitespace = whitespace;
        self.indention = self.indention && indention;
        self.open_ended = false;
        self.push_str_counted(indicator);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.write_line_break(None);
        }
        if self.column < indent {
            self.whitespace = true;
            for _ in self.column..indent {
                self.out.push(' ');
            }
            self.column = indent;
        }
    }

    fn write_line_break(&mut self, br: Option<char>) {
        self.whitespace = true;
        self.indention = true;
        self.column = 0;
        self.out.push(br.unwrap_or('\n'));
    }

    /// Writes a run of line breaks: an extra break before a leading `\n`,
    /// then each break as itself.
    fn write_breaks(&mut self, breaks: &[char]) {
        if breaks.first() == Some(&'\n') {
            self.write_line_break(None);
        }
        for &br in breaks {
            if br == '\n' {
                self.write_line_break(None);
            } else {
                self.write_line_break(Some(br));
            }
        }
    }

    fn write_plain(&mut self, text: &[char], split: bool, root: bool) {
        if root {
            self.open_ended = true;
        }
        if text.is_empty() {
            return;
        }
        if !self.whitespace {
            self.out.push(' ');
            self.column += 1;
        }
        self.whitespace = false;
        self.indention = false;
        let mut spaces = false;
        let mut breaks = false;
        let (mut start, mut end) = (0usize, 0usize);
        while end <= text.len() {
            let ch = text.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > BEST_WIDTH && split {
                        self.write_indent();
                        self.whitespace = false;
                        self.indention = false;
                    } else {
                        self.push_chars(&text[start..end]);
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    self.write_breaks(&text[start..end]);
                    self.write_indent();
                    self.whitespace = false;
                    self.indention = false;
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c)) {
                self.push_chars(&text[start..end]);
                start = end;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
    }

    fn write_single_quoted(&mut self, text: &[char], split: bool) {
        self.write_indicator("'", true, false, false);
        let mut spaces = false;
        let mut breaks = false;
        let (mut start, mut end) = (0usize, 0usize);
        while end <= text.len() {
            let ch = text.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end
                        && self.column > BEST_WIDTH
                        && split
                        && start != 0
                        && end != text.len()
                    {
                        self.write_indent();
                    } else {
                        self.push_chars(&text[start..end]);
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    self.write_breaks(&text[start..end]);
                    self.write_indent();
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || c == '\'' || is_break(c)) && start < end {
                self.push_chars(&text[start..end]);
                start = end;
            }
            if ch == Some('\'') {
                self.push_str_counted("''");
                start = end + 1;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
        self.write_indicator("'", false, false, false);
    }

    fn write_double_quoted(&mut self, text: &[char], split: bool) {
        self.write_indicator("\"", true, false, false);
        let (mut start, mut end) = (0usize, 0usize);
        while end <= text.len() {
            let ch = text.get(end).copied();
            let needs_escape = match ch {
                None => true,
                Some(c) => {
                    matches!(
                        c,
                        '"' | '\\' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'
                    ) || !((' '..='~').contains(&c)
                        || ('\u{a0}'..='\u{d7ff}').contains(&c)
                        || ('\u{e000}'..='\u{fffd}').contains(&c))
                }
            };
            if needs_escape {
                if start < end {
                    self.push_chars(&text[start..end]);
                    start = end;
                }
                if let Some(c) = ch {
                    let escaped = escape_double(c);
                    self.push_str_counted(&escaped);
                    start = end + 1;
                }
            }
            if 0 < end
                && end + 1 < text.len()
                && (ch == Some(' ') || start >= end)
                && self.column as isize + end as isize - start as isize > BEST_WIDTH as isize
                && split
            {
                let mut data: String = text[start.min(end)..end].iter().collect();
                data.push('\\');
                if start < end {
                    start = end;
                }
                self.push_str_counted(&data);
                self.write_indent();
                self.whitespace = false;
                self.indention = false;
                if text.get(start) == Some(&' ') {
                    self.push_str_counted("\\");
                }
            }
            end += 1;
        }
        self.write_indicator("\"", false, false, false);
    }
}

fn escape_double(c: char) -> String {
    let named = match c {
        '\0' => Some('0'),
        '\u{7}' => Some('a'),
        '\u{8}' => Some('b'),
        '\t' => Some('t'),
        '\n' => Some('n'),
        '\u{b}' => Some('v'),
        '\u{c}' => Some('f'),
        '\r' => Some('r'),
        '\u{1b}' => Some('e'),
        '"' => Some('"'),
        '\\' => Some('\\'),
        '\u{85}' => Some('N'),
        '\u{a0}' => Some('_'),
        '\u{2028}' => Some('L'),
        '\u{2029}' => Some('P'),
        _ => None,
    };
    if let Some(n) = named {
        return format!("\\{n}");
    }
    let u = c as u32;
    if u <= 0xff {
        format!("\\x{u:02X}")
    } else if u <= 0xffff {
        format!("\\u{u:04X}")
    } else {
        format!("\\U{u:08X}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Expected texts below are PyYAML 6.0.3 `yaml.dump(..., allow_unicode=True)` output.
    const SCALARS: &[(&str, &str)] = &[
        ("", "k: ''\n"),
        (" ", "k: ' '\n"),
        (" x", "k: ' x'\n"),
        ("x ", "k: 'x '\n"),
        ("a b", "k: a b\n"),
        ("a: b", "k: 'a: b'\n"),
        ("a:b", "k: a:b\n"),
        ("a:", "k: 'a:'\n"),
        (":a", "k: :a\n"),
        ("#x", "k: '#x'\n"),
        ("a #b", "k: 'a #b'\n"),
        ("a#b", "k: a#b\n"),
        ("- x", "k: '- x'\n"),
        ("-x", "k: -x\n"),
        ("? x", "k: '? x'\n"),
        ("?x", "k: ?x\n"),
        ("---", "k: '---'\n"),
        ("--- x", "k: '--- x'\n"),
        ("...x", "k: '...x'\n"),
        ("'quoted'", "k: '''quoted'''\n"),
        ("\"dq\"", "k: '\"dq\"'\n"),
        ("it's", "k: it's\n"),
        ("say \"hi\"", "k: say \"hi\"\n"),
        ("a, b", "k: a, b\n"),
        ("[x]", "k: '[x]'\n"),
        ("{x}", "k: '{x}'\n"),
        ("&a", "k: '&a'\n"),
        ("*a", "k: '*a'\n"),
        ("!a", "k: '!a'\n"),
        ("|a", "k: '|a'\n"),
        (">a", "k: '>a'\n"),
        ("%a", "k: '%a'\n"),
        ("@a", "k: '@a'\n"),
        ("`a", "k: '`a'\n"),
        ("한글", "k: 한글\n"),
        ("Microsoft Azure — 한글", "k: Microsoft Azure — 한글\n"),
        ("emoji 😀", "k: emoji 😀\n"),
        ("é", "k: é\n"),
        ("\t", "k: \"\\t\"\n"),
        ("a\tb", "k: \"a\\tb\"\n"),
        ("a\nb", "k: 'a\n\n  b'\n"),
        ("a\n", "k: 'a\n\n  '\n"),
        ("\na", "k: '\n\n  a'\n"),
        ("a\n\nb", "k: 'a\n\n\n  b'\n"),
        ("a \nb", "k: \"a \\nb\"\n"),
        ("a\n b", "k: \"a\\n b\"\n"),
        ("x\u{85}y", "k: 'x\u{85}  y'\n"),
        ("a\u{2028}b", "k: 'a\u{2028}  b'\n"),
        ("\u{feff}", "k: \"\\uFEFF\"\n"),
        ("a\u{feff}b", "k: \"a\\uFEFFb\"\n"),
        ("\u{0}", "k: \"\\0\"\n"),
        (
            "\u{7}\u{8}\u{b}\u{c}\r\u{1b}",
            "k: \"\\a\\b\\v\\f\\r\\e\"\n",
        ),
        ("\u{7f}", "k: \"\\x7F\"\n"),
        ("\u{a0}x", "k: \u{a0}x\n"),
        ("\u{e000}", "k: \u{e000}\n"),
        ("😀\u{1}", "k: \"\\U0001F600\\x01\"\n"),
        ("yes", "k: 'yes'\n"),
        ("Yes", "k: 'Yes'\n"),
        ("NO", "k: 'NO'\n"),
        ("y", "k: y\n"),
        ("n", "k: n\n"),
        ("on", "k: 'on'\n"),
        ("OFF", "k: 'OFF'\n"),
        ("true", "k: 'true'\n"),
        ("False", "k: 'False'\n"),
        ("null", "k: 'null'\n"),
        ("Null", "k: 'Null'\n"),
        ("~", "k: '~'\n"),
        ("none", "k: none\n"),
        ("0", "k: '0'\n"),
        ("007", "k: '007'\n"),
        ("08", "k: 08\n"),
        ("0o17", "k: 0o17\n"),
        ("0b101", "k: '0b101'\n"),
        ("0x1F", "k: '0x1F'\n"),
        ("0xGG", "k: 0xGG\n"),
        ("1_000", "k: '1_000'\n"),
        ("+1", "k: '+1'\n"),
        ("-0", "k: '-0'\n"),
        ("1:30", "k: '1:30'\n"),
        ("1:60", "k: 1:60\n"),
        ("190:20:30", "k: '190:20:30'\n"),
        ("1.0", "k: '1.0'\n"),
        ("1.", "k: '1.'\n"),
        (".5", "k: '.5'\n"),
        ("1e3", "k: 1e3\n"),
        ("1.5e3", "k: 1.5e3\n"),
        ("1.5e+3", "k: '1.5e+3'\n"),
        ("1.0e-05", "k: '1.0e-05'\n"),
        ("-.inf", "k: '-.inf'\n"),
        (".inf", "k: '.inf'\n"),
        (".NaN", "k: '.NaN'\n"),
        ("inf", "k: inf\n"),
        ("1_0.5", "k: '1_0.5'\n"),
        ("1:20.5", "k: '1:20.5'\n"),
        ("6.8523015e+5", "k: '6.8523015e+5'\n"),
        ("2024-01-01", "k: '2024-01-01'\n"),
        ("2024-1-1", "k: 2024-1-1\n"),
        (
            "2024-01-02T03:04:05.123Z",
            "k: '2024-01-02T03:04:05.123Z'\n",
        ),
        ("2024-01-02 03:04:05", "k: '2024-01-02 03:04:05'\n"),
        (
            "2024-01-02  03:04:05.5 +09:00",
            "k: '2024-01-02  03:04:05.5 +09:00'\n",
        ),
        ("2024-01-02T03:04:05 Z", "k: '2024-01-02T03:04:05 Z'\n"),
        ("2024-13-45", "k: '2024-13-45'\n"),
        ("20240101", "k: '20240101'\n"),
        ("=", "k: '='\n"),
        ("==", "k: ==\n"),
        ("<<", "k: '<<'\n"),
        ("<<<", "k: <<<\n"),
        (
            "word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word",
            "k: word word word word word word word word word word word word word word word word\n  word word word word word word word word word word word word word word word word\n  word word word word word word word word\n",
        ),
        (
            "abc xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx def",
            "k: abc xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n  def\n",
        ),
        ("line1\nline2", "k: 'line1\n\n  line2'\n"),
        ("multi\n\nline\n", "k: 'multi\n\n\n  line\n\n  '\n"),
        (
            "\"dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq",
            "k: '\"dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq\n  dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq dq'\n",
        ),
        (
            "\u{1}word word word word word word word word word word word word word word word word word word word word ",
            "k: \"\\x01word word word word word word word word word word word word word word word\\\n  \\ word word word word word \"\n",
        ),
        (
            "x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'",
            "k: x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'x'\n",
        ),
    ];
    const ROOTS: &[(&str, &str)] = &[
        ("plain", "plain\n...\n"),
        ("", "''\n"),
        ("yes", "'yes'\n"),
        ("a\nb", "'a\n\n  b'\n"),
        (
            "root root root root root root root root root root root root root root root root root root root root root root root root root root root root root root",
            "root root root root root root root root root root root root root root root root root\n  root root root root root root root root root root root root root\n...\n",
        ),
    ];
    const KEYS: &[(&str, &str)] = &[
        ("1", "'1': v\nz:\n- 1\n"),
        ("", "? ''\n: v\nz:\n- 1\n"),
        ("a\nb", "? 'a\n\n  b'\n: v\nz:\n- 1\n"),
        ("yes", "'yes': v\nz:\n- 1\n"),
        ("a b", "a b: v\nz:\n- 1\n"),
        (
            "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
            "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: v\nz:\n- 1\n",
        ),
        (
            "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
            "? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n: v\nz:\n- 1\n",
        ),
        ("- x", "'- x': v\nz:\n- 1\n"),
        (
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx y y y y y y y y y y",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx y y y y y y y y y y: v\nz:\n- 1\n",
        ),
    ];

    #[test]
    fn scalar_styles_match_pyyaml() {
        for (input, want) in SCALARS {
            assert_eq!(dump(&json!({ "k": input })), *want, "value {input:?}");
        }
    }

    #[test]
    fn root_scalars_match_pyyaml() {
        for (input, want) in ROOTS {
            assert_eq!(dump(&json!(input)), *want, "root {input:?}");
        }
    }

    #[test]
    fn keys_match_pyyaml() {
        for (key, want) in KEYS {
            let mut m = serde_json::Map::new();
            m.insert(key.to_string(), json!("v"));
            m.insert("z".into(), json!([1]));
            assert_eq!(dump(&Value::Object(m)), *want, "key {key:?}");
        }
    }

    #[test]
    fn numbers_and_constants() {
        let v = json!([
            1.0,
            2.5,
            1e16,
            1e-5,
            1.2345e-05,
            -0.0,
            1e20,
            0.0,
            123456789012345680.0,
            5e-324,
            3,
            -7,
            10000000000000000000u64,
            true,
            false,
            null
        ]);
        assert_eq!(
            dump(&v),
            "- 1.0\n- 2.5\n- 1.0e+16\n- 1.0e-05\n- 1.2345e-05\n- -0.0\n- 1.0e+20\n- 0.0\n- 1.2345678901234568e+17\n- 5.0e-324\n- 3\n- -7\n- 10000000000000000000\n- true\n- false\n- null\n"
        );
        assert_eq!(yaml_float(f64::INFINITY), ".inf");
        assert_eq!(yaml_float(f64::NEG_INFINITY), "-.inf");
        assert_eq!(yaml_float(f64::NAN), ".nan");
    }

    #[test]
    fn nesting_and_empty_collections() {
        let v = json!({"a": [[1, [2, {}]], {"b": [], "c": {"d": [{"e": 1, "f": [2]}]}}], "g": [{}], "h": [[]]});
        assert_eq!(
            dump(&v),
            "a:\n- - 1\n  - - 2\n    - {}\n- b: []\n  c:\n    d:\n    - e: 1\n      f:\n      - 2\ng:\n- {}\nh:\n- []\n"
        );
    }

    #[test]
    fn folding_inside_sequences() {
        let item = vec!["item"; 25].join(" ");
        let val = vec!["val"; 25].join(" ");
        let deep = format!("{} {} z", "x".repeat(70), "y".repeat(20));
        let v = json!([item, {"k": val}, [deep]]);
        assert_eq!(
            dump(&v),
            "- item item item item item item item item item item item item item item item item\n  item item item item item item item item item\n- k: val val val val val val val val val val val val val val val val val val val val\n    val val val val val\n- - xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx yyyyyyyyyyyyyyyyyyyy\n    z\n"
        );
    }

    #[test]
    fn keys_sorted_by_code_point() {
        let v = json!({"a_float": 1, "A_upper": 2, "10": 3, "é": 4, "Z": 5});
        assert_eq!(dump(&v), "'10': 3\nA_upper: 2\nZ: 5\na_float: 1\né: 4\n");
    }

    #[test]
    fn documents() {
        assert_eq!(document(&json!({})), "\n");
        assert_eq!(
            document(&json!({"status": "SERVING"})),
            "---\nstatus: SERVING\n\n"
        );
        assert_eq!(document(&Value::Null), "---\nnull\n...\n\n");
        assert_eq!(document(&json!([])), "---\n[]\n\n");
    }

    #[test]
    fn observed_get_provider() {
        let v = json!({
            "provider": "aws", "name": "AWS", "alias": "aws", "color": "#FF9900", "order": 1,
            "options": {
                "int_val": 1.0, "float_val": 2.5, "big": 1234567890123.0, "small": 1.2345e-05,
                "flag": true, "nothing": null, "list": [1.0, "two", null, true],
                "nested": {"a": {"b": "deep"}}, "empty_dict": {}, "empty_list": []
            },
            "tags": {"env": "prod", "team": "core"},
            "is_managed": true, "domain_id": "domain-123", "created_at": "2024-01-02T03:04:05.123Z"
        });
        let want = "---\nalias: aws\ncolor: '#FF9900'\ncreated_at: '2024-01-02T03:04:05.123Z'\ndomain_id: domain-123\nis_managed: true\nname: AWS\noptions:\n  big: 1234567890123.0\n  empty_dict: {}\n  empty_list: []\n  flag: true\n  float_val: 2.5\n  int_val: 1.0\n  list:\n  - 1.0\n  - two\n  - null\n  - true\n  nested:\n    a:\n      b: deep\n  nothing: null\n  small: 1.2345e-05\norder: 1\nprovider: aws\ntags:\n  env: prod\n  team: core\n\n";
        assert_eq!(document(&v), want);
    }

    /// The compat sample's `init` answer, as the Python plugin server sent it.
    #[test]
    fn observed_init_metadata() {
        let v = json!({"metadata": {
            "supported_resource_type": ["inventory.CloudService", "inventory.CloudServiceType", "inventory.Region", "inventory.Namespace", "inventory.Metric"],
            "supported_schedules": ["hours"],
            "supported_features": ["garbage_collection"],
            "filter_format": [],
            "options_schema": {
                "type": "object",
                "properties": {
                    "api_url": {
                        "type": "string",
                        "title": "API address",
                        "description": "Base URL of the Kestrel API; default: $KESTREL_API_URL of the plugin process",
                        "examples": ["https://api.kestrel.example"]
                    },
                    "regions": {
                        "type": "array",
                        "title": "Regions",
                        "description": "Collect only these region codes (default: every region of the account)",
                        "items": {"type": "string"}
                    }
                }
            }
        }});
        assert_eq!(document(&v), golden("init.yaml"));
    }

    /// A golden file of the compat sample: what the Python spacectl printed
    /// (`samples/compat-collector/expected/`, written by scripts/regen-goldens.sh).
    fn golden(name: &str) -> String {
        let path = format!(
            "{}/samples/compat-collector/expected/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("golden file {path} is required: {e}"))
    }

    /// The compat sample's `collect` stream: the JSON documents printed back to
    /// back must re-render as the byte-exact YAML that upstream printed.
    #[test]
    fn collect_golden_byte_for_byte() {
        let json_text = golden("collect.json");
        let want = golden("collect.yaml");
        let mut got = String::new();
        let mut count = 0;
        for doc in serde_json::Deserializer::from_str(&json_text).into_iter::<Value>() {
            let doc = doc.unwrap_or_else(|e| panic!("collect.json does not parse: {e}"));
            got.push_str(&document(&doc));
            count += 1;
        }
        assert_eq!(count, 13);
        assert_eq!(got, want);
    }

    #[test]
    fn implicit_resolvers() {
        for s in [
            "yes",
            "NO",
            "on",
            "Off",
            "~",
            "null",
            "",
            "<<",
            "=",
            "0",
            "-0",
            "0b1_0",
            "017",
            "1_0",
            "0x_1F",
            "1_000",
            "1:30",
            "1.",
            ".5",
            "1.e+3",
            "-.INF",
            ".nan",
            "1:20.5",
            "2024-01-01",
            "2024-1-1 1:02:03",
            "2024-01-01t01:02:03.5-05:30",
            "yes\n",
        ] {
            assert!(resolves_implicitly(s), "{s:?} should resolve");
        }
        for s in [
            "y",
            "n",
            "yES",
            "None",
            "0o17",
            "0b2",
            "08",
            "1e3",
            "1e+3",
            "1.5e3",
            "1:60",
            "inf",
            ".",
            "2024-1-1",
            "2024-01-01 ",
            "2024-01-01T01:02:03 ",
            "+.nan",
            "<<<",
            "==",
        ] {
            assert!(!resolves_implicitly(s), "{s:?} should stay a string");
        }
    }
}
