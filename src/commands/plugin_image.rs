//! `plugin build` and `plugin publish`: read the project, run Docker and the
//! repository calls of [`crate::image`], and report like cargo does — a status
//! line per stage on stderr (a progress bar for the build steps on a terminal),
//! the result on stdout.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;

use crate::cli::{PluginBuildArgs, PluginPublishArgs};
use crate::error::{AppError, Result};
use crate::image::build::{self, Plan};
use crate::image::docker::{self, Docker, Event, Failed};
use crate::image::project;
use crate::image::publish::{self, Api, Registration, Repository};

/// Status lines on stderr: `   Building name:1.0.0`, coloured on a terminal.
struct Reporter {
    tty: bool,
}

impl Reporter {
    fn new() -> Self {
        Reporter {
            tty: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    fn status(&self, verb: &str, text: &str) {
        if self.tty {
            eprintln!("{:>12} {text}", console::style(verb).green().bold());
        } else {
            eprintln!("{verb:>12} {text}");
        }
    }

    /// A bar for `of` steps on a terminal; step lines otherwise.
    fn steps(&self, verb: &'static str) -> Steps {
        let bar = self.tty.then(|| {
            let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{prefix:>12.cyan.bold} [{bar:25}] {pos}/{len}: {wide_msg}",
            ) {
                pb.set_style(style.progress_chars("=> "));
            }
            pb.set_prefix(verb);
            pb
        });
        Steps { bar }
    }
}

struct Steps {
    bar: Option<ProgressBar>,
}

impl Steps {
    fn event(&self, e: Event) {
        match (e, &self.bar) {
            (Event::Step { n, of, what }, Some(bar)) => {
                bar.set_length(u64::from(of));
                bar.set_position(u64::from(n));
                bar.set_message(what);
            }
            (Event::Step { n, of, what }, None) => {
                eprintln!("{:>12} [{n}/{of}] {}", "", shorten(&what, 100))
            }
            (Event::Line(line), Some(bar)) => {
                if !line.trim().is_empty() {
                    bar.set_message(line);
                }
            }
            (Event::Line(_), None) => {}
        }
    }

    fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// At most `max` characters, with `...` when cut.
fn shorten(text: &str, max: usize) -> String {
    let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match squeezed.char_indices().nth(max) {
        Some((cut, _)) => format!("{}...", &squeezed[..cut]),
        None => squeezed,
    }
}

fn failed(what: &str, f: &Failed, hint: Option<String>) -> AppError {
    for line in &f.tail {
        eprintln!("  | {line}");
    }
    let mut text = format!("{what} failed ({})", f.status);
    if let Some(h) = hint {
        text.push_str(": ");
        text.push_str(&h);
    }
    AppError::msg(text)
}

/// Docker, its daemon answering.
fn docker() -> Result<Docker> {
    let d = Docker::locate().map_err(AppError::msg)?;
    d.check_daemon().map_err(AppError::msg)?;
    Ok(d)
}

fn megabytes(bytes: Option<String>) -> String {
    bytes
        .and_then(|b| b.parse::<f64>().ok())
        .map(|b| format!("{:.0} MB", b / 1e6))
        .unwrap_or_else(|| "size unknown".to_string())
}

/// Build the image of `plan`, reporting its steps, size and time.
fn run_build(d: &Docker, plan: &Plan, spacectl: Option<&Path>, out: &Reporter) -> Result<()> {
    let binary = build::binary(spacectl).map_err(AppError::msg)?;
    build::stage_binary(&plan.project.root, &binary).map_err(AppError::msg)?;
    let started = Instant::now();
    out.status(
        "Building",
        &format!("{} (base {})", plan.tags[0], plan.base_image),
    );
    let steps = out.steps("Building");
    let result = d.build(&plan.project.root, &plan.tags, &plan.build_args, &mut |e| {
        steps.event(e)
    });
    steps.done();
    result.map_err(|f| {
        let hint = docker::build_hint(&f.tail, &plan.base_image);
        failed("docker build", &f, hint)
    })?;
    out.status(
        "Finished",
        &format!(
            "{} ({}) in {:.1} s",
            plan.tags.join(", "),
            megabytes(d.inspect(&plan.tags[0], "{{.Size}}")),
            started.elapsed().as_secs_f64()
        ),
    );
    Ok(())
}

pub fn run_build_command(a: PluginBuildArgs) -> Result<()> {
    let plan = build::plan(
        &a.project,
        a.image.as_deref(),
        a.base_image.as_deref(),
        &a.tag,
    )
    .map_err(AppError::msg)?;
    let d = docker()?;
    run_build(&d, &plan, a.spacectl.as_deref(), &Reporter::new())?;
    super::emit(&format!("{}\n", plan.tags[0]))
}

pub fn run_publish_command(a: PluginPublishArgs) -> Result<()> {
    let out = Reporter::new();
    let project = project::load(&a.project, a.image.as_deref()).map_err(AppError::msg)?;
    let target = publish::target(
        &project,
        &a.registry,
        a.registry_type.as_deref(),
        a.plugin_id.as_deref(),
    )
    .map_err(AppError::msg)?;
    let forced = a.api.map(|n| if n == 2 { Api::V2 } else { Api::V1 });
    let env = crate::session::load_current()?;
    let url = env.endpoint("repository")?;
    let metadata = env.call_metadata();
    let tls = super::session_tls(&a.tls, &env)?;
    let options = crate::grpc::Options::default();

    if a.dry_run {
        let api = match forced {
            Some(api) => api,
            None => {
                crate::grpc::block_on(async {
                    Repository::open(&url, &options, &tls, metadata.clone(), None).await
                })?
                .api
            }
        };
        let request = publish::register_request(&project, &target, api).map_err(AppError::msg)?;
        let mut text = String::new();
        if a.build {
            text.push_str(&format!(
                "# docker build (plugin build{}) -> {}\n",
                a.base_image
                    .as_deref()
                    .map(|b| format!(" --base-image {b}"))
                    .unwrap_or_default(),
                target.local
            ));
        }
        text.push_str(&format!(
            "# docker tag {} {}\n# docker push {}\n# repository.Plugin.register at {url} ({}), unless plugin {} is registered with this image:\n",
            target.local,
            target.remote,
            target.remote,
            api.label(),
            target.plugin_id
        ));
        text.push_str(&crate::output::yaml::dump(&Value::Object(request)));
        return super::emit(&text);
    }

    let d = docker()?;
    if a.build {
        let plan = build::plan(&a.project, a.image.as_deref(), a.base_image.as_deref(), &[])
            .map_err(AppError::msg)?;
        run_build(&d, &plan, a.spacectl.as_deref(), &out)?;
    } else if !d.has_image(&target.local) {
        return Err(AppError::msg(format!(
            "the image {} is not there: build it first (spacectl plugin build), or add --build",
            target.local
        )));
    }

    // Connect before pushing: a repository that cannot be reached stops here.
    let registration = crate::grpc::block_on(async {
        let mut repo = Repository::open(&url, &options, &tls, metadata.clone(), forced).await?;
        // What the repository holds decides what to do; a conflict stops before the push.
        let step = repo.plan(&project, &target).await?;

        let started = Instant::now();
        out.status(
            "Pushing",
            &format!("{} ({})", target.remote, target.registry_type),
        );
        d.tag(&target.local, &target.remote)
            .map_err(|f| failed("docker tag", &f, None))?;
        let steps = out.steps("Pushing");
        let pushed = d.push(&target.remote, &mut |e| steps.event(e));
        steps.done();
        let digest = pushed.map_err(|f| {
            failed(
                "docker push",
                &f,
                Some(format!(
                    "check that {} is reachable and accepts pushes (docker login {})",
                    target.registry.host, target.registry.host
                )),
            )
        })?;
        out.status(
            "Pushed",
            &format!(
                "{}{} in {:.1} s",
                target.remote,
                digest.map(|d| format!(" {d}")).unwrap_or_default(),
                started.elapsed().as_secs_f64()
            ),
        );

        let (registration, versions) = repo.apply(&step, &target).await?;
        Ok::<_, AppError>((registration, versions, repo.api))
    })?;
    let (registration, versions, api) = registration;
    let what = match registration {
        Registration::Registered => "registered",
        Registration::Updated => "updated",
        Registration::Unchanged => "already registered",
    };
    out.status(
        "Published",
        &format!(
            "plugin {} {what} at {url} ({}); versions: {}",
            target.plugin_id,
            api.label(),
            versions.join(", ")
        ),
    );
    super::emit(&format!(
        "plugin_id: {}\nimage: {}\nregistry_type: {}\nversion: {}\nregistration: {}\nversions: [{}]\n",
        target.plugin_id,
        target.image,
        target.registry_type,
        target.version,
        what.replace(' ', "_"),
        versions.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_lines_and_sizes_are_short() {
        assert_eq!(shorten("RUN  a\n   b", 100), "RUN a b");
        assert_eq!(shorten("abcdef", 3), "abc...");
        assert_eq!(megabytes(Some("143500000".into())), "144 MB");
        assert_eq!(megabytes(None), "size unknown");
    }
}
