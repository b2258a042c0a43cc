# Meetifyr in a container: built in a Rust image, shipped alone in a slim Debian image, as a
# user without privileges. Container images cannot be pulled on the project's build machines,
# so this file (and docker-compose.yml) is written for people who deploy with containers;
# scripts/cluster.sh runs and tests the same topology from Debian's packages.
#
#   docker build -t meetifyr .
#   docker run -p 8000:8000 meetifyr            # SQLite in /data
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p meetifyr --bin meetifyr \
    && strip target/release/meetifyr

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data --create-home meetifyr
COPY --from=build /src/target/release/meetifyr /usr/local/bin/meetifyr
USER meetifyr
WORKDIR /data
ENV MEETIFYR_LISTEN=0.0.0.0:8000 \
    MEETIFYR_STORE=sqlite=sqlite:///data/meetifyr.db
EXPOSE 8000
ENTRYPOINT ["/usr/local/bin/meetifyr"]
