//! Compiles the protos the plugin host serves (no `protoc` needed): server code
//! for tonic, plus the encoded FileDescriptorSet that reflection answers from.
//!
//! Each plugin kind under `src/plugin/kinds/<kind>/` lists its protos in a
//! `protos.txt` there (one path under `proto/` a line); they are compiled, with
//! Health and ServerInfo, into that kind's own FileDescriptorSet
//! `$OUT_DIR/kinds/<kind>.bin`. Kinds never share a pool: the two identity kinds
//! define the same message names in one package.

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
    println!("cargo:rerun-if-changed=src/plugin/kinds");

    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    compile_kinds(&out_dir)?;

    // Server code for the services served with generated code (the
    // collector's, Health and ServerInfo); reflection answers from the kinds'
    // descriptor sets above.
    let fds = protox::Compiler::new(["proto"])?
        .include_source_info(false)
        .include_imports(true)
        .open_files(PROTOS)?
        .file_descriptor_set();

    // The host's codec decodes the requests' Struct fields itself (prost's
    // decoder stops at 49 nested lists; see src/plugin/host/convert.rs).
    // `collect` answers with messages encoded by the collector's service.
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(false)
        .codec_path("crate::plugin::host::codec::HostCodec")
        .extern_path(
            ".spaceone.api.inventory.plugin.ResourceInfo",
            "crate::plugin::kinds::collector::reply::ResourceReply",
        )
        .compile_fds(fds)?;
    Ok(())
}

/// The served protos every kind shares.
const COMMON_PROTOS: &[&str] = &[
    "spaceone/api/core/v1/server_info.proto",
    "grpc_health/v1/health.proto",
];

fn compile_kinds(out_dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let kinds_out = out_dir.join("kinds");
    std::fs::create_dir_all(&kinds_out)?;
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("src/plugin/kinds")?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("protos.txt").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let list = std::fs::read_to_string(dir.join("protos.txt"))?;
        let mut files: Vec<&str> = list
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        files.extend_from_slice(COMMON_PROTOS);
        let fds = protox::Compiler::new(["proto"])?
            .include_source_info(false)
            .include_imports(true)
            .open_files(&files)?
            .file_descriptor_set();
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or("a kind folder name is not UTF-8")?;
        std::fs::write(
            kinds_out.join(format!("{name}.bin")),
            prost::Message::encode_to_vec(&fds),
        )?;
    }
    Ok(())
}
