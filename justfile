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

# Several instances (docs/BENCHMARKS.md, "Several instances"): three cluster-mode instances on
# PostgreSQL and NATS (local), 3 x 3000 spectators, then a kill of instance 3. A fresh database
# `live_bench` and stream LIVE_BENCH each run, both removed at the end.
bench-cluster port="3101" spectators="9000" rate="5":
    #!/usr/bin/env bash
    set -uo pipefail
    cargo build --release --locked -p live-server -p live-loadgen || exit 1
    ulimit -n "$(ulimit -Hn)"
    out=target/bench-cluster; mkdir -p "$out"
    pg=postgres://postgres@127.0.0.1:5432; db=live_bench; stream=LIVE_BENCH
    # Deletes the stream with one JetStream API request over the plain NATS protocol.
    nats_delete() { ( exec 3<>/dev/tcp/127.0.0.1/4222 || exit 1
        printf 'CONNECT {"verbose":false}\r\nPUB $JS.API.STREAM.DELETE.%s 0\r\n\r\nPING\r\n' "$stream" >&3
        timeout 2 head -c 2000 <&3 >/dev/null ) 2>/dev/null; }
    psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || exit 1
    nats_delete || true
    pids=()
    cleanup() { kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; nats_delete || true
        psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db"; }
    trap cleanup EXIT
    targets=""
    for i in 0 1 2; do
        p=$(( {{ port }} + i ))
        PORT=$p DATABASE_URL="$pg/$db" NATS_URL=nats://127.0.0.1:4222 NATS_STREAM=$stream NATS_SUBJECT_PREFIX=bench.frames \
            RUST_LOG=warn WS_MAX_PER_EVENT=20000 CLIENT_WS_MAX_CONNECTIONS=0 CLIENT_WS_HANDSHAKE_RATE=0 \
            taskset -c 0 target/release/live-mini & pids+=($!)
        targets="$targets${targets:+,}http://127.0.0.1:$p"
        for _ in $(seq 100); do curl -fs "http://127.0.0.1:$p/health" >/dev/null && break; sleep 0.1; done
    done
    failed=0
    lg() { local name=$1; shift
        echo "== $name: live-loadgen $*"
        timeout 600 taskset -c 1 target/release/live-loadgen "$@" --target "$targets" \
            --json "$out/$name.json" | tail -n 45 || failed=1; }
    lg cross-instance fanout --connections {{ spectators }} --rate {{ rate }} --duration 20
    lg kill-storm kill-storm --connections {{ spectators }} --rate {{ rate }} \
        --kill-pid "${pids[2]}" --kill-after 10 --duration 20
    echo "reports in $out/*.json"; exit $failed
