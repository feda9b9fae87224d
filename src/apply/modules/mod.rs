//! The task modules (`uses: "@modules/<name>"`).

mod concat;
mod csv;
pub mod date;
pub mod export;
mod join;
pub mod print;
pub mod resource;
mod shell;

use serde_json::{Map, Value};

use super::caller::Caller;
use super::console::Console;

/// A module this spacectl can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Module {
    Resource,
    Shell,
    Print,
    Date,
    Concat,
    Join,
    Csv,
    ExportExcel,
    ExportMysql,
    ExportS3,
    ExportGoogleSheets,
}

/// What a module run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Stored as `tasks.<id>.output`.
    pub output: Value,
    /// What a `resource` task did (`created`, `updated`, `unchanged`, ...).
    pub action: Option<&'static str>,
    /// Text shown by `debug: true` instead of the output as JSON.
    pub debug_text: Option<String>,
}

impl Outcome {
    pub fn output(output: Value) -> Self {
        Outcome {
            output,
            action: None,
            debug_text: None,
        }
    }
}

/// What a module may use while it runs.
pub struct Ctx<'a> {
    pub caller: &'a mut dyn Caller,
    pub console: &'a mut dyn Console,
    pub silent: bool,
    pub dry_run: bool,
    /// Indentation of module chatter (two spaces per level).
    pub depth: usize,
    /// The previous output stored under this task's id (for `concat`).
    pub previous: Option<Value>,
    /// Seconds since the Unix epoch (UTC), for `date`.
    pub now: i64,
}

impl Ctx<'_> {
    /// Module chatter on stdout, unless silent.
    pub fn say(&mut self, line: &str) -> Result<(), String> {
        if self.silent {
            return Ok(());
        }
        let text = format!("{}  {line}\n", "  ".repeat(self.depth));
        self.console.out(&text).map_err(|e| e.to_string())
    }

    /// Output that is shown even when silent (`print`, dry-run plans).
    pub fn show(&mut self, text: &str) -> Result<(), String> {
        self.console.out(text).map_err(|e| e.to_string())
    }
}

impl Module {
    /// Resolve `uses` (`@modules/<name>`).
    pub fn from_uses(uses: &str) -> Result<Module, String> {
        let uses = uses.trim();
        let parts: Vec<&str> = uses.split('/').collect();
        let [location, name] = parts.as_slice() else {
            return Err(format!("Module Load Error: uses = {uses}"));
        };
        if *location != "@modules" {
            return Err("Module Load Error: external modules are not currently supported.".into());
        }
        match *name {
            "resource" => Ok(Module::Resource),
            "shell" => Ok(Module::Shell),
            "print" => Ok(Module::Print),
            "date" => Ok(Module::Date),
            "concat" => Ok(Module::Concat),
            "join" => Ok(Module::Join),
            "csv" => Ok(Module::Csv),
            "export-excel" => Ok(Module::ExportExcel),
            "export-mysql" => Ok(Module::ExportMysql),
            "export-s3" => Ok(Module::ExportS3),
            "export-google-sheets" => Ok(Module::ExportGoogleSheets),
            n => Err(format!("Not found module: uses = {n}")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Module::Resource => "resource",
            Module::Shell => "shell",
            Module::Print => "print",
            Module::Date => "date",
            Module::Concat => "concat",
            Module::Join => "join",
            Module::Csv => "csv",
            Module::ExportExcel => "export-excel",
            Module::ExportMysql => "export-mysql",
            Module::ExportS3 => "export-s3",
            Module::ExportGoogleSheets => "export-google-sheets",
        }
    }

    /// Validate a (rendered or literal) spec.
    pub fn check_spec(self, spec: &Map<String, Value>, task_name: &str) -> Result<(), String> {
        match self {
            Module::Resource => resource::Spec::parse(spec, task_name).map(|_| ()),
            Module::Shell => shell::check(spec),
            Module::Print => print::check(spec),
            Module::Date => date::check(spec),
            Module::Concat => concat::check(spec),
            Module::Join => join::check(spec),
            Module::Csv => csv::check(spec),
            Module::ExportExcel => export::excel::check(spec),
            Module::ExportMysql => export::mysql::check(spec),
            Module::ExportS3 => export::s3::check(spec),
            Module::ExportGoogleSheets => export::sheets::check(spec),
        }
    }

    /// Run the module with its rendered spec.
    pub fn run(
        self,
        spec: &Map<String, Value>,
        task_name: &str,
        ctx: &mut Ctx<'_>,
    ) -> Result<Outcome, String> {
        match self {
            Module::Resource => resource::run(spec, task_name, ctx),
            Module::Shell => shell::run(spec, ctx),
            Module::Print => print::run(spec, ctx),
            Module::Date => date::run(spec, ctx),
            Module::Concat => concat::run(spec, ctx),
            Module::Join => join::run(spec, ctx),
            Module::Csv => csv::run(spec, ctx),
            Module::ExportExcel => export::excel::run(spec, ctx),
            Module::ExportMysql => export::mysql::run(spec, ctx),
            Module::ExportS3 => export::s3::run(spec, ctx),
            Module::ExportGoogleSheets => export::sheets::run(spec, ctx),
        }
    }
}

/// `Required key: <key>` unless the spec has it.
fn require(spec: &Map<String, Value>, key: &str) -> Result<(), String> {
    if spec.contains_key(key) {
        Ok(())
    } else {
        Err(format!("Required key: {key}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_resolution() {
        assert_eq!(Module::from_uses(" @modules/shell "), Ok(Module::Shell));
        assert_eq!(Module::from_uses("@modules/resource"), Ok(Module::Resource));
        assert_eq!(
            Module::from_uses("@modules/a/b"),
            Err("Module Load Error: uses = @modules/a/b".to_string())
        );
        assert_eq!(
            Module::from_uses("@modules/nope"),
            Err("Not found module: uses = nope".to_string())
        );
        for (uses, m) in [
            ("@modules/csv", Module::Csv),
            ("@modules/join", Module::Join),
            ("@modules/export-excel", Module::ExportExcel),
            ("@modules/export-mysql", Module::ExportMysql),
            ("@modules/export-s3", Module::ExportS3),
            ("@modules/export-google-sheets", Module::ExportGoogleSheets),
        ] {
            assert_eq!(Module::from_uses(uses), Ok(m));
            assert_eq!(format!("@modules/{}", m.name()), uses);
        }
    }
}
