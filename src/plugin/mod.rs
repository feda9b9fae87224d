//! The plugin host: a gRPC server that owns the framework logic and runs the
//! plugin author's code in handler processes.
pub mod collector;
pub mod convert;
pub mod dict;
pub mod error;
pub mod handler;
pub mod kind_server;
pub mod kinds;
pub mod log;
pub mod metadata;
pub mod model;
pub mod server;
