//! `spacectl stat RESOURCE` and `spacectl analyze RESOURCE`: call the
//! resource's `stat` / `analyze` method with the given parameters (plus the
//! page limit of `-l`) and print the rows; `-c` only shapes the printed rows.

use crate::cli::{ParamArgs, StatArgs};
use crate::error::Result;
use crate::grpc::resolve;
use crate::output::columns;
use crate::request;

use super::list::{call_rows, format_of};

pub fn run_stat(a: StatArgs) -> Result<()> {
    run(a, "stat")
}

pub fn run_analyze(a: StatArgs) -> Result<()> {
    run(a, "analyze")
}

fn run(a: StatArgs, verb: &str) -> Result<()> {
    let target = resolve::parse_resource(&a.resource)?;
    let cols = a
        .columns
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(columns::parse_column_option)
        .transpose()?;
    let params = request::params::build(&ParamArgs {
        parameter: a.parameter,
        json_parameter: a.json_parameter,
        file_parameter: a.file_parameter,
    })?;
    let limit = a.limit;
    call_rows(
        &target,
        verb,
        params,
        &a.call,
        format_of(a.output),
        None,
        cols.as_deref(),
        |desc, params| request::query::apply_stat_limit(desc, params, limit),
    )
}
