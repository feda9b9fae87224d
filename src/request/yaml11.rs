//! A YAML loader with PyYAML `safe_load` semantics, producing `serde_json` values.
//!
//! The syntax is read by the `yaml-rust2` event parser; this module builds the node graph
//! (anchors and aliases), applies merge keys (`<<`), and resolves plain scalars with the
//! YAML 1.1 rules PyYAML uses:
//!
//! * bool: `yes/no/on/off/true/false` in lower, Capitalised or UPPER case (not `y`/`n`);
//! * int: decimal, `0b…`, leading-`0` octal, `0x…`, `_` separators, sexagesimal `1:30`
//!   (`0o17` is a string, as in PyYAML);
//! * float: needs a dot; an exponent needs a sign (`1.5e+3`; `1e3` stays a string);
//!   `.inf`, `.nan`, `_` separators, sexagesimal `1:30.5`;
//! * null: `~`, `null`, `Null`, `NULL`, empty;
//! * timestamps: rejected with an error naming the value (quote them to send a string).
//!
//! Configuration files are read with [`load_config`], which loads what upstream's
//! configuration reader loads: timestamps and `.inf`/`.nan` there keep their text.
//!
//! Quoted and block scalars stay strings. Explicit tags `!!str`, `!!int`, `!!float`, `!!bool`,
//! `!!null`, `!!map`, `!!seq`, `!!merge` are honoured; `!!binary` keeps its base64 text (what a
//! protobuf `bytes` field expects in JSON form).
//!
//! Where JSON cannot hold what PyYAML would build, the loader decides:
//! * `.inf` / `.nan` (and floats overflowing to infinity) → an error naming the value;
//! * integers outside the i64/u64 range → the nearest f64;
//! * non-string mapping keys → their JSON text (`1` → `"1"`, `yes` → `"true"`, `~` → `"null"`);
//!   PyYAML would keep them as Python ints/bools;
//! * a stream with more than one document → an error, as PyYAML's `safe_load` does;
//! * recursive aliases, `!!set`, `!!omap`, `!!pairs`, `!!timestamp` and unknown tags → errors.
//!
//! Line breaks are those of YAML 1.1: NEL (U+0085) ends a line as `\n` does. U+2028
//! and U+2029, which PyYAML also takes for line breaks (keeping them in values), are
//! ordinary characters here.
//!
//! Hostile input is bounded: characters PyYAML's reader refuses (NUL, other C0/C1
//! controls, DEL, U+FFFE/U+FFFF) give PyYAML's error; nesting is limited to
//! [`MAX_DEPTH`] levels; and what aliases and merge keys add to the document is limited
//! by size ([`MAX_ALIAS_EXPANSION_BYTES`], measured as an estimate of the memory built),
//! not by count, so a small file of long aliased strings is refused as quickly as a
//! file of many aliased lists.

use std::collections::HashMap;

use base64::Engine;
use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

const TAG_PREFIX: &str = "tag:yaml.org,2002:";
/// Deepest collection nesting accepted (keeps recursion bounded).
pub const MAX_DEPTH: usize = 512;
/// How much aliases and merge keys may add to a document, in bytes of the estimate
/// below: what the document would take without them is always allowed on top.
pub const MAX_ALIAS_EXPANSION_BYTES: usize = 64 * 1024 * 1024;
/// Estimated bytes of one constructed value (or mapping entry) besides its text.
const VALUE_COST: usize = 64;
/// Longest excerpt of an input value quoted in an error message.
const SHOWN_CHARS: usize = 60;

/// How plain scalars that JSON cannot hold are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Request data: timestamps and non-finite floats are errors naming the value.
    Request,
    /// Configuration files: they keep their text, so every file upstream loads loads.
    Config,
}

/// Loads the single document of `text` (request data). `Ok(None)` for an empty stream
/// or a null document.
pub fn load(text: &str) -> Result<Option<Value>, String> {
    load_in(text, Mode::Request, MAX_ALIAS_EXPANSION_BYTES)
}

/// Loads a configuration file (`~/.spaceone`, `config init -f`). As [`load`], except
/// that unquoted timestamps (`2024-01-01`) and `.inf`/`.nan` — which upstream's
/// configuration reader loads as date and float objects — keep their text as strings.
pub fn load_config(text: &str) -> Result<Option<Value>, String> {
    load_in(text, Mode::Config, MAX_ALIAS_EXPANSION_BYTES)
}

fn load_in(text: &str, mode: Mode, expansion: usize) -> Result<Option<Value>, String> {
    check_printable(text)?;
    check_tokens(text)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // YAML 1.1 (PyYAML) reads NEL as a line break, equal to `\n` everywhere; YAML 1.2
    // (the event parser) reads it as an ordinary character.
    let with_breaks;
    let text = if text.contains('\u{85}') {
        with_breaks = text.replace('\u{85}', "\n");
        with_breaks.as_str()
    } else {
        text
    };
    let mut composer = Composer {
        parser: Parser::new_from_str(text),
        nodes: Vec::new(),
        anchors: HashMap::new(),
        cost: 0,
    };
    let Some(root) = composer.compose_document()? else {
        return Ok(None);
    };
    let mut builder = Builder {
        nodes: &composer.nodes,
        budget: composer.cost.saturating_add(expansion),
        expansion,
        mode,
    };
    match builder.construct(root, 0)? {
        Value::Null => Ok(None),
        v => Ok(Some(v)),
    }
}

/// Whether PyYAML's reader accepts this character in a stream.
fn is_printable(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}'
        | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
}

/// PyYAML's reader refuses NUL, the other control characters but tab and line
/// breaks, DEL and U+FFFE/U+FFFF anywhere in a stream, before parsing. Its message is
/// kept; the place is given as line and column (and PyYAML's character position).
fn check_printable(text: &str) -> Result<(), String> {
    let Some((position, c)) = text.chars().enumerate().find(|&(_, c)| !is_printable(c)) else {
        return Ok(());
    };
    let before: String = text.chars().take(position).collect();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Err(format!(
        "unacceptable character #x{:04x}: special characters are not allowed at line {line}, column {column} (position {position})",
        u32::from(c)
    ))
}

/// Token rules of PyYAML's scanner that the event parser used here does not
/// apply, checked with PyYAML's messages:
/// * it skips only spaces between tokens: a tab where it looks for the next
///   token (indentation, after `:`, `-` or `,`, after a plain scalar or a
///   quoted one, on a line of its own) is refused; tabs inside quoted scalars,
///   comments and block scalar content are text;
/// * an anchor or alias name is made of letters, digits, `-` and `_`, and ends
///   at a blank or one of `?:,]}%@` and the backtick.
///
/// Block scalar content is recognised by its indentation: lines indented more
/// than the line of the `|`/`>` indicator, or blank.
fn check_tokens(text: &str) -> Result<(), String> {
    if !text.contains('\t') && !text.contains('&') && !text.contains('*') {
        return Ok(());
    }
    let refuse = |line: usize, column: usize| {
        Err(format!(
            "while scanning for the next token found character '\\t' that cannot start any token at line {line}, column {column}"
        ))
    };
    let mut quote: Option<char> = None;
    let mut block_parent: Option<usize> = None;
    for (n, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let spaces = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block_parent {
            let rest = &line[spaces..];
            if rest.is_empty() || spaces > parent {
                continue;
            }
            block_parent = None;
        }
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let prev = if i == 0 { None } else { Some(chars[i - 1]) };
            match quote {
                Some('\'') => {
                    if c == '\'' {
                        if chars.get(i + 1) == Some(&'\'') {
                            i += 1;
                        } else {
                            quote = None;
                        }
                    }
                }
                Some(_) => {
                    if c == '\\' {
                        i += 1;
                    } else if c == '"' {
                        quote = None;
                    }
                }
                None => {
                    let token_start = matches!(prev, None | Some(' ' | '[' | '{' | ','));
                    match c {
                        '\t' => return refuse(n + 1, i + 1),
                        '&' | '*' if token_start => {
                            let name = chars[i + 1..]
                                .iter()
                                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
                                .count();
                            let next = chars.get(i + 1 + name).copied();
                            let ends = matches!(
                                next,
                                None | Some(
                                    ' ' | '\t' | '?' | ':' | ',' | ']' | '}' | '%' | '@' | '`'
                                )
                            );
                            if name == 0 || !ends {
                                let what = if c == '&' { "an anchor" } else { "an alias" };
                                let found = next.map_or_else(
                                    || "end of line".to_string(),
                                    |c| format!("'{}'", c.escape_default()),
                                );
                                return Err(format!(
                                    "while scanning {what} expected alphabetic or numeric character, but found {found} at line {}, column {}",
                                    n + 1,
                                    i + name + 2
                                ));
                            }
                            i += name;
                        }
                        '#' if matches!(prev, None | Some(' ')) => break,
                        '\'' | '"' if token_start => quote = Some(c),
                        '|' | '>' if matches!(prev, None | Some(' ')) => {
                            let after: String = chars[i + 1..].iter().collect();
                            let after = after.trim_start_matches(|c: char| {
                                c.is_ascii_digit() || c == '+' || c == '-'
                            });
                            let after = after.trim_start_matches(' ');
                            if after.is_empty() || after.starts_with('#') {
                                block_parent = Some(spaces);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            i += 1;
        }
    }
    Ok(())
}

/// An input value as quoted in an error: control characters escaped, long values cut.
fn shown(value: &str) -> String {
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        if i == SHOWN_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

// ------------------------------------------------------------------ composing (events → nodes)

#[derive(Debug)]
enum NodeKind {
    Scalar { value: String, plain: bool },
    Seq(Vec<usize>),
    Map(Vec<(usize, usize)>),
}

#[derive(Debug)]
struct Node {
    kind: NodeKind,
    tag: Option<String>,
    mark: Marker,
}

struct Composer<'a> {
    parser: Parser<std::str::Chars<'a>>,
    nodes: Vec<Node>,
    /// Parser anchor id → node index, registered once the anchored node is complete.
    anchors: HashMap<usize, usize>,
    /// What constructing every node once costs (see [`node_cost`]).
    cost: usize,
}

/// Estimated bytes constructing a node once builds: the value, its text, and one
/// entry per mapping pair (merge keys flatten pairs).
fn node_cost(node: &Node) -> usize {
    match &node.kind {
        NodeKind::Scalar { value, .. } => VALUE_COST + value.len(),
        NodeKind::Seq(_) => VALUE_COST,
        NodeKind::Map(pairs) => VALUE_COST + VALUE_COST * pairs.len(),
    }
}

fn at(mark: &Marker) -> String {
    format!("line {}, column {}", mark.line(), mark.col() + 1)
}

fn scan_error(e: &ScanError) -> String {
    format!("{} at {}", e.info(), at(e.marker()))
}

fn full_tag(tag: Option<Tag>) -> Option<String> {
    tag.map(|t| format!("{}{}", t.handle, t.suffix))
}

impl Composer<'_> {
    fn next(&mut self) -> Result<(Event, Marker), String> {
        self.parser.next_token().map_err(|e| scan_error(&e))
    }

    /// Returns the root node of the only document, or `None` for an empty stream.
    fn compose_document(&mut self) -> Result<Option<usize>, String> {
        let mut root = None;
        loop {
            let (ev, mark) = self.next()?;
            match ev {
                Event::StreamStart | Event::Nothing => {}
                Event::StreamEnd => return Ok(root),
                Event::DocumentStart => {
                    if root.is_some() {
                        return Err(format!(
                            "expected a single document in the stream, but found another document at {}",
                            at(&mark)
                        ));
                    }
                    let (ev, mark) = self.next()?;
                    let node = self.compose_node(ev, mark)?;
                    root = Some(node);
                }
                Event::DocumentEnd => {}
                other => return Err(unexpected(&other, &mark)),
            }
        }
    }

    fn push(&mut self, node: Node, anchor: usize) -> usize {
        self.cost = self.cost.saturating_add(node_cost(&node));
        let id = self.nodes.len();
        self.nodes.push(node);
        if anchor > 0 {
            self.anchors.insert(anchor, id);
        }
        id
    }

    /// Compose the node that starts with `ev`, reading events until it is complete.
    /// Iterative (open collections are kept on a stack of their own), so that deep
    /// documents cost heap, not thread stack.
    fn compose_node(&mut self, ev: Event, mark: Marker) -> Result<usize, String> {
        let mut open: Vec<Open> = Vec::new();
        let mut pending = Some((ev, mark));
        loop {
            let (ev, mark) = match pending.take() {
                Some(first) => first,
                None => self.next()?,
            };
            let starts_node = matches!(
                ev,
                Event::Alias(_)
                    | Event::Scalar(..)
                    | Event::SequenceStart(..)
                    | Event::MappingStart(..)
            );
            if starts_node && open.len() > MAX_DEPTH {
                return Err(format!("document is nested too deeply at {}", at(&mark)));
            }
            let done =
                match ev {
                    Event::Alias(id) => self.anchors.get(&id).copied().ok_or_else(|| {
                        format!("recursive alias is not supported at {}", at(&mark))
                    })?,
                    Event::Scalar(value, style, anchor, tag) => {
                        let node = Node {
                            kind: NodeKind::Scalar {
                                value,
                                plain: style == TScalarStyle::Plain,
                            },
                            tag: full_tag(tag),
                            mark,
                        };
                        self.push(node, anchor)
                    }
                    Event::SequenceStart(anchor, tag) => {
                        open.push(Open {
                            kind: NodeKind::Seq(Vec::new()),
                            key: None,
                            anchor,
                            tag: full_tag(tag),
                            mark,
                        });
                        continue;
                    }
                    Event::MappingStart(anchor, tag) => {
                        open.push(Open {
                            kind: NodeKind::Map(Vec::new()),
                            key: None,
                            anchor,
                            tag: full_tag(tag),
                            mark,
                        });
                        continue;
                    }
                    Event::SequenceEnd | Event::MappingEnd => match open.pop() {
                        Some(done) if done.key.is_none() && done.closed_by(&ev) => {
                            let node = Node {
                                kind: done.kind,
                                tag: done.tag,
                                mark: done.mark,
                            };
                            self.push(node, done.anchor)
                        }
                        _ => return Err(unexpected(&ev, &mark)),
                    },
                    other => return Err(unexpected(&other, &mark)),
                };
            match open.last_mut() {
                None => return Ok(done),
                Some(parent) => parent.add(done),
            }
        }
    }
}

/// A collection being composed.
struct Open {
    /// `Seq` or `Map` with the children so far.
    kind: NodeKind,
    /// A mapping's key waiting for its value.
    key: Option<usize>,
    anchor: usize,
    tag: Option<String>,
    mark: Marker,
}

impl Open {
    fn add(&mut self, child: usize) {
        match (&mut self.kind, self.key.take()) {
            (NodeKind::Seq(items), _) => items.push(child),
            (NodeKind::Map(pairs), Some(key)) => pairs.push((key, child)),
            (NodeKind::Map(_), None) => self.key = Some(child),
            (NodeKind::Scalar { .. }, _) => {}
        }
    }

    fn closed_by(&self, ev: &Event) -> bool {
        matches!(
            (&self.kind, ev),
            (NodeKind::Seq(_), Event::SequenceEnd) | (NodeKind::Map(_), Event::MappingEnd)
        )
    }
}

fn unexpected(ev: &Event, mark: &Marker) -> String {
    format!(
        "unexpected YAML event {} at {}",
        shown(&format!("{ev:?}")),
        at(mark)
    )
}

// ------------------------------------------------------------------ constructing (nodes → values)

struct Builder<'a> {
    nodes: &'a [Node],
    /// Estimated bytes that may still be constructed.
    budget: usize,
    /// The part of the budget aliases may use, for the message.
    expansion: usize,
    mode: Mode,
}

fn short_tag(tag: &str) -> String {
    match tag.strip_prefix(TAG_PREFIX) {
        Some(rest) => format!("!!{rest}"),
        None => tag.to_string(),
    }
}

/// The tag a node resolves to: explicit tags win; `!` and untagged collections take the
/// default; untagged plain scalars go through the YAML 1.1 resolvers.
fn effective_tag(node: &Node) -> String {
    match (&node.tag, &node.kind) {
        (Some(t), _) if t != "!" => t.clone(),
        (_, NodeKind::Scalar { value, plain: true }) => format!("{TAG_PREFIX}{}", resolve(value)),
        (_, NodeKind::Scalar { .. }) => format!("{TAG_PREFIX}str"),
        (_, NodeKind::Seq(_)) => format!("{TAG_PREFIX}seq"),
        (_, NodeKind::Map(_)) => format!("{TAG_PREFIX}map"),
    }
}

impl Builder<'_> {
    fn spend(&mut self, cost: usize, mark: &Marker) -> Result<(), String> {
        match self.budget.checked_sub(cost) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => Err(format!(
                "document expands beyond {} MiB through aliases, repeating the value at {} (use fewer aliases or merge keys)",
                self.expansion / (1024 * 1024),
                at(mark)
            )),
        }
    }

    // The recursive functions (`construct`, `construct_mapping`, `flatten`) keep
    // their frames small: everything else is in functions of their own, so that a
    // document nested `MAX_DEPTH` deep fits in a small thread's stack.

    fn construct(&mut self, id: usize, depth: usize) -> Result<Value, String> {
        self.enter(id, depth)?;
        let nodes = self.nodes;
        match &nodes[id].kind {
            NodeKind::Scalar { .. } => self.scalar(id),
            NodeKind::Seq(items) => {
                self.check_collection(id, "seq", "sequence")?;
                let mut out = Vec::with_capacity(items.len());
                for &item in items {
                    out.push(self.construct(item, depth + 1)?);
                }
                Ok(Value::Array(out))
            }
            NodeKind::Map(_) => {
                self.check_collection(id, "map", "mapping")?;
                self.construct_mapping(id, depth)
            }
        }
    }

    /// Spend a node's cost and check its depth.
    #[inline(never)]
    fn enter(&mut self, id: usize, depth: usize) -> Result<(), String> {
        let node = &self.nodes[id];
        let cost = match &node.kind {
            NodeKind::Scalar { value, .. } => VALUE_COST + value.len(),
            _ => VALUE_COST,
        };
        self.spend(cost, &node.mark)?;
        if depth > MAX_DEPTH {
            return Err(format!(
                "document is nested too deeply at {}",
                at(&node.mark)
            ));
        }
        Ok(())
    }

    #[inline(never)]
    fn scalar(&self, id: usize) -> Result<Value, String> {
        let node = &self.nodes[id];
        let NodeKind::Scalar { value, .. } = &node.kind else {
            return Err(format!("expected a scalar at {}", at(&node.mark)));
        };
        let tag = effective_tag(node);
        let short = tag.strip_prefix(TAG_PREFIX).unwrap_or("");
        match construct_scalar(short, &tag, value, node.tag.is_some()) {
            Err(Refusal::NotJson(_)) if self.mode == Mode::Config => {
                Ok(Value::String(value.clone()))
            }
            Err(e) => Err(format!("{} at {}", e.text(), at(&node.mark))),
            Ok(v) => Ok(v),
        }
    }

    /// A collection node must resolve to its default tag (`seq` or `map`).
    #[inline(never)]
    fn check_collection(&self, id: usize, default: &str, what: &str) -> Result<(), String> {
        let node = &self.nodes[id];
        let tag = effective_tag(node);
        if tag.strip_prefix(TAG_PREFIX) == Some(default) {
            Ok(())
        } else {
            Err(self.unsupported_collection(&tag, what, node))
        }
    }

    fn unsupported_collection(&self, tag: &str, what: &str, node: &Node) -> String {
        match tag.strip_prefix(TAG_PREFIX) {
            Some("set" | "omap" | "pairs") => format!(
                "tag '{}' is not supported (use a plain {what}) at {}",
                short_tag(tag),
                at(&node.mark)
            ),
            Some("str" | "int" | "float" | "bool" | "null" | "binary" | "timestamp") => format!(
                "tag '{}' expects a scalar, but found a {what} at {}",
                short_tag(tag),
                at(&node.mark)
            ),
            _ => format!(
                "could not determine a constructor for the tag '{}' at {}",
                shown(tag),
                at(&node.mark)
            ),
        }
    }

    fn is_merge_key(&self, id: usize) -> bool {
        let node = &self.nodes[id];
        matches!(node.kind, NodeKind::Scalar { .. })
            && effective_tag(node) == format!("{TAG_PREFIX}merge")
    }

    /// The key/value pairs of a mapping with its merge keys expanded: merged pairs first
    /// (for a list of merged mappings, earlier mappings take precedence), then the
    /// mapping's own pairs, so that later insertions override earlier ones.
    fn flatten(&mut self, id: usize, depth: usize) -> Result<Vec<(usize, usize)>, String> {
        let node = &self.nodes[id];
        if depth > MAX_DEPTH {
            return Err(format!(
                "document is nested too deeply at {}",
                at(&node.mark)
            ));
        }
        let NodeKind::Map(pairs) = &node.kind else {
            return Ok(Vec::new());
        };
        let mut merged = Vec::new();
        let mut own = Vec::new();
        for &(k, v) in pairs {
            self.spend(VALUE_COST, &node.mark)?;
            if !self.is_merge_key(k) {
                own.push((k, v));
                continue;
            }
            let value = &self.nodes[v];
            match &value.kind {
                NodeKind::Map(_) => merged.extend(self.flatten(v, depth + 1)?),
                NodeKind::Seq(items) => {
                    let mut parts = Vec::with_capacity(items.len());
                    for &item in items {
                        let sub = &self.nodes[item];
                        if !matches!(sub.kind, NodeKind::Map(_)) {
                            return Err(format!(
                                "expected a mapping for merging, but found {} at {}",
                                kind_name(&sub.kind),
                                at(&sub.mark)
                            ));
                        }
                        parts.push(self.flatten(item, depth + 1)?);
                    }
                    for part in parts.into_iter().rev() {
                        merged.extend(part);
                    }
                }
                NodeKind::Scalar { .. } => {
                    return Err(format!(
                        "expected a mapping or list of mappings for merging, but found scalar at {}",
                        at(&value.mark)
                    ));
                }
            }
        }
        merged.extend(own);
        Ok(merged)
    }

    fn construct_mapping(&mut self, id: usize, depth: usize) -> Result<Value, String> {
        let pairs = self.flatten(id, depth)?;
        let mut map = Map::new();
        for (k, v) in pairs {
            let key = self.key(k, depth)?;
            let value = self.construct(v, depth + 1)?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }

    /// A mapping key as text: PyYAML reads a plain `=` key (the YAML 1.1 "value" tag)
    /// as the string "="; numbers, booleans and null become their JSON text.
    #[inline(never)]
    fn key(&mut self, k: usize, depth: usize) -> Result<String, String> {
        let key_node = &self.nodes[k];
        if effective_tag(key_node) == format!("{TAG_PREFIX}value") {
            return Ok("=".to_string());
        }
        match self.construct(k, depth + 1)? {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Null => Ok("null".to_string()),
            Value::Array(_) | Value::Object(_) => Err(format!(
                "found unhashable key (a {} cannot be a mapping key) at {}",
                kind_name(&self.nodes[k].kind),
                at(&self.nodes[k].mark)
            )),
        }
    }
}

fn kind_name(kind: &NodeKind) -> &'static str {
    match kind {
        NodeKind::Scalar { .. } => "scalar",
        NodeKind::Seq(_) => "sequence",
        NodeKind::Map(_) => "mapping",
    }
}

/// Why a scalar could not be constructed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refusal {
    /// A value PyYAML builds but JSON cannot hold (a timestamp, infinity, NaN).
    NotJson(String),
    /// Text the tag does not accept.
    Invalid(String),
}

impl Refusal {
    fn text(&self) -> &str {
        match self {
            Refusal::NotJson(t) | Refusal::Invalid(t) => t,
        }
    }
}

fn construct_scalar(short: &str, tag: &str, value: &str, explicit: bool) -> Result<Value, Refusal> {
    match short {
        "str" => Ok(Value::String(value.to_string())),
        "null" => Ok(Value::Null),
        "bool" => match value.to_ascii_lowercase().as_str() {
            "yes" | "true" | "on" => Ok(Value::Bool(true)),
            "no" | "false" | "off" => Ok(Value::Bool(false)),
            _ => Err(Refusal::Invalid(format!(
                "invalid boolean '{}'",
                shown(value)
            ))),
        },
        "int" => construct_int(value).map_err(Refusal::Invalid),
        "float" => construct_float(value),
        "timestamp" if explicit => Err(Refusal::NotJson(format!(
            "!!timestamp value '{}' is not supported: use a quoted string",
            shown(value)
        ))),
        "timestamp" => Err(Refusal::NotJson(timestamp_error(value))),
        "binary" => {
            let text: String = value.chars().filter(|c| !c.is_whitespace()).collect();
            match base64::engine::general_purpose::STANDARD.decode(text.as_bytes()) {
                Ok(_) => Ok(Value::String(text)),
                Err(_) => Err(Refusal::Invalid(format!(
                    "invalid base64 data in !!binary value '{}'",
                    shown(value)
                ))),
            }
        }
        _ => Err(Refusal::Invalid(format!(
            "could not determine a constructor for the tag '{}'",
            shown(tag)
        ))),
    }
}

fn timestamp_error(value: &str) -> String {
    let what = if value.len() == 10 {
        "date"
    } else {
        "timestamp"
    };
    format!(
        "unquoted {what} '{}' is not supported: quote it",
        shown(value)
    )
}

/// An integer with PyYAML's rules: `_` dropped, sign, `0b` binary, `0x` hex, leading-0
/// octal, `a:b:c` base 60. Values beyond i64/u64 become the nearest f64.
fn construct_int(text: &str) -> Result<Value, String> {
    let invalid = || format!("invalid integer '{}'", shown(text));
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let (negative, digits) = match cleaned.as_bytes().first() {
        Some(b'-') => (true, &cleaned[1..]),
        Some(b'+') => (false, &cleaned[1..]),
        Some(_) => (false, cleaned.as_str()),
        None => return Err(invalid()),
    };
    let magnitude = if digits == "0" {
        Magnitude::Exact(0)
    } else if let Some(rest) = digits.strip_prefix("0b") {
        parse_radix(rest, 2).ok_or_else(invalid)?
    } else if let Some(rest) = digits.strip_prefix("0x") {
        parse_radix(rest, 16).ok_or_else(invalid)?
    } else if digits.starts_with('0') {
        parse_radix(digits, 8).ok_or_else(invalid)?
    } else if digits.contains(':') {
        let mut total = Magnitude::Exact(0);
        for part in digits.split(':') {
            let part = parse_radix(part, 10).ok_or_else(invalid)?;
            total = total.mul_add(60, part);
        }
        total
    } else {
        parse_radix(digits, 10).ok_or_else(invalid)?
    };
    magnitude_to_value(magnitude, negative)
        .ok_or_else(|| format!("integer '{}' is too large", shown(text)))
}

#[derive(Clone, Copy)]
enum Magnitude {
    Exact(u128),
    Approx(f64),
}

impl Magnitude {
    fn as_f64(self) -> f64 {
        match self {
            Magnitude::Exact(v) => v as f64,
            Magnitude::Approx(v) => v,
        }
    }

    /// `self * base + add`.
    fn mul_add(self, base: u32, add: Magnitude) -> Magnitude {
        if let (Magnitude::Exact(a), Magnitude::Exact(b)) = (self, add)
            && let Some(v) = a
                .checked_mul(u128::from(base))
                .and_then(|v| v.checked_add(b))
        {
            return Magnitude::Exact(v);
        }
        Magnitude::Approx(self.as_f64() * f64::from(base) + add.as_f64())
    }
}

fn parse_radix(digits: &str, radix: u32) -> Option<Magnitude> {
    if digits.is_empty() {
        return None;
    }
    let mut acc = Magnitude::Exact(0);
    for c in digits.chars() {
        let d = c.to_digit(radix)?;
        acc = acc.mul_add(radix, Magnitude::Exact(u128::from(d)));
    }
    Some(acc)
}

fn magnitude_to_value(m: Magnitude, negative: bool) -> Option<Value> {
    if let Magnitude::Exact(v) = m {
        if negative {
            if v <= i64::MAX as u128 + 1 {
                let n = (v as i128).checked_neg()?;
                return i64::try_from(n).ok().map(Value::from);
            }
        } else if let Ok(u) = u64::try_from(v) {
            return Some(Value::from(u));
        }
    }
    let f = if negative { -m.as_f64() } else { m.as_f64() };
    Number::from_f64(f).map(Value::Number)
}

/// A float with PyYAML's rules: `_` dropped, case-insensitive, sign, `.inf`/`.nan`,
/// `a:b:c.d` base 60. Non-finite results are rejected (JSON cannot hold them).
fn construct_float(text: &str) -> Result<Value, Refusal> {
    let non_finite = || {
        Refusal::NotJson(format!(
            "float value '{}' is not supported (infinity and NaN cannot be represented)",
            shown(text)
        ))
    };
    let invalid = || Refusal::Invalid(format!("invalid float '{}'", shown(text)));
    let cleaned: String = text
        .chars()
        .filter(|&c| c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    let (negative, body) = match cleaned.as_bytes().first() {
        Some(b'-') => (true, &cleaned[1..]),
        Some(b'+') => (false, &cleaned[1..]),
        Some(_) => (false, cleaned.as_str()),
        None => return Err(invalid()),
    };
    if body == ".inf" || body == ".nan" {
        return Err(non_finite());
    }
    let magnitude = if body.contains(':') {
        let mut total = 0.0f64;
        for part in body.split(':') {
            total = total * 60.0 + parse_float_text(part).ok_or_else(invalid)?;
        }
        total
    } else {
        parse_float_text(body).ok_or_else(invalid)?
    };
    let f = if negative { -magnitude } else { magnitude };
    if !f.is_finite() {
        return Err(non_finite());
    }
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(non_finite)
}

/// Decimal float text as Python's `float()` reads it after sign handling (no sign here).
fn parse_float_text(s: &str) -> Option<f64> {
    if s.is_empty() || s.starts_with(['+', '-']) {
        return None;
    }
    match s {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ if s.bytes().any(|b| b.is_ascii_alphabetic() && b != b'e') => None,
        _ => s.parse::<f64>().ok(),
    }
}

// ------------------------------------------------------------------ YAML 1.1 implicit resolvers

/// The tag suffix (`bool`, `int`, `float`, `null`, `timestamp`, `merge`, `value`, `str`)
/// PyYAML's resolver gives an untagged plain scalar.
pub fn resolve(s: &str) -> &'static str {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return "null";
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' if is_bool(s) => "bool",
        b'~' | b'n' | b'N' if is_null(s) => "null",
        b'-' | b'+' | b'0'..=b'9' | b'.' if is_float(b) => "float",
        b'-' | b'+' | b'0'..=b'9' if is_int(b) => "int",
        b'0'..=b'9' if is_timestamp(b) => "timestamp",
        b'<' if s == "<<" => "merge",
        b'=' if s == "=" => "value",
        _ => "str",
    }
}

fn is_bool(s: &str) -> bool {
    matches!(
        s,
        "yes"
            | "Yes"
            | "YES"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

fn is_null(s: &str) -> bool {
    matches!(s, "~" | "null" | "Null" | "NULL")
}

/// A tiny cursor for the hand-written versions of PyYAML's resolver patterns.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn new(b: &'a [u8]) -> Self {
        Cur { b, i: 0 }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn eat_if(&mut self, f: impl Fn(u8) -> bool) -> bool {
        match self.peek() {
            Some(c) if f(c) => {
                self.i += 1;
                true
            }
            _ => false,
        }
    }
    /// Zero or more bytes matching `f`; returns how many.
    fn many(&mut self, f: impl Fn(u8) -> bool) -> usize {
        let start = self.i;
        while self.eat_if(&f) {}
        self.i - start
    }
    fn eat_str(&mut self, s: &str) -> bool {
        if self.b[self.i..].starts_with(s.as_bytes()) {
            self.i += s.len();
            true
        } else {
            false
        }
    }
    fn sign(&mut self) {
        let _ = self.eat(b'-') || self.eat(b'+');
    }
    fn end(&self) -> bool {
        self.i == self.b.len()
    }
    /// `[eE][-+][0-9]+`, optional.
    fn opt_exponent(&mut self) -> bool {
        let save = self.i;
        if self.eat_if(|c| c == b'e' || c == b'E')
            && self.eat_if(|c| c == b'-' || c == b'+')
            && self.many(is_digit) > 0
        {
            return true;
        }
        self.i = save;
        false
    }
    /// `(:[0-5]?[0-9])+`; returns whether at least one group matched.
    fn sexagesimal_groups(&mut self) -> bool {
        let mut count = 0;
        loop {
            let save = self.i;
            if !self.eat(b':') {
                break;
            }
            let two = matches!(self.b.get(self.i..self.i + 2), Some([a, b]) if (b'0'..=b'5').contains(a) && b.is_ascii_digit());
            if two {
                self.i += 2;
            } else if !self.eat_if(is_digit) {
                self.i = save;
                break;
            }
            count += 1;
        }
        count > 0
    }
}

fn is_digit(c: u8) -> bool {
    c.is_ascii_digit()
}
fn is_digit_(c: u8) -> bool {
    c.is_ascii_digit() || c == b'_'
}

fn is_float(b: &[u8]) -> bool {
    // [-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?
    let alt1 = || {
        let mut c = Cur::new(b);
        c.sign();
        c.eat_if(is_digit)
            && {
                c.many(is_digit_);
                c.eat(b'.')
            }
            && {
                c.many(is_digit_);
                c.opt_exponent();
                c.end()
            }
    };
    // \.[0-9][0-9_]*([eE][-+][0-9]+)?
    let alt2 = || {
        let mut c = Cur::new(b);
        c.eat(b'.') && c.eat_if(is_digit) && {
            c.many(is_digit_);
            c.opt_exponent();
            c.end()
        }
    };
    // [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
    let alt3 = || {
        let mut c = Cur::new(b);
        c.sign();
        c.eat_if(is_digit)
            && {
                c.many(is_digit_);
                c.sexagesimal_groups()
            }
            && c.eat(b'.')
            && {
                c.many(is_digit_);
                c.end()
            }
    };
    // [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)
    let special = || {
        let mut c = Cur::new(b);
        c.sign();
        let inf =
            c.eat(b'.') && (c.eat_str("inf") || c.eat_str("Inf") || c.eat_str("INF")) && c.end();
        inf || matches!(b, b".nan" | b".NaN" | b".NAN")
    };
    alt1() || alt2() || alt3() || special()
}

fn is_int(b: &[u8]) -> bool {
    let body = |prefix: &str, f: fn(u8) -> bool| {
        let mut c = Cur::new(b);
        c.sign();
        c.eat_str(prefix) && c.many(f) > 0 && c.end()
    };
    // [-+]?0b[0-1_]+
    let bin = body("0b", |c| matches!(c, b'0' | b'1' | b'_'));
    // [-+]?0[0-7_]+
    let oct = body("0", |c| matches!(c, b'0'..=b'7' | b'_'));
    // [-+]?0x[0-9a-fA-F_]+
    let hex = body("0x", |c| c.is_ascii_hexdigit() || c == b'_');
    // [-+]?(0|[1-9][0-9_]*)
    let dec = || {
        let mut c = Cur::new(b);
        c.sign();
        if c.eat(b'0') {
            return c.end();
        }
        c.eat_if(|x| (b'1'..=b'9').contains(&x)) && {
            c.many(is_digit_);
            c.end()
        }
    };
    // [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+
    let sexa = || {
        let mut c = Cur::new(b);
        c.sign();
        c.eat_if(|x| (b'1'..=b'9').contains(&x))
            && {
                c.many(is_digit_);
                c.sexagesimal_groups()
            }
            && c.end()
    };
    bin || oct || hex || dec() || sexa()
}

fn is_timestamp(b: &[u8]) -> bool {
    let n_digits = |c: &mut Cur, n: usize| (0..n).all(|_| c.eat_if(is_digit));
    // [0-9]{4}-[0-9]{2}-[0-9]{2}
    let date = {
        let mut c = Cur::new(b);
        n_digits(&mut c, 4)
            && c.eat(b'-')
            && n_digits(&mut c, 2)
            && c.eat(b'-')
            && n_digits(&mut c, 2)
            && c.end()
    };
    if date {
        return true;
    }
    // [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?
    //   (([ \t]*)(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?
    let mut c = Cur::new(b);
    let one_or_two = |c: &mut Cur| {
        let ok = c.eat_if(is_digit);
        c.eat_if(is_digit);
        ok
    };
    let head = n_digits(&mut c, 4)
        && c.eat(b'-')
        && one_or_two(&mut c)
        && c.eat(b'-')
        && one_or_two(&mut c)
        && (c.eat_if(|x| x == b'T' || x == b't') || c.many(|x| x == b' ' || x == b'\t') > 0)
        && one_or_two(&mut c)
        && c.eat(b':')
        && n_digits(&mut c, 2)
        && c.eat(b':')
        && n_digits(&mut c, 2);
    if !head {
        return false;
    }
    if c.eat(b'.') {
        c.many(is_digit);
    }
    if c.end() {
        return true;
    }
    c.many(|x| x == b' ' || x == b'\t');
    if c.eat(b'Z') {
        return c.end();
    }
    if c.eat_if(|x| x == b'-' || x == b'+') && one_or_two(&mut c) {
        if c.eat(b':') && !n_digits(&mut c, 2) {
            return false;
        }
        return c.end();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `load("v: <scalar>")["v"]`, or the error text.
    fn scalar(text: &str) -> Result<Value, String> {
        let doc = load(&format!("v: {text}\n"))?.ok_or("empty")?;
        Ok(doc["v"].clone())
    }

    fn f(v: f64) -> Value {
        Value::Number(Number::from_f64(v).expect("finite"))
    }

    // Expected values were taken from PyYAML 6.0.3 `yaml.safe_load("v: <scalar>")`.
    #[test]
    fn anchor_and_alias_names_follow_pyyaml() {
        assert_eq!(
            load("a: &x! 1").unwrap_err(),
            "while scanning an anchor expected alphabetic or numeric character, but found '!' at line 1, column 6"
        );
        assert_eq!(
            load("a: &x.y 1\nb: *x.y").unwrap_err(),
            "while scanning an anchor expected alphabetic or numeric character, but found '.' at line 1, column 6"
        );
        assert!(
            load("a: &x 1\nb: *x!")
                .unwrap_err()
                .starts_with("while scanning an alias")
        );
        assert_eq!(
            load("a: &x-1_ 1\nb: [*x-1_, {c: *x-1_}]\nd: 'it&s *not'").unwrap(),
            Some(json!({"a": 1, "b": [1, {"c": 1}], "d": "it&s *not"}))
        );
    }

    #[test]
    fn tabs_where_pyyaml_looks_for_a_token_are_refused() {
        for refused in [
            "a: b\tc",
            "a: b\t# c",
            "a\t: 1",
            "[1,\t2]",
            "- a\n-\tb",
            "a: 1\n\tb: 2",
            "a: \tb",
            "\ta: 1",
            "a: b\n\t",
            "a: \"x\"\t",
            "a: |\t\n  x",
        ] {
            let err = load(refused).expect_err(refused);
            assert!(
                err.starts_with("while scanning for the next token found character '\\t' that cannot start any token at line "),
                "{refused:?}: {err}"
            );
        }
        assert_eq!(
            load("a: 1\n\tb: 2").unwrap_err(),
            "while scanning for the next token found character '\\t' that cannot start any token at line 2, column 1"
        );
        // Text: inside quotes, comments and block scalars.
        for (text, expected) in [
            ("a: \"x\ty\"", json!({"a": "x\ty"})),
            ("a: 'x\ty'", json!({"a": "x\ty"})),
            ("a: |\n  x\ty\n", json!({"a": "x\ty\n"})),
            ("a: |\n \tx\n", json!({"a": "\tx\n"})),
            ("a: >-\n  x\t\nb: c", json!({"a": "x\t", "b": "c"})),
            ("a: b # c\td", json!({"a": "b"})),
            ("# c\tc\na: 1", json!({"a": 1})),
            (
                "a: |\n  x\n\n  \ty\nb: 1",
                json!({"a": "x\n\n\ty\n", "b": 1}),
            ),
        ] {
            assert_eq!(load(text).unwrap(), Some(expected), "{text:?}");
        }
    }

    #[test]
    fn plain_scalars_follow_yaml11_resolvers() {
        let table: Vec<(&str, Value)> = vec![
            ("yes", json!(true)),
            ("Yes", json!(true)),
            ("YES", json!(true)),
            ("yEs", json!("yEs")),
            ("no", json!(false)),
            ("on", json!(true)),
            ("Off", json!(false)),
            ("y", json!("y")),
            ("n", json!("n")),
            ("Y", json!("Y")),
            ("true", json!(true)),
            ("True", json!(true)),
            ("TRUE", json!(true)),
            ("tRue", json!("tRue")),
            ("false", json!(false)),
            ("010", json!(8)),
            ("0o17", json!("0o17")),
            ("0x1F", json!(31)),
            ("0x_1F", json!(31)),
            ("-0x1f", json!(-31)),
            ("0b101", json!(5)),
            ("-0b11", json!(-3)),
            ("1_000", json!(1000)),
            ("+12", json!(12)),
            ("-0", json!(0)),
            ("0", json!(0)),
            ("09", json!("09")),
            ("08.5", f(8.5)),
            ("1:30", json!(90)),
            ("-1:30", json!(-90)),
            ("1:30:15", json!(5415)),
            ("190:20:30", json!(685230)),
            ("1:60", json!("1:60")),
            ("1:5", json!(65)),
            ("1.5", f(1.5)),
            ("1.", f(1.0)),
            ("-.5", json!("-.5")),
            (".5", f(0.5)),
            ("+.5", json!("+.5")),
            ("1e3", json!("1e3")),
            ("1.5e3", json!("1.5e3")),
            ("1.5e+3", f(1500.0)),
            ("1.5E-3", f(0.0015)),
            ("1.e+3", f(1000.0)),
            ("1_000.5", f(1000.5)),
            ("1:30.5", f(90.5)),
            ("1:30.", f(90.0)),
            ("12:34:56.7", f(45296.7)),
            ("inf", json!("inf")),
            ("nan", json!("nan")),
            ("~", Value::Null),
            ("null", Value::Null),
            ("Null", Value::Null),
            ("NULL", Value::Null),
            ("nUll", json!("nUll")),
            ("", Value::Null),
            ("2024-1-1", json!("2024-1-1")),
            ("0b", json!("0b")),
            ("0x", json!("0x")),
            ("0b2", json!("0b2")),
            ("-0b", json!("-0b")),
            ("18446744073709551615", json!(18446744073709551615u64)),
            ("9223372036854775808", json!(9223372036854775808u64)),
            ("-9223372036854775808", json!(i64::MIN)),
            ("0.1", f(0.1)),
            ("1e400", json!("1e400")),
            ("1.0e400", json!("1.0e400")),
            ("1:30:00.5e+2", json!("1:30:00.5e+2")),
            ("0_", json!(0)),
            ("+0b1", json!(1)),
            ("1__0", json!(10)),
            ("_1", json!("_1")),
            ("0._5", f(0.5)),
            ("1.5_", f(1.5)),
            ("-0.0", f(-0.0)),
        ];
        for (input, expected) in table {
            let got = scalar(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(got, expected, "input {input:?}");
            // Floats must stay floats and integers integers.
            assert_eq!(
                got.as_f64().map(|_| got.is_f64()),
                expected.as_f64().map(|_| expected.is_f64()),
                "number kind of {input:?}"
            );
        }
    }

    #[test]
    fn integers_beyond_u64_become_floats() {
        assert_eq!(scalar("99999999999999999999"), Ok(f(1e20)));
        assert_eq!(scalar("-99999999999999999999"), Ok(f(-1e20)));
        assert!(scalar("99999999999999999999").is_ok_and(|v| v.is_f64()));
    }

    #[test]
    fn non_finite_floats_are_rejected_by_name() {
        for s in [
            ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".nan", ".NaN", "1.0e+400",
        ] {
            assert_eq!(
                scalar(s),
                Err(format!(
                    "float value '{s}' is not supported (infinity and NaN cannot be represented) at line 1, column 4"
                ))
            );
        }
    }

    #[test]
    fn timestamps_are_rejected_by_name() {
        assert_eq!(
            scalar("2024-01-01"),
            Err("unquoted date '2024-01-01' is not supported: quote it at line 1, column 4".into())
        );
        for s in [
            "2024-01-01 10:00:00",
            "2024-01-01T10:00:00Z",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14 21:59:43.10 -5",
            "2024-13-45",
        ] {
            let e = scalar(s).expect_err(s);
            assert!(e.starts_with("unquoted "), "{s}: {e}");
            assert!(
                e.contains(&format!("'{s}' is not supported: quote it")),
                "{s}: {e}"
            );
        }
        assert_eq!(scalar("'2024-01-01'"), Ok(json!("2024-01-01")));
    }

    #[test]
    fn quoted_and_block_scalars_stay_strings() {
        let doc =
            load("a: '1'\nb: \"yes\"\nc: |\n  line1\n  line2\nd: >\n  folded\n  text\ne: 'null'\n")
                .expect("valid");
        assert_eq!(
            doc,
            Some(
                json!({"a": "1", "b": "yes", "c": "line1\nline2\n", "d": "folded text\n", "e": "null"})
            )
        );
    }

    #[test]
    fn explicit_tags() {
        let doc = load(
            "a: !!str 10\nb: !!int '10'\nc: !!float '1'\nd: !!bool 'yes'\ne: !!null 'x'\nf: !!float 1e3\ng: !!int 0x10\nh: ! 10\ni: !<tag:yaml.org,2002:str> 5\nj: !!str\nk: !!binary aGVs\n  bG8=\n",
        )
        .expect("valid");
        let doc = doc.expect("some");
        assert_eq!(doc["a"], json!("10"));
        assert_eq!(doc["b"], json!(10));
        assert_eq!(doc["c"], f(1.0));
        assert_eq!(doc["d"], json!(true));
        assert_eq!(doc["e"], Value::Null);
        assert_eq!(doc["f"], f(1000.0));
        assert_eq!(doc["g"], json!(16));
        assert_eq!(doc["h"], json!(10));
        assert_eq!(doc["i"], json!("5"));
        assert_eq!(doc["j"], json!(""));
        assert_eq!(doc["k"], json!("aGVsbG8="));
    }

    #[test]
    fn bad_explicit_tags_are_errors() {
        let cases = [
            (
                "a: !!int abc\n",
                "invalid integer 'abc' at line 1, column 10",
            ),
            ("a: !!int\n", "invalid integer '' at line 2, column 1"),
            ("a: 0x_\n", "invalid integer '0x_' at line 1, column 4"),
            (
                "a: !!bool maybe\n",
                "invalid boolean 'maybe' at line 1, column 11",
            ),
            (
                "a: !!float abc\n",
                "invalid float 'abc' at line 1, column 12",
            ),
            (
                "a: !foo bar\n",
                "could not determine a constructor for the tag '!foo' at line 1, column 9",
            ),
            (
                "a: =\n",
                "could not determine a constructor for the tag 'tag:yaml.org,2002:value' at line 1, column 4",
            ),
            (
                "a: <<\n",
                "could not determine a constructor for the tag 'tag:yaml.org,2002:merge' at line 1, column 4",
            ),
            (
                "a: !!set {x, y}\n",
                "tag '!!set' is not supported (use a plain mapping) at line 1, column 10",
            ),
            (
                "a: !!omap [a: 1]\n",
                "tag '!!omap' is not supported (use a plain sequence) at line 1, column 11",
            ),
            (
                "a: !!timestamp 2024-01-01\n",
                "!!timestamp value '2024-01-01' is not supported: use a quoted string at line 1, column 16",
            ),
            (
                "a: !!str [1]\n",
                "tag '!!str' expects a scalar, but found a sequence at line 1, column 10",
            ),
            (
                "a: !!binary '%%'\n",
                "invalid base64 data in !!binary value '%%' at line 1, column 13",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(load(input), Err(expected.to_string()), "input {input:?}");
        }
    }

    #[test]
    fn documents() {
        assert_eq!(load(""), Ok(None));
        assert_eq!(load("---\n"), Ok(None));
        assert_eq!(load("# only a comment\n"), Ok(None));
        assert_eq!(load("~\n"), Ok(None));
        assert_eq!(load("--- null\n"), Ok(None));
        assert_eq!(load("\u{feff}a: 1\n"), Ok(Some(json!({"a": 1}))));
        assert_eq!(load("- 1\n- 2\n"), Ok(Some(json!([1, 2]))));
        assert_eq!(load("hello\n"), Ok(Some(json!("hello"))));
        assert_eq!(load("%YAML 1.1\n---\na: 1\n"), Ok(Some(json!({"a": 1}))));
        assert_eq!(load("a: 1\n...\n"), Ok(Some(json!({"a": 1}))));
        assert_eq!(
            load("a: 1\n---\nb: 2\n"),
            Err("expected a single document in the stream, but found another document at line 2, column 1".into())
        );
    }

    #[test]
    fn syntax_errors_name_the_position() {
        assert_eq!(
            load("a: [1, 2\n"),
            Err("while parsing a flow sequence, expected ',' or ']' at line 2, column 1".into())
        );
        assert_eq!(
            load("a: *nope\n"),
            Err("while parsing node, found unknown anchor at line 1, column 4".into())
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        assert_eq!(load("a: &x 5\nb: *x\n"), Ok(Some(json!({"a": 5, "b": 5}))));
        let doc = load("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n").expect("valid");
        assert_eq!(
            doc,
            Some(json!({"base": {"x": 1, "y": 2}, "d": {"x": 1, "y": 3}}))
        );

        // Earlier mappings in a merge list win; merged keys come first in order.
        let doc = load("a: &a {x: 1, y: 2}\nb: &b {y: 3, z: 4}\nc:\n  <<: [*a, *b]\n  w: 0\n")
            .expect("valid")
            .expect("some");
        assert_eq!(doc["c"], json!({"y": 2, "z": 4, "x": 1, "w": 0}));
        let keys: Vec<&String> = doc["c"].as_object().expect("map").keys().collect();
        assert_eq!(keys, ["y", "z", "x", "w"]);

        let doc = load("a: &a {x: 1}\nc:\n  w: 0\n  <<: *a\n  x: 5\n")
            .expect("valid")
            .expect("some");
        let keys: Vec<&String> = doc["c"].as_object().expect("map").keys().collect();
        assert_eq!(keys, ["x", "w"]);
        assert_eq!(doc["c"], json!({"x": 5, "w": 0}));

        assert_eq!(load("c:\n  '<<': 5\n"), Ok(Some(json!({"c": {"<<": 5}}))));
        assert_eq!(
            load("c:\n  !!merge <<: {a: 1}\n"),
            Ok(Some(json!({"c": {"a": 1}})))
        );
        assert_eq!(
            load("c:\n  <<: 5\n"),
            Err("expected a mapping or list of mappings for merging, but found scalar at line 2, column 7".into())
        );
        assert_eq!(
            load("c:\n  <<: [{a: 1}, 2]\n"),
            Err("expected a mapping for merging, but found scalar at line 2, column 16".into())
        );
        assert_eq!(
            load("- &a [*a]\n"),
            Err("recursive alias is not supported at line 1, column 7".into())
        );
    }

    /// `a0: &a0 [<leaf> × fan]`, then `aN: &aN [*aN-1 × fan]` up to `levels`.
    fn alias_bomb(leaf: &str, fan: usize, levels: usize) -> String {
        let mut text = format!("a0: &a0 [{}]\n", vec![leaf; fan].join(", "));
        for i in 1..levels {
            let item = format!("*a{}", i - 1);
            text.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                vec![item.as_str(); fan].join(", ")
            ));
        }
        text
    }

    fn expansion_error(err: &str) {
        assert!(
            err.starts_with(
                "document expands beyond 64 MiB through aliases, repeating the value at line "
            ),
            "{err}"
        );
        assert!(err.ends_with(" (use fewer aliases or merge keys)"), "{err}");
    }

    #[test]
    fn alias_bombs_are_bounded() {
        let started = std::time::Instant::now();
        expansion_error(&load(&alias_bomb("x", 10, 10)).expect_err("too large"));
        // Few values, each a long string: bounded by size, not by count.
        let long = format!("s: &s '{}'\n", "x".repeat(1000));
        let text = format!("{long}{}", alias_bomb("*s", 10, 5));
        assert!(text.len() < 2000);
        expansion_error(&load(&text).expect_err("too large"));
        // Merge keys copy pairs too.
        let mut merges = String::from("m0: &m0 {a: 1, b: 2, c: 3, d: 4}\n");
        for i in 1..12 {
            let p = i - 1;
            merges.push_str(&format!(
                "m{i}: &m{i} {{<<: [*m{p}, *m{p}, *m{p}, *m{p}, *m{p}, *m{p}, *m{p}, *m{p}]}}\n"
            ));
        }
        expansion_error(&load(&merges).expect_err("too large"));
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn reasonable_aliases_and_large_documents_load() {
        // A thousand copies of a kilobyte string: 1 MB, well within the bound.
        let long = format!("s: &s '{}'\n", "x".repeat(1000));
        let doc = load(&format!("{long}{}", alias_bomb("*s", 10, 3)))
            .expect("valid")
            .expect("some");
        assert_eq!(doc["a2"][9][9][9].as_str().map(str::len), Some(1000));
        // What the document holds without aliases never counts against the bound.
        let mib = 1024 * 1024;
        let big = format!(
            "big: '{}'\nlist: [{}]\n",
            "y".repeat(2 * mib),
            vec!["1"; 20_000].join(",")
        );
        let doc = load_in(&big, Mode::Request, mib)
            .expect("valid")
            .expect("some");
        assert_eq!(doc["list"].as_array().map(Vec::len), Some(20_000));
        // With aliases on top it is refused at the bound given.
        let aliased = format!("s: &s '{}'\n{big}again: [*s, *s]\n", "w".repeat(mib / 2));
        assert_eq!(
            load_in(&aliased, Mode::Request, mib),
            Err("document expands beyond 1 MiB through aliases, repeating the value at line 1, column 7 (use fewer aliases or merge keys)".into())
        );
    }

    // Messages measured with PyYAML 6.0.3 `yaml.safe_load`: "unacceptable character
    // #x0000: special characters are not allowed\n  in "<unicode string>", position 4".
    #[test]
    fn characters_pyyaml_refuses() {
        let cases = [
            ("a: b\u{0}c\n", "#x0000", 1, 5, 4),
            ("a: \u{1}\n", "#x0001", 1, 4, 3),
            ("a: \u{7f}\n", "#x007f", 1, 4, 3),
            ("\u{0}", "#x0000", 1, 1, 0),
            ("a: 1\n\u{1b}[31m\n", "#x001b", 2, 1, 5),
            ("a: '\u{8}'\n", "#x0008", 1, 5, 4),
            ("k: \u{fffe}\n", "#xfffe", 1, 4, 3),
            ("a: \u{b}\n", "#x000b", 1, 4, 3),
            ("a: \u{c}\n", "#x000c", 1, 4, 3),
            ("# c\u{0}\n", "#x0000", 1, 4, 3),
            ("a: 1\nb: x\u{0}y\n", "#x0000", 2, 5, 9),
            ("\u{feff}a: \u{9f}\n", "#x009f", 1, 5, 4),
        ];
        for (text, code, line, column, position) in cases {
            let want = format!(
                "unacceptable character {code}: special characters are not allowed at line {line}, column {column} (position {position})"
            );
            assert_eq!(load(text), Err(want.clone()), "{text:?}");
            assert_eq!(load_config(text), Err(want), "{text:?}");
        }
        // Escapes in double quotes, tabs, NEL and non-BMP characters are fine.
        assert_eq!(load("a: \"\\x00\"\n"), Ok(Some(json!({"a": "\u{0}"}))));
        assert_eq!(load("a: \"x\ty\"\n"), Ok(Some(json!({"a": "x\ty"}))));
        assert_eq!(
            load("a: \"\u{1f600}\u{a0}\"\n"),
            Ok(Some(json!({"a": "\u{1f600}\u{a0}"})))
        );
    }

    // PyYAML 6.0.3: `safe_load("a: b\x85c\n")` fails (a line break in a plain key
    // context), `safe_load("a: 'x\x85  y'\n")` gives {'a': 'x y'}.
    #[test]
    fn nel_is_a_line_break() {
        assert!(load("a: b\u{85}c\n").is_err());
        assert_eq!(load("a: 'x\u{85}  y'\n"), Ok(Some(json!({"a": "x y"}))));
        assert_eq!(load("a: 1\u{85}b: 2\n"), Ok(Some(json!({"a": 1, "b": 2}))));
        assert_eq!(load("a: \"\\N\"\n"), Ok(Some(json!({"a": "\u{85}"}))));
    }

    #[test]
    fn configuration_files_keep_dates_and_non_finite_floats_as_text() {
        let text = "created: 2024-01-01\nwhen: 2024-01-01 10:00:00\nratio: .inf\nlow: -.Inf\nn: .nan\nhuge: 1.0e+400\nt: !!timestamp 2001-12-14\nn2: 1.5\nendpoints:\n  plugin: grpc://localhost:50051\n";
        assert_eq!(
            load_config(text),
            Ok(Some(json!({
                "created": "2024-01-01",
                "when": "2024-01-01 10:00:00",
                "ratio": ".inf",
                "low": "-.Inf",
                "n": ".nan",
                "huge": "1.0e+400",
                "t": "2001-12-14",
                "n2": 1.5,
                "endpoints": {"plugin": "grpc://localhost:50051"}
            })))
        );
        // Request data still refuses them, and other errors stay errors in both.
        assert!(load(text).is_err());
        assert_eq!(
            load_config("a: !!int abc\n"),
            Err("invalid integer 'abc' at line 1, column 10".into())
        );
        assert!(load_config("a: [1\n").is_err());
    }

    #[test]
    fn quoted_values_in_errors_are_short_and_on_one_line() {
        let long = "z".repeat(500);
        let e = load(&format!("a: !!int {long}\n")).expect_err("invalid");
        assert_eq!(
            e,
            format!("invalid integer '{}…' at line 1, column 10", "z".repeat(60))
        );
        let e = load("a: !!int \"1\\n2\"\n").expect_err("invalid");
        assert_eq!(e, "invalid integer '1\\n2' at line 1, column 10");
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let text = format!("{}{}", "[".repeat(2000), "]".repeat(2000));
        let err = load(&text).expect_err("too deep");
        assert!(
            err.contains("nested too deeply") || err.contains("recursion limit exceeded"),
            "{err}"
        );
    }

    /// Deep documents are composed without recursion and built with small frames:
    /// 500 levels fit in the stack of a tokio worker (2 MiB, where the plugin host reads
    /// metadata) even in a debug build, and composing a flow document 510 levels deep
    /// (which the event parser refuses at its end) needs less than 768 KiB.
    #[test]
    fn deep_documents_need_little_stack() {
        let block: String = (0..500).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        let flow = include_str!("../../tests/data/fuzz/yaml/deep-flow-mappings.yaml");
        let on_stack = |kib: usize, text: String| {
            std::thread::Builder::new()
                .stack_size(kib * 1024)
                .spawn(move || load(&text).map(|v| v.is_some()))
                .expect("thread")
                .join()
                .expect("no stack overflow")
        };
        assert_eq!(on_stack(2048, block), Ok(true));
        assert_eq!(
            on_stack(768, flow.to_string()),
            Err("recursion limit exceeded at line 1, column 1616".to_string())
        );
    }

    #[test]
    fn mapping_keys() {
        let doc =
            load("1: a\ntrue: b\n1.5: c\n~: d\nyes: e\n0x10: f\n'x': g\n=: h\n").expect("valid");
        assert_eq!(
            doc,
            Some(
                json!({"1": "a", "true": "e", "1.5": "c", "null": "d", "16": "f", "x": "g", "=": "h"})
            )
        );
        assert_eq!(
            load("[1,2]: a\n"),
            Err(
                "found unhashable key (a sequence cannot be a mapping key) at line 1, column 1"
                    .into()
            )
        );
        // Duplicate keys: the last value wins, at the first key's position.
        let doc = load("a: b\nc: 1\na: c\n").expect("valid").expect("some");
        let keys: Vec<&String> = doc.as_object().expect("map").keys().collect();
        assert_eq!(keys, ["a", "c"]);
        assert_eq!(doc["a"], json!("c"));
    }

    #[test]
    fn ordinary_documents() {
        let text = "\
# environment
endpoint:
  identity: grpc://identity:50051   # comment
  inventory: grpc+ssl://inventory.example.com:443
token: >-
  abc
  def
list: [a, {b: 1, c: [true, off]}, ~]
nested:
  - name: one
    value: 1.5
  -
    name: two
empty_map: {}
empty_list: []
multi: \"a\\tb\\u00e9\"
";
        assert_eq!(
            load(text),
            Ok(Some(json!({
                "endpoint": {
                    "identity": "grpc://identity:50051",
                    "inventory": "grpc+ssl://inventory.example.com:443"
                },
                "token": "abc def",
                "list": ["a", {"b": 1, "c": [true, false]}, null],
                "nested": [{"name": "one", "value": 1.5}, {"name": "two"}],
                "empty_map": {},
                "empty_list": [],
                "multi": "a\tb\u{e9}"
            })))
        );
    }

    #[test]
    fn resolver_names() {
        assert_eq!(resolve(""), "null");
        assert_eq!(resolve("<<"), "merge");
        assert_eq!(resolve("="), "value");
        assert_eq!(resolve("2024-01-01"), "timestamp");
        assert_eq!(resolve("No"), "bool");
        assert_eq!(resolve("Null"), "null");
        assert_eq!(resolve("hello"), "str");
    }
}
