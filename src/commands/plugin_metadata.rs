use std::path::Path;
use crate::error::{AppError, Result};
pub fn run(_f: &Path) -> Result<()> { Err(AppError::msg("plugin metadata: not built yet")) }
