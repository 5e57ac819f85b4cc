#!/usr/bin/env bash
# Release build: stripped static (musl) binaries, a tarball per target, SHA-256 checksums and a
# CycloneDX SBOM, all under dist/ (ignored by git). CI-friendly: no prompts, fails loudly.
#
#   deploy/release.sh            # every target whose Rust standard library is installed
#   deploy/release.sh --image    # also dist/image/{soapbridge,soapbridge-healthcheck} for the
#                                # Dockerfile's BINARY_FROM=prebuilt (the host's architecture)
#
# Targets: x86_64- and aarch64-unknown-linux-musl. A target is built when `rustup target list
# --installed` names it (and, for aarch64, a cross linker `aarch64-linux-musl-gcc` or
# `aarch64-linux-gnu-gcc` is on PATH); otherwise the script says it skipped it.
# The SBOM needs `cargo cyclonedx` (cargo install cargo-cyclonedx); without it the script says so.
set -euo pipefail
cd "$(dirname "$0")/.."

image=0
for arg in "$@"; do
    case "$arg" in
        --image) image=1 ;;
        -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "release.sh: unknown argument \`$arg\` (see --help)" >&2; exit 2 ;;
    esac
done

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | sed -n 1p)"
dist=dist
mkdir -p "$dist"
installed="$(rustup target list --installed 2>/dev/null || true)"
built=()

for target in x86_64-unknown-linux-musl aarch64-unknown-linux-musl; do
    if ! grep -qx "$target" <<<"$installed"; then
        echo "release.sh: skipped $target (rustup target add $target installs it)" >&2
        continue
    fi
    linker_env=()
    linker_arg=()
    if [ "$target" = aarch64-unknown-linux-musl ] && [ "$(uname -m)" != aarch64 ]; then
        linker=""
        for candidate in aarch64-linux-musl-gcc aarch64-linux-gnu-gcc; do
            if command -v "$candidate" >/dev/null; then linker="$candidate"; break; fi
        done
        if [ -z "$linker" ]; then
            echo "release.sh: skipped $target (no aarch64 cross linker on PATH)" >&2
            continue
        fi
        linker_env=(CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER="$linker" CC_aarch64_unknown_linux_musl="$linker")
        linker_arg=(-C "linker=$linker")
    fi
    env "${linker_env[@]}" CARGO_PROFILE_RELEASE_STRIP=symbols \
        cargo build --release --locked --target "$target"
    rustc --edition 2021 -O -C strip=symbols --target "$target" "${linker_arg[@]}" \
        deploy/docker/healthcheck.rs -o "target/$target/release/soapbridge-healthcheck"

    name="soapbridge-$version-$target"
    stage="$dist/$name"
    rm -rf "$stage"
    mkdir -p "$stage"
    cp "target/$target/release/soapbridge" "target/$target/release/soapbridge-healthcheck" "$stage/"
    cp README.md LICENSE CHANGELOG.md soapbridge.yaml "$stage/"
    cp -r deploy/systemd "$stage/systemd"
    tar -C "$dist" --owner=0 --group=0 --numeric-owner -czf "$dist/$name.tar.gz" "$name"
    rm -rf "$stage"
    built+=("$name.tar.gz")

    if [ "$image" = 1 ] && [ "${target%%-*}" = "$(uname -m)" ]; then
        mkdir -p "$dist/image"
        cp "target/$target/release/soapbridge" "target/$target/release/soapbridge-healthcheck" "$dist/image/"
    fi
done

if [ "${#built[@]}" -eq 0 ]; then
    echo "release.sh: no target could be built" >&2
    exit 1
fi

# The SBOM: every crate compiled into the binary, with versions, licences and checksums.
if cargo cyclonedx --version >/dev/null 2>&1; then
    cargo cyclonedx --format json --spec-version 1.5 --override-filename "soapbridge-$version.cdx" >/dev/null
    mv "soapbridge-$version.cdx.json" "$dist/"
    built+=("soapbridge-$version.cdx.json")
else
    echo "release.sh: no SBOM (cargo install cargo-cyclonedx)" >&2
fi

(cd "$dist" && sha256sum "${built[@]}" > SHA256SUMS)
echo "release.sh: wrote ${built[*]} and SHA256SUMS in $dist/"
