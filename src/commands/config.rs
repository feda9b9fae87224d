use crate::cli::ConfigCommand;
use crate::error::{AppError, Result};
pub fn run(_c: ConfigCommand) -> Result<()> { Err(AppError::msg("config: not built yet")) }
