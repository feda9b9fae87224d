//! Grammar-based generators: YAML documents with every construct the loader knows,
//! JSON values, and structured documents (metadata, manifests, protocol lines) built
//! from a vocabulary of the format's keys.

use serde_json::{Map, Number, Value};

use super::Rng;

/// Plain scalars each YAML 1.1 resolver has an opinion on.
pub const YAML_SCALARS: &[&str] = &[
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "n",
    "true",
    "False",
    "~",
    "null",
    "Null",
    "",
    "0",
    "-0",
    "010",
    "0o17",
    "0x1F",
    "0x_1F",
    "-0b101",
    "0b",
    "1_000",
    "+12",
    "09",
    "1:30",
    "190:20:30",
    "1:60",
    "1.5",
    "1.",
    ".5",
    "-.5",
    "1e3",
    "1.5e+3",
    "1.0e+400",
    "-1.5E-3",
    "1:30.5",
    ".inf",
    "-.Inf",
    ".NaN",
    "inf",
    "2024-01-01",
    "2024-1-1",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "2024-13-45",
    "<<",
    "=",
    "99999999999999999999",
    "18446744073709551616",
    "-9223372036854775809",
    "0._5",
    "_1",
    "grpc://localhost:50051",
    "a b c",
    "한국어",
    "😀",
    "x:y",
    "-",
    "?",
    "%",
    "@",
    "`",
];

/// Tags, explicit and shorthand.
pub const YAML_TAGS: &[&str] = &[
    "!!str",
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!!binary",
    "!!timestamp",
    "!!set",
    "!!omap",
    "!!pairs",
    "!!map",
    "!!seq",
    "!!merge",
    "!!value",
    "!foo",
    "!",
    "!<tag:yaml.org,2002:str>",
    "!<tag:yaml.org,2002:int>",
    "!!python/tuple",
    "!e!x",
];

/// Tokens worth inserting into YAML text.
pub const YAML_TOKENS: &[&str] = &[
    ": ",
    "- ",
    "? ",
    "&a ",
    "*a",
    "*b",
    "&b ",
    "<<: *a\n",
    "!!str ",
    "!!binary ",
    "|\n  ",
    ">-\n  ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "'",
    "\"",
    "\\x00",
    "\\u0000",
    "\\",
    "#",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "%TAG ! tag:x,2002:\n",
    "\t",
    "\n",
    "\r\n",
    "\u{85}",
    "\u{2028}",
    "\u{feff}",
    "\u{0}",
    "\u{1b}",
    "\u{7f}",
    "\u{fffe}",
    "2024-01-01",
    ".inf",
    "0x",
    "1:30",
    "~",
    "=",
];

fn word(rng: &mut Rng) -> String {
    const WORDS: &[&str] = &[
        "name",
        "key",
        "value",
        "items",
        "data",
        "options",
        "secret_data",
        "api_key",
        "token",
        "endpoints",
        "plugin",
        "a",
        "b",
        "x",
        "type",
        "fields",
        "list",
        "id",
    ];
    let w = rng.pick(WORDS);
    if rng.one_in(4) {
        format!("{w}{}", rng.below(100))
    } else {
        (*w).to_string()
    }
}

fn quoted(rng: &mut Rng) -> String {
    const PARTS: &[&str] = &[
        "a",
        " ",
        "\\n",
        "\\t",
        "\\\"",
        "\\\\",
        "\\x41",
        "\\u00e9",
        "\\U0001F600",
        "\\0",
        "\\e",
        "\\N",
        "\\_",
        "\\L",
        "\\P",
        "\\z",
        "'",
        "#",
        ": ",
        "\\",
        "\\x",
        "\\uD800",
    ];
    let n = rng.below(6);
    if rng.one_in(2) {
        let body: String = (0..n).map(|_| *rng.pick(PARTS)).collect();
        format!("\"{body}\"")
    } else {
        let body: String = (0..n)
            .map(|_| match rng.below(4) {
                0 => "''",
                1 => " ",
                2 => "\"",
                _ => "x",
            })
            .collect();
        format!("'{body}'")
    }
}

fn scalar(rng: &mut Rng, indent: usize) -> String {
    match rng.below(10) {
        0..=3 => (*rng.pick(YAML_SCALARS)).to_string(),
        4 | 5 => word(rng),
        6 => quoted(rng),
        7 => {
            let style = *rng.pick(&["|", ">", "|-", ">+", "|2", ">-"]);
            let pad = " ".repeat(indent + 2);
            let lines: Vec<String> = (0..1 + rng.below(3))
                .map(|_| format!("{pad}{}", word(rng)))
                .collect();
            format!("{style}\n{}", lines.join("\n"))
        }
        8 => "x".repeat(rng.below(3000)),
        _ => format!("{}", rng.next_u64() as i64 >> rng.below(64)),
    }
}

/// State of one generated YAML document.
struct YamlGen {
    anchors: Vec<String>,
    nodes: usize,
}

impl YamlGen {
    fn prefix(&mut self, rng: &mut Rng) -> String {
        let mut p = String::new();
        if rng.one_in(8) {
            let tag: &str = rng.pick::<&str>(YAML_TAGS);
            p.push_str(tag);
            p.push(' ');
        }
        if rng.one_in(6) {
            let name = format!("a{}", self.anchors.len());
            p.push_str(&format!("&{name} "));
            self.anchors.push(name);
        }
        p
    }

    fn alias(&self, rng: &mut Rng) -> Option<String> {
        if self.anchors.is_empty() || !rng.one_in(5) {
            return None;
        }
        if rng.one_in(30) {
            return Some("*undefined".to_string());
        }
        Some(format!("*{}", rng.pick(&self.anchors)))
    }

    /// A flow node (`[...]`, `{...}` or a scalar).
    fn flow(&mut self, rng: &mut Rng, depth: usize) -> String {
        self.nodes += 1;
        if let Some(a) = self.alias(rng) {
            return a;
        }
        let p = self.prefix(rng);
        if depth == 0 || self.nodes > 200 {
            return format!("{p}{}", flow_scalar(rng));
        }
        match rng.below(3) {
            0 => {
                let items: Vec<String> = (0..rng.below(5))
                    .map(|_| self.flow(rng, depth - 1))
                    .collect();
                format!("{p}[{}]", items.join(", "))
            }
            1 => {
                let pairs: Vec<String> = (0..rng.below(5))
                    .map(|_| {
                        let k = if rng.one_in(6) {
                            self.flow(rng, depth - 1)
                        } else {
                            word(rng)
                        };
                        format!("{k}: {}", self.flow(rng, depth - 1))
                    })
                    .collect();
                format!("{p}{{{}}}", pairs.join(", "))
            }
            _ => format!("{p}{}", flow_scalar(rng)),
        }
    }

    /// A block node at `indent`, as the text after `key:` or `-`.
    fn block(&mut self, rng: &mut Rng, indent: usize, depth: usize) -> String {
        self.nodes += 1;
        if let Some(a) = self.alias(rng) {
            return format!(" {a}\n");
        }
        let p = self.prefix(rng);
        if depth == 0 || self.nodes > 200 {
            return format!(" {p}{}\n", scalar(rng, indent));
        }
        let pad = " ".repeat(indent + 2);
        match rng.below(5) {
            0 => {
                let mut out = format!(" {p}\n");
                for _ in 0..1 + rng.below(4) {
                    out.push_str(&format!("{pad}-{}", self.block(rng, indent + 2, depth - 1)));
                }
                out
            }
            1 | 2 => {
                let mut out = format!(" {p}\n");
                for _ in 0..1 + rng.below(4) {
                    if !self.anchors.is_empty() && rng.one_in(6) {
                        let target = if rng.one_in(3) {
                            let a = rng.pick(&self.anchors).clone();
                            let b = rng.pick(&self.anchors).clone();
                            format!("[*{a}, *{b}]")
                        } else {
                            format!("*{}", rng.pick(&self.anchors))
                        };
                        out.push_str(&format!("{pad}<<: {target}\n"));
                        continue;
                    }
                    let key = if rng.one_in(10) {
                        (*rng.pick(YAML_SCALARS)).to_string()
                    } else {
                        word(rng)
                    };
                    out.push_str(&format!(
                        "{pad}{key}:{}",
                        self.block(rng, indent + 2, depth - 1)
                    ));
                }
                out
            }
            3 => format!(" {}\n", self.flow(rng, depth.min(3))),
            _ => format!(" {p}{}\n", scalar(rng, indent)),
        }
    }
}

fn flow_scalar(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => quoted(rng),
        1 => word(rng),
        _ => {
            let s = *rng.pick(YAML_SCALARS);
            if s.is_empty() || s.contains([',', '[', ']', '{', '}', ':', '?', '-', '%', '@', '`']) {
                format!("'{s}'")
            } else {
                s.to_string()
            }
        }
    }
}

/// `a0: &a0 [leaf × fan]`, then each level repeating the previous `fan` times.
fn alias_bomb(rng: &mut Rng) -> String {
    let fan = 2 + rng.below(9);
    let levels = 2 + rng.below(9);
    let leaf = if rng.one_in(2) {
        "x".to_string()
    } else {
        format!("'{}'", "y".repeat(rng.below(5000)))
    };
    let mut text = format!("a0: &a0 [{}]\n", vec![leaf.as_str(); fan].join(", "));
    for i in 1..levels {
        let item = format!("*a{}", i - 1);
        if rng.one_in(3) {
            let merges = vec![item.as_str(); fan].join(", ");
            text.push_str(&format!("a{i}: &a{i} {{k{i}: 1, <<: [{merges}]}}\n"));
        } else {
            text.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                vec![item.as_str(); fan].join(", ")
            ));
        }
    }
    text
}

/// A YAML stream: usually one document of random structure, sometimes deep nesting,
/// an alias bomb, several documents or directives.
pub fn yaml(rng: &mut Rng) -> String {
    match rng.below(20) {
        0 => {
            let n = rng.below(1500);
            let (open, close) = if rng.one_in(2) {
                ("[", "]")
            } else {
                ("{a: ", "}")
            };
            format!(
                "{}{}",
                open.repeat(n),
                close.repeat(if rng.one_in(3) { n / 2 } else { n })
            )
        }
        1 => alias_bomb(rng),
        2 => {
            let n = rng.below(400);
            (0..n).map(|i| format!("{}- \n", "  ".repeat(i))).collect()
        }
        _ => {
            let mut g = YamlGen {
                anchors: Vec::new(),
                nodes: 0,
            };
            let mut out = String::new();
            if rng.one_in(10) {
                let piece: &str = rng.pick::<&str>(&[
                    "%YAML 1.1\n---\n",
                    "---\n",
                    "--- !!map\n",
                    "%YAML 1.2\n---\n",
                ]);
                out.push_str(piece);
            }
            let depth = 1 + rng.below(6);
            match rng.below(4) {
                0 => out.push_str(&format!("{}\n", g.flow(rng, depth))),
                1 => out.push_str(g.block(rng, 0, depth).trim_start()),
                _ => {
                    for _ in 0..1 + rng.below(6) {
                        out.push_str(&format!("{}:{}", word(rng), g.block(rng, 0, depth)));
                    }
                }
            }
            if rng.one_in(12) {
                let piece: &str = rng.pick::<&str>(&["---\nb: 2\n", "...\n", "# end\n", "\n\n"]);
                out.push_str(piece);
            }
            out
        }
    }
}

/// A random JSON value: nesting up to `depth`, strings from `strings` or random
/// ones, keys from `keys` or random ones.
pub fn json_value(rng: &mut Rng, depth: usize, keys: &[&str], strings: &[&str]) -> Value {
    let choice = if depth == 0 {
        rng.below(5)
    } else {
        rng.below(8)
    };
    match choice {
        0 => Value::Null,
        1 => Value::Bool(rng.one_in(2)),
        2 => match rng.below(4) {
            0 => Value::from(rng.next_u64()),
            1 => Value::from(rng.next_u64() as i64),
            2 => {
                Number::from_f64(f64::from_bits(rng.next_u64())).map_or(Value::Null, Value::Number)
            }
            _ => Value::from(rng.below(10) as i64 - 3),
        },
        3 | 4 => Value::String(if !strings.is_empty() && rng.one_in(2) {
            (*rng.pick(strings)).to_string()
        } else {
            let n = rng.below(12);
            (0..n)
                .map(|_| {
                    *rng.pick(&[
                        "a", "Z", " ", "\"", "\\", "\n", "\u{0}", "é", "😀", "=", ".", "*",
                    ])
                })
                .collect()
        }),
        5 => Value::Array(
            (0..rng.below(5))
                .map(|_| json_value(rng, depth - 1, keys, strings))
                .collect(),
        ),
        _ => {
            let mut m = Map::new();
            for _ in 0..rng.below(6) {
                let k = if !keys.is_empty() && !rng.one_in(5) {
                    (*rng.pick(keys)).to_string()
                } else {
                    word(rng)
                };
                m.insert(k, json_value(rng, depth - 1, keys, strings));
            }
            Value::Object(m)
        }
    }
}
