//! Runs validated tasks in order: `var`, `if`, `loop`, `sub_tasks`, modules,
//! banners, records and the final summary.

use serde_json::{Map, Value};
use unicode_width::UnicodeWidthChar;

use crate::output::pyrepr::py_truthy;

use super::caller::Caller;
use super::console::Console;
use super::manifest::{Task, scalar_text};
use super::modules::Ctx;
use super::secrets;
use super::store::{Store, update};
use super::template::{Condition, Renderer, json_type};
use super::text::{compact, pretty};

/// The final document format (`-o`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    None,
    Json,
    Yaml,
}

/// How a run behaves.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub silent: bool,
    pub dry_run: bool,
    /// Banner width in terminal columns.
    pub width: usize,
    pub output: Output,
    /// Seconds since the Unix epoch (UTC) when the run started.
    pub now: i64,
}

/// A failed task: the run stops with this message (it names the task).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure(pub String);

pub struct Runner<'a> {
    pub store: Store,
    renderer: Renderer,
    caller: &'a mut dyn Caller,
    console: &'a mut dyn Console,
    settings: Settings,
}

type Step = Result<(), Failure>;

impl<'a> Runner<'a> {
    pub fn new(
        store: Store,
        caller: &'a mut dyn Caller,
        console: &'a mut dyn Console,
        settings: Settings,
    ) -> Self {
        Runner {
            store,
            renderer: Renderer::new(!settings.dry_run),
            caller,
            console,
            settings,
        }
    }

    /// Run every task, then print the summary.
    pub fn run(&mut self, tasks: &[Task]) -> Step {
        self.run_tasks(tasks, 0, None)?;
        self.finish()
    }

    fn out(&mut self, text: &str) -> Step {
        self.console.out(text).map_err(|e| Failure(e.to_string()))
    }

    fn stage(&mut self, action: &str, name: &str, depth: usize) -> Step {
        let line = banner(action, name, depth, self.settings.width);
        self.out(&format!("{line}\n"))
    }

    /// `item`: the loop item of an enclosing task, visible to sub-tasks.
    fn run_tasks(&mut self, tasks: &[Task], depth: usize, item: Option<&Value>) -> Step {
        for task in tasks {
            match &task.looped {
                Some(looped) => {
                    let items = self.loop_items(task, looped, item)?;
                    if !self.settings.silent {
                        self.stage("LOOP", &task.name, depth)?;
                    }
                    for item in &items {
                        self.execute(task, depth + 1, Some(item), true)?;
                    }
                }
                None => self.execute(task, depth, item, false)?,
            }
        }
        Ok(())
    }

    fn loop_items(
        &mut self,
        task: &Task,
        looped: &Value,
        outer: Option<&Value>,
    ) -> Result<Vec<Value>, Failure> {
        let ctx = self.store.context(outer);
        let value = self
            .renderer
            .render_value(looped, &ctx)
            .map_err(|e| Failure(format!("[{}] Loop Condition Error: {e}", task.name)))?;
        match value {
            Value::Array(items) => Ok(items),
            // like upstream, any empty value (null, false, 0, "", {}) loops zero
            // times; this includes the `{}` outputs of tasks planned by --dry-run
            other if !py_truthy(&other) => Ok(Vec::new()),
            other => Err(Failure(format!(
                "[{}] Loop Condition Error: {}\n(Type) => {}\n(Value) => {}",
                task.name,
                scalar_text(looped),
                json_type(&other),
                other
            ))),
        }
    }

    fn execute(&mut self, task: &Task, depth: usize, item: Option<&Value>, is_loop: bool) -> Step {
        let raw_name = task.name.as_str();
        if let Some(var) = &task.var {
            let ctx = self.store.context(item);
            let rendered = self
                .renderer
                .render_value(var, &ctx)
                .map_err(|e| Failure(format!("[{raw_name}] Template Render Error: {e}")))?;
            match rendered {
                Value::Object(m) => update(&mut self.store.var, &m),
                other => {
                    return Err(Failure(format!(
                        "[{raw_name}] Type error: var(dict) (var = {other})"
                    )));
                }
            }
        }

        let ctx = self.store.context(item);
        let name = self
            .renderer
            .render_text(raw_name, &ctx)
            .map_err(|e| Failure(format!("[{raw_name}] Template Render Error: {e}")))?;

        let run = match &task.cond {
            None => true,
            Some(cond) => match self.renderer.condition(cond, &ctx) {
                Ok(Condition::Bool(b)) => b,
                Ok(Condition::Failed { rendered, error }) => {
                    self.console.err(&format!(
                        "[{name}] If Condition Error: {rendered}\n(Error) => {error}\n\n"
                    ));
                    false
                }
                Err(e) => return Err(Failure(format!("[{name}] {e}"))),
            },
        };
        if !run {
            self.stage("SKIP", &name, depth)?;
            self.store.skip += 1;
            return Ok(());
        }

        let Some(module) = task.module else {
            if !self.settings.silent {
                self.stage("SUB-TASKS", &name, depth)?;
            }
            return self.run_tasks(&task.sub_tasks, depth + 1, item);
        };

        let spec = self
            .renderer
            .render_value(&task.spec, &ctx)
            .map_err(|e| Failure(format!("[{name}] Template Render Error: {e}")))?;
        let spec = match spec {
            Value::Null => Map::new(),
            Value::Object(m) => m,
            other => {
                return Err(Failure(format!(
                    "[{name}] Type error: spec(dict) (spec = {other})"
                )));
            }
        };

        if !self.settings.silent {
            self.stage("TASK", &name, depth)?;
        }
        self.console.progress(&name);

        let previous = task
            .id
            .as_ref()
            .and_then(|id| match self.store.tasks.get(id) {
                Some(Value::Array(records)) => {
                    records.last().and_then(|r| r.get("output")).cloned()
                }
                Some(record) => record.get("output").cloned(),
                None => None,
            });
        let mut mctx = Ctx {
            caller: &mut *self.caller,
            console: &mut *self.console,
            silent: self.settings.silent,
            dry_run: self.settings.dry_run,
            depth,
            previous,
            now: self.settings.now,
        };
        let outcome = module.run(&spec, &name, &mut mctx).map_err(|e| {
            let spec = Value::Object(spec.clone());
            let values = secrets::secret_values(&spec);
            let spec_text = secrets::scrub(&compact(&secrets::masked(&spec)), &values);
            let e = secrets::scrub(&e, &values);
            Failure(format!("[{name}] {e}\n>> Spec: {spec_text}"))
        })?;

        if task.debug && !self.settings.silent {
            let text = match &outcome.debug_text {
                Some(t) => t.clone(),
                None => pretty(&outcome.output),
            };
            self.out(&format!("(DEBUG) =>\n{text}\n\n"))?;
        }

        self.store.success += 1;
        let mut record = Map::new();
        record.insert("name".into(), Value::String(name));
        record.insert(
            "id".into(),
            task.id.clone().map(Value::String).unwrap_or(Value::Null),
        );
        record.insert(
            "uses".into(),
            Value::String(format!("@modules/{}", module.name())),
        );
        record.insert(
            "state".into(),
            Value::String(
                if self.settings.dry_run {
                    "PLANNED"
                } else {
                    "SUCCESS"
                }
                .into(),
            ),
        );
        if let Some(action) = outcome.action {
            record.insert("action".into(), Value::String(action.into()));
        }
        record.insert("spec".into(), Value::Object(spec));
        record.insert("output".into(), outcome.output);
        self.store
            .record(Value::Object(record), task.id.as_deref(), is_loop);
        Ok(())
    }

    fn finish(&mut self) -> Step {
        if !self.settings.silent {
            let title = format!("ok={}, skipped={}", self.store.success, self.store.skip);
            let line = banner("FINISHED", &format!(" {title} "), 0, self.settings.width);
            self.out(&format!("{line}\n"))?;
        }
        // credentials: masked by name, and their values cut out wherever else
        // they appear (a variable that fed a password, say)
        let doc = self.store.final_document();
        let secrets = secrets::secret_values(&doc);
        let doc = secrets::masked(&doc);
        let text = match self.settings.output {
            Output::None => String::new(),
            Output::Json => crate::output::json::document(&doc),
            Output::Yaml => crate::output::yaml::document(&doc),
        };
        let text = secrets::scrub(&text, &secrets);
        self.out(&format!("{text}\n"))
    }
}

/// Stars after a banner title: upstream writes this many and then cuts the
/// line to the terminal width, so very wide terminals get no more.
const BANNER_STARS: usize = 1000;

/// `<indent><ACTION> [<name>] ****…` cut to `width` terminal columns.
pub fn banner(action: &str, name: &str, depth: usize, width: usize) -> String {
    let full = format!(
        "{}{action} [{name}] {}",
        "  ".repeat(depth),
        "*".repeat(BANNER_STARS)
    );
    let mut used = 0;
    let mut out = String::new();
    for c in full.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banners_are_cut_to_width() {
        assert_eq!(
            banner("TASK", "Say hello", 0, 30),
            "TASK [Say hello] *************"
        );
        assert_eq!(banner("TASK", "Loop", 1, 20), "  TASK [Loop] ******");
        assert_eq!(banner("TASK", "a very long task name", 0, 10), "TASK [a ve");
        assert_eq!(
            banner("FINISHED", " ok=7, skipped=1 ", 0, 40),
            "FINISHED [ ok=7, skipped=1 ] ***********"
        );
        // wide characters count two columns
        assert_eq!(banner("TASK", "한글", 0, 12), "TASK [한글] ");
        // at most 1000 stars, however wide the terminal
        let wide = banner("TASK", "x", 1, 5000);
        assert_eq!(wide, format!("  TASK [x] {}", "*".repeat(1000)));
    }
}
