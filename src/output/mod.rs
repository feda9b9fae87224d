//! Pure renderers: PyYAML-compatible YAML, Python-style JSON, tables, CSV.
pub mod yaml;
