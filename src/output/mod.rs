//! Pure renderers: PyYAML-compatible YAML, Python-style JSON, presto tables,
//! CSV, quiet output, column templates and Python text forms of values.
pub mod columns;
pub mod csv;
pub mod fit;
pub mod json;
pub mod message;
pub mod pyrepr;
pub mod render;
pub mod table;
pub mod wire;
pub mod yaml;
