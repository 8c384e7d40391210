# Multi-stage build: compile with the pinned toolchain, run on a slim Debian.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin shixin

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/shixin /usr/local/bin/shixin
EXPOSE 8080
ENTRYPOINT ["shixin"]
CMD ["serve"]
