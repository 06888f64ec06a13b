# Developer shortcuts. Optional: every recipe calls the plain commands the README gives.
set shell := ["bash", "-euo", "pipefail", "-c"]

# List recipes
_default:
    @just --list --unsorted

# Run the server (the README's command; database ./data/live-mini.db)
run:
    cargo run --release

# Run the tests (the README's command; args are test-name filters)
test *ARGS:
    cargo test --workspace --locked {{ ARGS }}

# Format all code
fmt:
    cargo fmt --all

# fmt check + clippy, warnings are errors
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets --locked -- -D warnings

# Fail if a crate picked up a dependency its layer forbids
layers:
    bash .ci/layers.sh

# Exactly what CI runs
ci:
    bash .ci/run

# Release build of the server binary
release:
    cargo build --release --locked -p live-server

# API docs of the workspace
doc:
    cargo doc --workspace --no-deps
