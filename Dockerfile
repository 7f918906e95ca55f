# Multi-stage build of the `kitap` binary. SQLite is bundled and libpq is
# built from source (pq-sys "bundled"), so the runtime image needs no
# database client libraries.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p kitap-cli \
 && cp target/release/kitap /usr/local/bin/kitap

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/kitap --create-home kitap
COPY --from=build /usr/local/bin/kitap /usr/local/bin/kitap
USER kitap
WORKDIR /var/lib/kitap
ENV KITAP_LISTEN=0.0.0.0:8080 \
    KITAP_DATA_DIR=/var/lib/kitap \
    KITAP_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/ready || exit 1
ENTRYPOINT ["kitap"]
CMD ["serve"]
