# Meetifyr and ExBuy in containers: built in a Rust image, each shipped alone in a slim Debian
# image as a user without privileges. Container images cannot be pulled on the project's build
# machines, so this file (and docker-compose.yml) is written for people who deploy with
# containers; scripts/cluster.sh runs and tests the same topology from Debian's packages.
#
#   docker build -t meetifyr .                    # the default target: Meetifyr
#   docker run -p 8000:8000 -v meetifyr-data:/data meetifyr
#   docker build --target exbuy -t exbuy .        # ExBuy (seed 003), SQLite in /data
#
# The dependencies are built in a layer of their own (cargo-chef's recipe holds only the
# manifests), so a change to the sources rebuilds the workspace's crates, not the ~500 others.

FROM rust:1.95-slim-bookworm AS chef
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /src

FROM chef AS plan
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS build
COPY --from=plan /src/recipe.json recipe.json
RUN cargo chef cook --release --locked --recipe-path recipe.json -p meetifyr -p exbuy-server
COPY . .
RUN cargo build --release --locked -p meetifyr --bin meetifyr -p exbuy-server --bin exbuy \
    && strip target/release/meetifyr target/release/exbuy

FROM debian:bookworm-slim AS exbuy
RUN useradd --system --uid 10002 --home-dir /data --create-home exbuy
COPY --from=build /src/target/release/exbuy /usr/local/bin/exbuy
USER exbuy
WORKDIR /data
VOLUME /data
ENV EXBUY_LISTEN=0.0.0.0:9000 \
    EXBUY_DATABASE=sqlite:///data/exbuy.db \
    EXBUY_UPLOAD_DIR=/data/uploads
EXPOSE 9000
# `exbuy health` asks /api/health on EXBUY_LISTEN's port (the image has no curl).
HEALTHCHECK --interval=10s --timeout=6s --start-period=20s --retries=3 CMD ["/usr/local/bin/exbuy", "health"]
ENTRYPOINT ["/usr/local/bin/exbuy"]

FROM debian:bookworm-slim AS meetifyr
RUN useradd --system --uid 10001 --home-dir /data --create-home meetifyr
COPY --from=build /src/target/release/meetifyr /usr/local/bin/meetifyr
USER meetifyr
WORKDIR /data
# The SQLite file (the default store) lives here: mount a volume to keep it.
VOLUME /data
ENV MEETIFYR_LISTEN=0.0.0.0:8000 \
    MEETIFYR_STORE=sqlite=sqlite:///data/meetifyr.db
EXPOSE 8000
# `meetifyr health` asks /health/ready on MEETIFYR_LISTEN's port (the image has no curl).
HEALTHCHECK --interval=10s --timeout=6s --start-period=20s --retries=3 CMD ["/usr/local/bin/meetifyr", "health"]
ENTRYPOINT ["/usr/local/bin/meetifyr"]
