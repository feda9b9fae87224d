use crate::cli::PluginServerArgs;
use crate::error::{AppError, Result};
pub fn run(_a: PluginServerArgs) -> Result<()> { Err(AppError::msg("run plugin-server: not built yet")) }
