//! `spacectl version`: the client version as a YAML document.

use serde_json::json;

use crate::error::Result;
use crate::output;

pub fn run() -> Result<()> {
    super::emit(&output::yaml::document(
        &json!({ "version": env!("CARGO_PKG_VERSION") }),
    ))
}
