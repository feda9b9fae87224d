//! Shared pieces of the client's integration tests: a dynamic gRPC test server
//! and a temporary home directory from which the binary is run.
#![allow(dead_code)]

pub mod home;
pub mod server;
pub mod tls;
