//! Code generated from the collector's protos by build.rs.
#![allow(nonstandard_style, dead_code, clippy::all)]

tonic::include_proto!("spaceone.api.inventory.plugin");
