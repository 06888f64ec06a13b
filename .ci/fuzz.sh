#!/usr/bin/env bash
# Fuzzes the parsers that read what the network sends (docs/FUZZING.md): the Canoe123 XML parser
# and the validators of the three JSON feed bodies. Stable toolchain, no cargo-fuzz: the targets
# are libfuzzer-sys binaries built with the same coverage instrumentation cargo-fuzz passes
# (`--sanitizer none`), so nothing beyond crates.io is installed.
#
#   bash .ci/fuzz.sh            # every target for FUZZ_SECS (default 30) seconds
#   FUZZ_SECS=600 bash .ci/fuzz.sh c123_xml
#
# The committed seeds (fuzz/corpus/<target>) and the inputs of fixed findings
# (fuzz/regressions/<target>, each also a test in the normal suite) are read-only here; what
# libFuzzer adds goes to fuzz/corpus-run/<target> (ignored by git). A crash leaves its input in
# fuzz/artifacts/<target>/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

secs=${FUZZ_SECS:-30}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(c123_xml results_body oncourse_body xml_body)
fi
triple=$(rustc -vV | sed -n 's/^host: //p')

# What `cargo fuzz build --sanitizer none` passes; the explicit --target keeps build scripts and
# proc macros uninstrumented.
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
cargo build --locked --release --target "$triple" --bins

for t in "${targets[@]}"; do
    case $t in c123_xml) dict=dict/c123.dict ;; *) dict=dict/json.dict ;; esac
    mkdir -p "corpus-run/$t" "artifacts/$t"
    seeds=("corpus/$t")
    if [ -d "regressions/$t" ]; then seeds+=("regressions/$t"); fi
    echo "== fuzz $t for ${secs}s"
    # -max_len 64 KiB: room for the XML seeds; -rss_limit_mb below the machine's share.
    "target/$triple/release/$t" "corpus-run/$t" "${seeds[@]}" \
        -dict="$dict" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
        -timeout=10 -print_final_stats=1 -artifact_prefix="artifacts/$t/" 2>"corpus-run/$t.log" \
        || { tail -n 40 "corpus-run/$t.log"; echo "fuzz target $t failed"; exit 1; }
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done )' "corpus-run/$t.log" || true
done
