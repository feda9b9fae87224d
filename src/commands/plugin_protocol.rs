//! `spacectl plugin protocol`: the handler protocol document, built into the
//! binary so that an installed copy can show it.

use crate::error::Result;

/// `docs/plugin-protocol.md`, as of the build.
pub const PROTOCOL: &str = include_str!("../../docs/plugin-protocol.md");

pub fn run() -> Result<()> {
    super::emit(PROTOCOL)
}
