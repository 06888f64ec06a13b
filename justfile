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

# Refresh the spectator page's screenshots in docs/screenshots/ (needs chromium; commit them)
screenshots:
    LIVE_MINI_REQUIRE_BROWSER=1 LIVE_MINI_SCREENSHOTS="$PWD/docs/screenshots" \
        cargo test -p live-server --test api --locked -- browser::phone_and_desktop_layouts

# Refresh the README's demo picture: the demo at 20x for a minute, then a phone-sized screenshot
demo-screenshot port="3999":
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build --locked -p live-server
    dir=$(mktemp -d)
    PORT={{ port }} RUST_LOG=warn target/debug/live-mini demo --speed 20 --db "$dir/demo.db" & pid=$!
    trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
    sleep 60
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$dir/browser" --hide-scrollbars --window-size=390,1300 \
        --virtual-time-budget=4000 --screenshot="$PWD/docs/screenshots/demo-phone.png" \
        "http://127.0.0.1:{{ port }}/events/demo-1-1?lang=en"

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

# Short load benchmarks (docs/BENCHMARKS.md): server on core 0, generator on core 1, ~4 min
bench port="3100":
    #!/usr/bin/env bash
    set -uo pipefail
    cargo build --release --locked -p live-server -p live-loadgen || exit 1
    ulimit -n "$(ulimit -Hn)"
    out=target/bench; mkdir -p "$out"; rm -f "$out"/db.sqlite*
    PORT={{ port }} DATABASE_PATH="$out/db.sqlite" RUST_LOG=warn WS_MAX_PER_EVENT=20000 \
        taskset -c 0 target/release/live-mini & pid=$!
    trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
    url=http://127.0.0.1:{{ port }}
    for _ in $(seq 100); do curl -fs "$url/health" >/dev/null && break; sleep 0.1; done
    failed=0
    lg() { local name=$1; shift
        echo "== $name: live-loadgen $*"
        timeout 300 taskset -c 1 target/release/live-loadgen "$@" --url "$url" --server-pid "$pid" \
            --json "$out/$name.json" | tail -n 25 || failed=1; }
    # idle first: its RSS per connection is a delta, exact only on a fresh server
    lg idle            idle --connections 1000 --duration 20
    lg booth           booth --connections 200 --speed 20
    lg fanout          fanout --connections 1000 --rate 10 --duration 30
    lg xml-full        xml-full --connections 1000 --imports 3
    lg reconnect-storm reconnect-storm --connections 1000 --storm 5 --rate 5 --duration 10
    lg slow            slow --connections 1000 --slow-percent 5 --stall 15 --rate 10 --duration 20
    lg soak            soak --connections 500 --rate 5 --duration 30 --speed 20
    echo "reports in $out/*.json"; exit $failed
