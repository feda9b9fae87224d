use crate::cli::ApplyArgs;
use crate::error::{AppError, Result};
pub fn run(_a: ApplyArgs) -> Result<()> { Err(AppError::msg("apply: not built yet")) }
