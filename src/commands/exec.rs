use crate::cli::ExecArgs;
use crate::error::{AppError, Result};
pub fn run(_a: ExecArgs) -> Result<()> { Err(AppError::msg("exec: not built yet")) }
