# syntax=docker/dockerfile:1
# Multi-stage build of the demo jar (node, load client, key tool).
#   docker build -t shredcache-demo:local .
# Used by docker-compose.yml; nothing secret is baked into the image.

FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /src
# Poms first, so the dependency download is cached while sources change.
COPY pom.xml ./
COPY .mvn .mvn
COPY cache-core/pom.xml cache-core/
COPY testing/pom.xml testing/
COPY cache-memcached/pom.xml cache-memcached/
COPY netty-adapter/pom.xml netty-adapter/
COPY system-tests/pom.xml system-tests/
COPY demo/pom.xml demo/
COPY benchmarks/pom.xml benchmarks/
COPY cache-core/src cache-core/src
COPY testing/src testing/src
COPY cache-memcached/src cache-memcached/src
COPY netty-adapter/src netty-adapter/src
COPY demo/src demo/src
RUN mvn -B -q -DskipTests -pl demo -am package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin shredcache
COPY --from=build /src/demo/target/shredcache-demo.jar /app/shredcache-demo.jar
USER 10001
EXPOSE 8443
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xmx256m", "-jar", "/app/shredcache-demo.jar"]
CMD ["--help"]
