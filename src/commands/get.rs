use crate::cli::GetArgs;
use crate::error::{AppError, Result};
pub fn run(_a: GetArgs) -> Result<()> { Err(AppError::msg("get: not built yet")) }
