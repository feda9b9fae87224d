//! `spacectl apply FILE`: run a task manifest.

use std::io::IsTerminal;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::apply::caller::{Caller, NoCalls};
use crate::apply::client::LazyCaller;
use crate::apply::{Console, Inputs, Output, Settings};
use crate::cli::{ApplyArgs, ApplyFormat};
use crate::error::Result;

pub fn run(a: ApplyArgs) -> Result<()> {
    let settings = Settings {
        silent: a.silent,
        dry_run: a.dry_run,
        width: banner_width(
            std::env::var("COLUMNS").ok().as_deref(),
            console::Term::stdout().size_checked().map(|(_, cols)| cols),
        ),
        output: match a.output {
            ApplyFormat::None => Output::None,
            ApplyFormat::Json => Output::Json,
            ApplyFormat::Yaml => Output::Yaml,
        },
        now: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0),
    };
    let inputs = Inputs {
        file: &a.file_path,
        env: &a.env,
        var: &a.var,
        var_file: a.var_file.as_deref(),
    };
    let process_env: Vec<(String, String)> = std::env::vars_os()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        })
        .collect();
    let mut console = Terminal::new(std::io::stderr().is_terminal());
    let mut live;
    let mut none;
    let caller: &mut dyn Caller = if a.dry_run {
        none = NoCalls;
        &mut none
    } else {
        live = LazyCaller::new(crate::grpc::Options::default(), super::flag_tls(&a.tls));
        &mut live
    };
    let result = crate::apply::apply(inputs, process_env, settings, caller, &mut console);
    console.done();
    result
}

/// Banner width: `COLUMNS` when it is a positive number, else the terminal
/// width of stdout, else 120.
pub fn banner_width(columns: Option<&str>, tty_cols: Option<u16>) -> usize {
    columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .or_else(|| tty_cols.map(usize::from).filter(|c| *c > 0))
        .unwrap_or(120)
}

/// stdout for data and banners, stderr for diagnostics, and a spinner with the
/// current task on stderr when it is a terminal.
struct Terminal {
    spinner: Option<ProgressBar>,
}

impl Terminal {
    fn new(stderr_is_tty: bool) -> Self {
        let spinner = stderr_is_tty.then(|| {
            let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                pb.set_style(style);
            }
            pb.set_message("loading the manifest");
            pb.enable_steady_tick(Duration::from_millis(120));
            pb
        });
        Terminal { spinner }
    }

    fn done(&mut self) {
        if let Some(pb) = self.spinner.take() {
            pb.finish_and_clear();
        }
    }
}

impl Console for Terminal {
    fn out(&mut self, text: &str) -> Result<()> {
        match &self.spinner {
            Some(pb) => pb.suspend(|| super::emit(text)),
            None => super::emit(text),
        }
    }

    fn err(&mut self, text: &str) {
        match &self.spinner {
            Some(pb) => pb.suspend(|| eprint!("{text}")),
            None => eprint!("{text}"),
        }
    }

    fn progress(&mut self, task: &str) {
        if let Some(pb) = &self.spinner {
            pb.set_message(task.to_string());
            pb.reset_elapsed();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_sources() {
        assert_eq!(banner_width(Some("100"), Some(80)), 100);
        assert_eq!(banner_width(Some("0"), Some(80)), 80);
        assert_eq!(banner_width(Some("wide"), None), 120);
        assert_eq!(banner_width(None, Some(0)), 120);
        assert_eq!(banner_width(None, None), 120);
    }
}
