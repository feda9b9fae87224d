//! A streamed item as its handler sent it: the JSON of the reply line read
//! once into a flat list of nodes (a tape) whose texts point into a copy of
//! the line. Reading it costs no hashing and one allocation per escaped text
//! run instead of one per text and mapping, so a kind can shape and encode an
//! item straight from the tape; [`Item::to_value`] gives the `serde_json`
//! value the same line parses into, for everything else.
//!
//! The tape is filled by `serde_json`'s own parser, so what it accepts (and its
//! nesting limit) is exactly what `serde_json::from_slice` accepts.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Slot {
    Null,
    Bool(bool),
    /// An integer of 0 or more (serde_json's `PosInt`).
    Pos(u64),
    /// A negative integer.
    Neg(i64),
    Float(f64),
    /// A text: `start..start + len` of the line, or of `escaped` when `own`.
    Text {
        start: u32,
        len: u32,
        own: bool,
    },
    /// `len` items follow; the slot after the last one is `end`.
    Array {
        len: u32,
        end: u32,
    },
    /// `len` pairs of a key (a `Text`) and a value follow; then `end`.
    Object {
        len: u32,
        end: u32,
    },
}

/// A parsed JSON document: the line it was read from and its tape.
#[derive(Clone, PartialEq)]
pub struct Tape {
    /// The line; the ranges of its `Text` slots are the `&str`s serde_json
    /// read from it.
    line: Vec<u8>,
    escaped: String,
    slots: Vec<Slot>,
}

impl fmt::Debug for Tape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tape({})", self.node(0).to_value())
    }
}

impl Tape {
    /// The document `line` holds, or `None` where `serde_json::from_slice`
    /// fails too (or the line is longer than 4 GiB).
    #[cfg(test)]
    pub fn parse(line: &[u8]) -> Option<Tape> {
        Tape::parse_owned(line.to_vec()).ok()
    }

    /// [`Tape::parse`] of a line the caller gives away (kept, not copied);
    /// the line back where it is not a document.
    pub fn parse_owned(line: Vec<u8>) -> Result<Tape, Vec<u8>> {
        if u32::try_from(line.len()).is_err() {
            return Err(line);
        }
        let mut b = Builder {
            base: line.as_ptr() as usize,
            len: line.len(),
            escaped: String::new(),
            slots: Vec::with_capacity(line.len() / 12 + 4),
        };
        let mut de = serde_json::Deserializer::from_slice(&line);
        let read = Fill(&mut b).deserialize(&mut de).and_then(|()| de.end());
        if read.is_err() {
            return Err(line);
        }
        Ok(Tape {
            line,
            escaped: b.escaped,
            slots: b.slots,
        })
    }

    /// The line the tape was read from.
    pub fn line(&self) -> &[u8] {
        &self.line
    }

    /// The value at `position` ([`Node::position`]) as an item of its own.
    pub fn into_item(self, position: usize) -> Item {
        let root = if position < self.slots.len() {
            position
        } else {
            0
        };
        Item { tape: self, root }
    }

    /// The whole document.
    pub fn root(&self) -> Node<'_> {
        self.node(0)
    }

    fn node(&self, at: usize) -> Node<'_> {
        Node { tape: self, at }
    }

    fn text(&self, start: u32, len: u32, own: bool) -> &str {
        let range = start as usize..(start + len) as usize;
        if own {
            return self.escaped.get(range).unwrap_or_default();
        }
        let bytes = &self.line[range];
        // SAFETY: a `Text` slot that is not `own` holds the range of a `&str`
        // serde_json borrowed from this very line (`Builder::text` checks it
        // lies inside it), and the line is never changed: valid UTF-8, whole
        // characters. Checking again would read every text a second time.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

/// One value inside a [`Tape`].
#[derive(Clone, Copy)]
pub struct Node<'a> {
    tape: &'a Tape,
    at: usize,
}

impl fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_value())
    }
}

/// What a [`Node`] holds.
#[derive(Clone, Copy, Debug)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    /// A number, as `f64` (`Value::as_f64`).
    Number(f64),
    Str(&'a str),
    Array(Items<'a>),
    Object(Entries<'a>),
}

impl<'a> Node<'a> {
    fn slot(&self) -> Slot {
        self.tape.slots[self.at]
    }

    /// The slot after this value.
    fn end(&self) -> usize {
        match self.slot() {
            Slot::Array { end, .. } | Slot::Object { end, .. } => end as usize,
            _ => self.at + 1,
        }
    }

    pub fn json(&self) -> Json<'a> {
        let tape = self.tape;
        match tape.slots[self.at] {
            Slot::Null => Json::Null,
            Slot::Bool(b) => Json::Bool(b),
            Slot::Pos(u) => Json::Number(u as f64),
            Slot::Neg(i) => Json::Number(i as f64),
            Slot::Float(f) => Json::Number(f),
            Slot::Text { start, len, own } => Json::Str(tape.text(start, len, own)),
            Slot::Array { len, .. } => Json::Array(Items {
                tape,
                next: self.at + 1,
                left: len as usize,
            }),
            Slot::Object { len, .. } => Json::Object(Entries {
                tape,
                next: self.at + 1,
                left: len as usize,
            }),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.slot(), Slot::Null)
    }

    pub fn as_str(&self) -> Option<&'a str> {
        match self.json() {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.slot() {
            Slot::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// A non-negative integer (as `Value::as_u64`).
    pub fn as_u64(&self) -> Option<u64> {
        match self.slot() {
            Slot::Pos(u) => Some(u),
            _ => None,
        }
    }

    pub fn entries(&self) -> Option<Entries<'a>> {
        match self.json() {
            Json::Object(e) => Some(e),
            _ => None,
        }
    }

    pub fn items(&self) -> Option<Items<'a>> {
        match self.json() {
            Json::Array(i) => Some(i),
            _ => None,
        }
    }

    /// The value of `key` in a mapping; of a key written twice, the last one
    /// (as `serde_json` keeps it).
    pub fn get(&self, key: &str) -> Option<Node<'a>> {
        let Slot::Object { len, .. } = self.slot() else {
            return None;
        };
        let tape = self.tape;
        let mut found = None;
        let mut at = self.at + 1;
        for _ in 0..len {
            let value = tape.node(at + 1);
            if let Slot::Text { start, len, own } = tape.slots[at]
                && len as usize == key.len()
                && tape.text(start, len, own) == key
            {
                found = Some(value);
            }
            at = value.end();
        }
        found
    }

    /// The value `serde_json` reads from the same text.
    pub fn to_value(self) -> Value {
        match self.slot() {
            Slot::Null => Value::Null,
            Slot::Bool(b) => Value::Bool(b),
            Slot::Pos(u) => Value::Number(u.into()),
            Slot::Neg(i) => Value::Number(i.into()),
            Slot::Float(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
            Slot::Text { start, len, own } => {
                Value::String(self.tape.text(start, len, own).to_string())
            }
            Slot::Array { len, .. } => {
                let mut out = Vec::with_capacity(len as usize);
                out.extend(self.items().into_iter().flatten().map(|n| n.to_value()));
                Value::Array(out)
            }
            Slot::Object { len, .. } => {
                let mut out = Map::with_capacity(len as usize);
                for (k, v) in self.entries().into_iter().flatten() {
                    out.insert(k.to_string(), v.to_value());
                }
                Value::Object(out)
            }
        }
    }

    /// Where this value is on its tape (see [`Tape::into_item`]).
    pub fn position(&self) -> usize {
        self.at
    }
}

/// The items of an array.
#[derive(Clone, Copy, Debug)]
pub struct Items<'a> {
    tape: &'a Tape,
    next: usize,
    left: usize,
}

impl<'a> Iterator for Items<'a> {
    type Item = Node<'a>;
    fn next(&mut self) -> Option<Node<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let node = self.tape.node(self.next);
        self.next = node.end();
        Some(node)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Items<'_> {}

/// The key and value pairs of a mapping, in the order written (a key written
/// twice comes twice).
#[derive(Clone, Copy, Debug)]
pub struct Entries<'a> {
    tape: &'a Tape,
    next: usize,
    left: usize,
}

impl<'a> Iterator for Entries<'a> {
    type Item = (&'a str, Node<'a>);
    fn next(&mut self) -> Option<(&'a str, Node<'a>)> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let key = self.tape.node(self.next).as_str().unwrap_or_default();
        let value = self.tape.node(self.next + 1);
        self.next = value.end();
        Some((key, value))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Entries<'_> {}

/// One streamed item: a tape and where in it the item is.
#[derive(Clone)]
pub struct Item {
    tape: Tape,
    root: usize,
}

/// Items are equal when they hold the same value.
impl PartialEq for Item {
    fn eq(&self, other: &Item) -> bool {
        self.to_value() == other.to_value()
    }
}

impl fmt::Debug for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Item({})", self.node().to_value())
    }
}

impl Item {
    pub fn node(&self) -> Node<'_> {
        self.tape.node(self.root)
    }

    /// The item as a `serde_json` value.
    pub fn to_value(&self) -> Value {
        self.node().to_value()
    }

    /// The item holding `v`.
    #[cfg(test)]
    pub fn from_value(v: &Value) -> Item {
        let text = serde_json::to_vec(v).unwrap_or_else(|_| b"null".to_vec());
        let tape = Tape::parse(&text).unwrap_or_else(|| Tape::parse(b"null").expect("null parses"));
        Item { tape, root: 0 }
    }
}

struct Builder {
    base: usize,
    len: usize,
    escaped: String,
    slots: Vec<Slot>,
}

impl Builder {
    fn text(&mut self, s: &str, borrowed: bool) {
        let at = (s.as_ptr() as usize).wrapping_sub(self.base);
        let slot = if borrowed && at <= self.len && s.len() <= self.len - at {
            Slot::Text {
                start: at as u32,
                len: s.len() as u32,
                own: false,
            }
        } else {
            let start = self.escaped.len() as u32;
            self.escaped.push_str(s);
            Slot::Text {
                start,
                len: s.len() as u32,
                own: true,
            }
        };
        self.slots.push(slot);
    }
}

/// Reads one value onto the tape.
struct Fill<'b>(&'b mut Builder);

impl<'de> DeserializeSeed<'de> for Fill<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Fill<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.slots.push(Slot::Null);
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<(), E> {
        self.0.slots.push(Slot::Bool(b));
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<(), E> {
        self.0.slots.push(Slot::Pos(u));
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, i: i64) -> Result<(), E> {
        // serde_json's Number keeps a non-negative i64 as PosInt.
        self.0.slots.push(if i >= 0 {
            Slot::Pos(i as u64)
        } else {
            Slot::Neg(i)
        });
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<(), E> {
        self.0.slots.push(Slot::Float(f));
        Ok(())
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<(), E> {
        self.0.text(s, true);
        Ok(())
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        self.0.text(s, false);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let at = self.0.slots.len();
        self.0.slots.push(Slot::Array { len: 0, end: 0 });
        let mut len = 0u32;
        while seq.next_element_seed(Fill(self.0))?.is_some() {
            len += 1;
        }
        let end = self.0.slots.len() as u32;
        self.0.slots[at] = Slot::Array { len, end };
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let at = self.0.slots.len();
        self.0.slots.push(Slot::Object { len: 0, end: 0 });
        let mut len = 0u32;
        while map.next_key_seed(Fill(self.0))?.is_some() {
            map.next_value_seed(Fill(self.0))?;
            len += 1;
        }
        let end = self.0.slots.len() as u32;
        self.0.slots[at] = Slot::Object { len, end };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tape's value is the one serde_json reads from the same text.
    fn same(text: &str) {
        let want: Value = serde_json::from_str(text).expect("json");
        let tape = Tape::parse(text.as_bytes()).expect("tape");
        assert_eq!(tape.root().to_value(), want, "{text}");
        // Keys keep serde_json's order too (first place, last value).
        assert_eq!(
            serde_json::to_string(&tape.root().to_value()).unwrap(),
            serde_json::to_string(&want).unwrap()
        );
    }

    #[test]
    fn values_are_the_ones_serde_json_reads() {
        for text in [
            r#"{"id":3,"item":{"a":[1,-2,3.5,1e300,-0,0.1,18446744073709551615,-9223372036854775808],"b":null,"c":true}}"#,
            r#"{"k":"plain","e":"tab\there \"q\" \u00e9\ud83d\ude00","ü":"ü"}"#,
            r#"{"d":1,"d":2,"x":{"d":[{"d":3},{"d":{"d":4}}]},"d":5}"#,
            r#"[[],{},[{}],"",{"":""}]"#,
            r#""just a text""#,
            "  {\"spaced\" : [ 1 , 2 ] }  ",
            r#"1.0"#,
            r#"-12"#,
        ] {
            same(text);
        }
    }

    #[test]
    fn what_serde_json_refuses_is_refused() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        for text in [
            "",
            "{",
            "{\"a\":1}x",
            "[1,]",
            "{\"a\":NaN}",
            "\"\\x\"",
            &deep,
            "{\"a\":\"\u{1}\"}",
        ] {
            assert!(serde_json::from_str::<Value>(text).is_err(), "{text}");
            assert!(Tape::parse(text.as_bytes()).is_none(), "{text}");
        }
        let ok = format!("{}{}", "[".repeat(120), "]".repeat(120));
        same(&ok);
    }

    #[test]
    fn nodes_answer_like_values() {
        let tape = Tape::parse(
            br#"{"n":7,"m":-7,"f":2.5,"s":"x\ny","l":[1,"a"],"o":{"k":false},"k":1,"k":2}"#,
        )
        .unwrap();
        let root = tape.root();
        assert_eq!(root.get("n").and_then(|n| n.as_u64()), Some(7));
        assert_eq!(root.get("m").and_then(|n| n.as_u64()), None);
        assert!(matches!(root.get("f").unwrap().json(), Json::Number(f) if f == 2.5));
        assert_eq!(root.get("s").and_then(|n| n.as_str()), Some("x\ny"));
        assert_eq!(root.get("l").unwrap().items().unwrap().len(), 2);
        assert_eq!(
            root.get("o").unwrap().get("k").and_then(|n| n.as_bool()),
            Some(false)
        );
        assert_eq!(root.get("k").and_then(|n| n.as_u64()), Some(2));
        assert!(root.get("absent").is_none());
        let keys: Vec<&str> = root.entries().unwrap().map(|(k, _)| k).collect();
        assert_eq!(keys, ["n", "m", "f", "s", "l", "o", "k", "k"]);
        let at = root.get("l").unwrap().position();
        let item = tape.clone().into_item(at);
        assert_eq!(item.to_value(), serde_json::json!([1, "a"]));
        assert_eq!(
            Item::from_value(&serde_json::json!({"a": [1]})).to_value(),
            serde_json::json!({"a": [1]})
        );
    }
}
