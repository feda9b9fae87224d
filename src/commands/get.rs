//! `spacectl get RESOURCE`: call the resource's `get` method and print the
//! response as YAML or JSON.

use crate::cli::{DocFormat, GetArgs};
use crate::error::Result;
use crate::output::render::Format;

pub fn run(a: GetArgs) -> Result<()> {
    let format = match a.output {
        DocFormat::Yaml => Format::Yaml,
        DocFormat::Json => Format::Json,
    };
    super::exec::call_and_print("get", &a.resource, &a.params, &a.call, format)
}
