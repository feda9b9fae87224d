//! The plugin host: a gRPC server that owns the framework logic and runs the
//! plugin author's code in handler processes.
//!
//! - [`host`]: the core — server, reflection, health, server info, handler
//!   pool, logging, shutdown — generic over a plugin kind; it imports no kind.
//! - [`kinds`]: one module per plugin kind (its routes, request and response
//!   models, shaping), and the table the host is given a kind from.
pub mod host;
pub mod kinds;
