//! Compiles the protos the plugin host serves (no `protoc` needed): server code
//! for tonic, plus the encoded FileDescriptorSet that reflection answers from.

use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "spaceone/api/inventory/plugin/collector.proto",
    "spaceone/api/inventory/plugin/job.proto",
    "spaceone/api/core/v1/server_info.proto",
    "grpc_health/v1/health.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=build.rs");

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);

    // Source info is left out: reflection clients get the same compact
    // descriptors a Python server sends.
    let fds = protox::Compiler::new(["proto"])?
        .include_source_info(false)
        .include_imports(true)
        .open_files(PROTOS)?
        .file_descriptor_set();

    std::fs::write(
        out_dir.join("host_descriptor.bin"),
        prost::Message::encode_to_vec(&fds),
    )?;

    // The host's codec decodes the requests' Struct fields itself (prost's
    // decoder stops at 49 nested lists; see src/plugin/convert.rs).
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(false)
        .codec_path("crate::plugin::server::HostCodec")
        .compile_fds(fds)?;
    Ok(())
}
