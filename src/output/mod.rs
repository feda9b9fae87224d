//! Pure renderers: PyYAML-compatible YAML, Python-style JSON, tables, CSV.
pub mod message;
pub mod yaml;
