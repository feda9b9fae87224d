#!/usr/bin/env bash
# Regenerate the checked-in completion scripts from the command tree.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q
bin=target/debug/spacectl
"$bin" completion bash > completions/spacectl.bash
"$bin" completion zsh > completions/_spacectl
"$bin" completion fish > completions/spacectl.fish
"$bin" completion powershell > completions/_spacectl.ps1
"$bin" completion elvish > completions/spacectl.elv
