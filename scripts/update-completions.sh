#!/usr/bin/env bash
# Regenerate the checked-in completion scripts (completions/) and manual pages
# (man/) of both names, spacectl and spaceone, from the command tree.
# tests/completions.rs fails while they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --bin spacectl
# The target directory as cargo sees it (CARGO_TARGET_DIR, .cargo/config.toml, ...).
target_dir="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
bin="$target_dir/debug/spacectl"
mkdir -p completions man
for name in spacectl spaceone; do
  "$bin" completion bash --name "$name" > "completions/$name.bash"
  "$bin" completion zsh --name "$name" > "completions/_$name"
  "$bin" completion fish --name "$name" > "completions/$name.fish"
  "$bin" completion powershell --name "$name" > "completions/_$name.ps1"
  "$bin" completion elvish --name "$name" > "completions/$name.elv"
done
rm -f man/*.1
"$bin" man man
