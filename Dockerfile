# Used by docker-compose.yml.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --bin boxoffice

FROM debian:bookworm-slim
COPY --from=build /src/target/release/boxoffice /usr/local/bin/boxoffice
EXPOSE 8080
ENTRYPOINT ["boxoffice", "serve"]
