//! `${{ ... }}` expressions in manifests, rendered with minijinja (Jinja2 syntax).
//!
//! Rendering is structural: the task value is walked and every string is rendered
//! on its own, so substituted text can never break the surrounding document.
//! A string that renders to exactly one `to_data` result becomes that JSON value
//! (a list, a mapping, a number, ...); anywhere else `to_data` inserts JSON text.
//! Conditions (`if:`) are minijinja expressions; nothing is ever run as code.

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value as TplValue};
use serde_json::{Map, Value};

/// Brackets `to_data` output inside rendered text (private-use code points that
/// never occur in manifests).
const DATA_OPEN: char = '\u{F8F0}';
const DATA_CLOSE: char = '\u{F8F1}';

/// Renders strings and evaluates conditions against a context of
/// `var`, `env`, `tasks` and (in loops) `item`.
pub struct Renderer {
    env: Environment<'static>,
}

/// The variables visible to expressions, converted once per task.
pub struct Context(TplValue);

impl Context {
    /// Build a context from the stores; `item` is set inside loops only.
    pub fn new(
        var: &Map<String, Value>,
        env: &Map<String, Value>,
        tasks: &Map<String, Value>,
        item: Option<&Value>,
    ) -> Self {
        let mut root = Map::new();
        root.insert("var".into(), Value::Object(var.clone()));
        root.insert("env".into(), Value::Object(env.clone()));
        root.insert("tasks".into(), Value::Object(tasks.clone()));
        if let Some(item) = item {
            root.insert("item".into(), item.clone());
        }
        Context(TplValue::from(Serde(Value::Object(root))))
    }
}

/// The result of evaluating an `if:` condition.
#[derive(Debug, PartialEq)]
pub enum Condition {
    /// The condition evaluated to a boolean.
    Bool(bool),
    /// Evaluation failed at run time (e.g. an unknown name): the task is skipped,
    /// like upstream, after printing this text.
    Failed { rendered: String, error: String },
}

impl Renderer {
    /// `strict`: printing an undefined value is an error (normal runs). Without it
    /// undefined values print as empty text (used by `--dry-run`, where the outputs
    /// of tasks that were not executed do not exist).
    pub fn new(strict: bool) -> Self {
        let mut env = Environment::new();
        // The delimiters are valid constants; a failure here would be a bug in this file.
        if let Ok(syntax) = SyntaxConfig::builder()
            .variable_delimiters("${{", "}}")
            .keep_trailing_newline(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        env.set_undefined_behavior(if strict {
            UndefinedBehavior::SemiStrict
        } else {
            UndefinedBehavior::Chainable
        });
        env.add_filter("to_data", to_data);
        Renderer { env }
    }

    /// Render every string (keys included) inside `value`.
    pub fn render_value(&self, value: &Value, ctx: &Context) -> Result<Value, String> {
        match value {
            Value::String(s) => self.render_str(s, ctx),
            Value::Array(items) => items
                .iter()
                .map(|v| self.render_value(v, ctx))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    let key = match self.render_str(k, ctx)? {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    out.insert(key, self.render_value(v, ctx)?);
                }
                Ok(Value::Object(out))
            }
            other => Ok(other.clone()),
        }
    }

    /// Render one string. Text without template syntax is returned unchanged.
    pub fn render_str(&self, source: &str, ctx: &Context) -> Result<Value, String> {
        if !has_template(source) {
            return Ok(Value::String(source.to_string()));
        }
        let text = self
            .env
            .render_str(source, &ctx.0)
            .map_err(|e| format!("{}\n>> Expression: {source}", describe(&e)))?;
        splice_data(&text).map_err(|e| format!("{e}\n>> Expression: {source}"))
    }

    /// Render a string to text: `to_data` results are inserted as JSON text.
    pub fn render_text(&self, source: &str, ctx: &Context) -> Result<String, String> {
        match self.render_str(source, ctx)? {
            Value::String(s) => Ok(s),
            other => Ok(other.to_string()),
        }
    }

    /// Evaluate an `if:` value. Booleans stand for themselves; strings are first
    /// rendered (`${{ }}` substitution), then evaluated as an expression.
    /// Syntax errors and non-boolean results are errors; evaluation failures are
    /// reported as [`Condition::Failed`].
    pub fn condition(&self, cond: &Value, ctx: &Context) -> Result<Condition, String> {
        let source = match cond {
            Value::Bool(b) => return Ok(Condition::Bool(*b)),
            Value::String(s) => s,
            other => {
                return Err(format!(
                    "If Condition Error: {other}\n(Type) => {}",
                    json_type(other)
                ));
            }
        };
        let rendered = self.render_text(source, ctx)?;
        let expr = self
            .env
            .compile_expression(rendered.as_str())
            .map_err(|e| {
                format!(
                    "If Condition Error: {rendered}\n(Error) => {}",
                    describe(&e)
                )
            })?;
        let value = match expr.eval(&ctx.0) {
            Ok(v) => v,
            Err(e) => {
                return Ok(Condition::Failed {
                    rendered,
                    error: describe(&e),
                });
            }
        };
        match value.as_bool_strict() {
            Some(b) => Ok(Condition::Bool(b)),
            None => Err(format!(
                "If Condition Error: {rendered}\n(Type) => {}\n(Value) => {value}",
                value.kind()
            )),
        }
    }
}

trait StrictBool {
    fn as_bool_strict(&self) -> Option<bool>;
}

impl StrictBool for TplValue {
    fn as_bool_strict(&self) -> Option<bool> {
        if self.kind() == minijinja::value::ValueKind::Bool {
            Some(self.is_true())
        } else {
            None
        }
    }
}

/// True when the text contains template syntax (`${{`, `{%` or `{#`).
pub fn has_template(s: &str) -> bool {
    s.contains("${{") || s.contains("{%") || s.contains("{#")
}

/// True when any string (or key) inside the value contains template syntax.
pub fn value_has_template(v: &Value) -> bool {
    match v {
        Value::String(s) => has_template(s),
        Value::Array(items) => items.iter().any(value_has_template),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| has_template(k) || value_has_template(v)),
        _ => false,
    }
}

/// One-line description of a template error: its kind and detail (the
/// location inside the one-line template is left out).
fn describe(e: &Error) -> String {
    match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    }
}

/// The `to_data` filter: the value as JSON, bracketed so that rendering can
/// recover it as data.
fn to_data(value: TplValue) -> Result<String, Error> {
    if value.is_undefined() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            "to_data was given an undefined value",
        ));
    }
    let json = serde_json::to_string(&value).map_err(|e| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("cannot convert to data: {e}"),
        )
    })?;
    Ok(format!("{DATA_OPEN}{json}{DATA_CLOSE}"))
}

/// Turn rendered text back into a value: exactly one bracketed `to_data` result
/// (surrounding whitespace allowed) becomes that value; otherwise every bracketed
/// part is replaced by its JSON text and the result is a string.
pub fn splice_data(text: &str) -> Result<Value, String> {
    if !text.contains(DATA_OPEN) {
        return Ok(Value::String(text.to_string()));
    }
    let trimmed = text.trim();
    let single = trimmed
        .strip_prefix(DATA_OPEN)
        .and_then(|t| t.strip_suffix(DATA_CLOSE))
        .filter(|inner| !inner.contains(DATA_OPEN) && !inner.contains(DATA_CLOSE));
    if let Some(inner) = single {
        return serde_json::from_str(inner).map_err(|e| format!("JSON Load Error: {e}"));
    }
    Ok(Value::String(
        text.chars()
            .filter(|c| *c != DATA_OPEN && *c != DATA_CLOSE)
            .collect(),
    ))
}

/// The JSON kind of a value, as named in template and loop errors.
pub(super) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx(var: Value, item: Option<Value>) -> Context {
        let mut env = Map::new();
        env.insert("HOME_DIR".into(), json!("/home/op"));
        let mut tasks = Map::new();
        tasks.insert(
            "sh".into(),
            json!({"name": "Say", "id": "sh", "state": "SUCCESS", "spec": {}, "output": {"result": "hi\n", "return_code": 0}}),
        );
        Context::new(
            var.as_object().unwrap_or(&Map::new()),
            &env,
            &tasks,
            item.as_ref(),
        )
    }

    #[test]
    fn plain_strings_are_untouched() {
        let r = Renderer::new(true);
        let c = ctx(json!({}), None);
        assert_eq!(
            r.render_str("no templates here", &c),
            Ok(json!("no templates here"))
        );
        assert_eq!(r.render_str("{a: b}", &c), Ok(json!("{a: b}")));
    }

    #[test]
    fn substitutes_text() {
        let r = Renderer::new(true);
        let c = ctx(json!({"greeting": "hello", "n": 3}), None);
        assert_eq!(
            r.render_str("say ${{ var.greeting }} x${{ var.n }}", &c),
            Ok(json!("say hello x3"))
        );
        assert_eq!(
            r.render_str("${{ env.HOME_DIR }}", &c),
            Ok(json!("/home/op"))
        );
        assert_eq!(
            r.render_str("${{ tasks.sh.output.result | trim }}!", &c),
            Ok(json!("hi!"))
        );
    }

    #[test]
    fn text_with_quotes_and_newlines_stays_intact() {
        let r = Renderer::new(true);
        let c = ctx(json!({"s": "say \"hi\"\nbye"}), None);
        assert_eq!(
            r.render_str("<${{ var.s }}>\n", &c),
            Ok(json!("<say \"hi\"\nbye>\n"))
        );
    }

    #[test]
    fn to_data_injects_values() {
        let r = Renderer::new(true);
        let c = ctx(json!({"things": ["a", "b"], "m": {"k": 1.0}, "n": 7}), None);
        assert_eq!(
            r.render_str("${{ var.things | to_data }}", &c),
            Ok(json!(["a", "b"]))
        );
        assert_eq!(
            r.render_str("  ${{ var.m | to_data }} ", &c),
            Ok(json!({"k": 1.0}))
        );
        assert_eq!(r.render_str("${{ var.n | to_data }}", &c), Ok(json!(7)));
        assert_eq!(
            r.render_str("ids=${{ var.things | to_data }}", &c),
            Ok(json!("ids=[\"a\",\"b\"]"))
        );
    }

    #[test]
    fn float_stays_float_through_to_data() {
        let r = Renderer::new(true);
        let c = ctx(json!({"f": 5.0}), None);
        let v = r
            .render_str("${{ var.f | to_data }}", &c)
            .unwrap_or(Value::Null);
        assert!(v.is_f64(), "{v:?}");
    }

    #[test]
    fn renders_structures_and_keys() {
        let r = Renderer::new(true);
        let c = ctx(json!({"k": "name", "v": "x"}), Some(json!({"id": 4})));
        let input = json!({"${{ var.k }}": "${{ var.v }}-${{ item.id }}", "list": [1, "${{ item.id }}", true]});
        assert_eq!(
            r.render_value(&input, &c),
            Ok(json!({"name": "x-4", "list": [1, "4", true]}))
        );
    }

    #[test]
    fn undefined_is_an_error_when_strict() {
        let r = Renderer::new(true);
        let c = ctx(json!({}), None);
        let err = r.render_str("a ${{ var.missing }}", &c).unwrap_err();
        assert!(err.contains("undefined"), "{err}");
        assert!(
            err.ends_with(">> Expression: a ${{ var.missing }}"),
            "{err}"
        );
        let err = r
            .render_str("${{ var.missing | to_data }}", &c)
            .unwrap_err();
        assert!(err.contains("undefined"), "{err}");
    }

    #[test]
    fn undefined_is_empty_when_lenient() {
        let r = Renderer::new(false);
        let c = ctx(json!({}), None);
        assert_eq!(
            r.render_str("a${{ tasks.nope.output.id }}b", &c),
            Ok(json!("ab"))
        );
    }

    #[test]
    fn defaults_and_tests_work_when_strict() {
        let r = Renderer::new(true);
        let c = ctx(json!({}), None);
        assert_eq!(
            r.render_str("${{ var.missing | default('dflt') }}", &c),
            Ok(json!("dflt"))
        );
        assert_eq!(
            r.condition(&json!("var.missing is defined"), &c),
            Ok(Condition::Bool(false))
        );
    }

    #[test]
    fn syntax_error_names_the_expression() {
        let r = Renderer::new(true);
        let c = ctx(json!({}), None);
        let err = r.render_str("${{ var.a | }}", &c).unwrap_err();
        assert!(err.contains("syntax error"), "{err}");
        assert!(err.ends_with(">> Expression: ${{ var.a | }}"), "{err}");
        let err = r
            .render_str("${{ var.a | no_such_filter }}", &c)
            .unwrap_err();
        assert!(err.contains("no_such_filter"), "{err}");
    }

    #[test]
    fn conditions() {
        let r = Renderer::new(true);
        let c = ctx(json!({"greeting": "hello", "n": 2}), Some(json!("b")));
        assert_eq!(r.condition(&json!(true), &c), Ok(Condition::Bool(true)));
        assert_eq!(
            r.condition(&json!("'${{ var.greeting }}' == 'hello'"), &c),
            Ok(Condition::Bool(true))
        );
        assert_eq!(
            r.condition(&json!("var.n > 1 and item in ['a', 'b']"), &c),
            Ok(Condition::Bool(true))
        );
        assert_eq!(r.condition(&json!("True"), &c), Ok(Condition::Bool(true)));
        assert_eq!(r.condition(&json!("false"), &c), Ok(Condition::Bool(false)));
    }

    #[test]
    fn condition_on_unknown_name_fails_softly() {
        let r = Renderer::new(true);
        let c = ctx(json!({"greeting": "hello"}), None);
        match r.condition(&json!("${{ var.greeting }} == 'nope'"), &c) {
            Ok(Condition::Failed { rendered, error }) => {
                assert_eq!(rendered, "hello == 'nope'");
                assert!(error.contains("undefined"), "{error}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn condition_errors() {
        let r = Renderer::new(true);
        let c = ctx(json!({"n": 2}), None);
        assert_eq!(
            r.condition(&json!("var.n + 1"), &c),
            Err("If Condition Error: var.n + 1\n(Type) => number\n(Value) => 3".to_string())
        );
        let err = r.condition(&json!("var.n ==="), &c).unwrap_err();
        assert!(
            err.starts_with("If Condition Error: var.n ===\n(Error) => "),
            "{err}"
        );
        assert_eq!(
            r.condition(&json!(1), &c),
            Err("If Condition Error: 1\n(Type) => number".to_string())
        );
    }

    #[test]
    fn splice_rules() {
        assert_eq!(splice_data("plain"), Ok(json!("plain")));
        assert_eq!(splice_data("\u{F8F0}[1]\u{F8F1}"), Ok(json!([1])));
        assert_eq!(
            splice_data("\u{F8F0}[1]\u{F8F1} and \u{F8F0}2\u{F8F1}"),
            Ok(json!("[1] and 2"))
        );
    }
}
