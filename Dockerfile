# syntax=docker/dockerfile:1
# soapbridge's container image: one static (musl) binary on an empty base image, running as a
# non-root user, with nothing to write on its root filesystem. See the README's "Deploy" section.
#
#   docker build -t soapbridge .
#   docker run --rm -p 8080:8080 soapbridge serve --config /usr/share/soapbridge/sample/soapbridge.yaml
#
# Layout inside the image:
#   /usr/local/bin/soapbridge              the server (ENTRYPOINT)
#   /usr/local/bin/soapbridge-healthcheck  GET /livez for HEALTHCHECK (no shell or curl here)
#   /etc/soapbridge/soapbridge.yaml        settings: listen 0.0.0.0:8080, mappings in
#                                          /etc/soapbridge/mappings, no mock (deploy/docker/soapbridge.yaml)
#   /etc/soapbridge/mappings, .../wsdl     yours: mount them (read-only) or bake them in with
#                                          deploy/docker/Dockerfile.mappings (the `FROM soapbridge` pattern)
#   /usr/share/soapbridge/sample           the sample CRM service with the built-in mock, for a first try
#
# BINARY_FROM=prebuilt takes the two binaries from dist/image/ (written by `deploy/release.sh
# --image`) instead of compiling them in the `build` stage; CI builds the image that way.
ARG RUST_VERSION=1.95
ARG BINARY_FROM=build

# ---- build: the static binaries, compiled from the locked sources -------------------------------
FROM docker.io/library/rust:${RUST_VERSION}-slim-bookworm AS build
# musl-gcc compiles ring's C and assembly for the musl target.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
ENV CARGO_PROFILE_RELEASE_STRIP=symbols
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    target="$(uname -m)-unknown-linux-musl" \
 && rustup target add "$target" \
 && cargo build --release --locked --target "$target" \
 && mkdir -p /out \
 && cp "target/$target/release/soapbridge" /out/soapbridge \
 && rustc --edition 2021 -O -C strip=symbols --target "$target" \
        deploy/docker/healthcheck.rs -o /out/soapbridge-healthcheck

# ---- prebuilt: the same two binaries, built outside (deploy/release.sh --image) -----------------
FROM scratch AS prebuilt
COPY dist/image/soapbridge dist/image/soapbridge-healthcheck /out/

FROM ${BINARY_FROM} AS binary

# ---- runtime --------------------------------------------------------------------------------------
FROM scratch
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="soapbridge" \
      org.opencontainers.image.description="A JSON/REST face for legacy SOAP services, derived from their WSDL and XML Schema" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/soapbridge/soapbridge" \
      org.opencontainers.image.documentation="https://github.com/soapbridge/soapbridge#deploy"
COPY --from=binary /out/soapbridge /out/soapbridge-healthcheck /usr/local/bin/
COPY deploy/docker/passwd deploy/docker/group /etc/
COPY deploy/docker/soapbridge.yaml /etc/soapbridge/soapbridge.yaml
COPY deploy/docker/sample.yaml /usr/share/soapbridge/sample/soapbridge.yaml
COPY mappings/crm.yaml /usr/share/soapbridge/sample/mappings/crm.yaml
COPY wsdl/ /usr/share/soapbridge/sample/wsdl/
# 65532: the "nonroot" user of distroless images (deploy/docker/passwd); no home, no shell.
USER 65532:65532
WORKDIR /etc/soapbridge
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/soapbridge-healthcheck"]
ENTRYPOINT ["/usr/local/bin/soapbridge"]
CMD ["serve", "--config", "/etc/soapbridge/soapbridge.yaml"]
