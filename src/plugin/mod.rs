//! The plugin host: a gRPC server that owns the framework logic and runs the
//! plugin author's code in handler processes.
pub mod error;
