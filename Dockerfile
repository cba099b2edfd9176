# Build stage: compile and package the shaded jar.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

# Runtime stage: a JRE, the jar, and the editable routes and settings.
FROM eclipse-temurin:17-jre
RUN groupadd --system app && useradd --system --gid app --home-dir /app app
WORKDIR /app
COPY --from=build /src/target/k8s-prometheus-publisher.jar /app/k8s-prometheus-publisher.jar
# Mount a ConfigMap over /app/routes (metrics.yaml, *.camel.yaml) or over /app/config and set APPLICATION_PROPERTIES
# to replace the shipped settings.
COPY routes/ /app/routes/
COPY application.properties /app/application.properties

# The Python service's variables and defaults, so existing `docker run -e ...` lines keep working.
# JVM: chosen by measurement at 10,000 pods (docs/benchmark.md, scripts/benchmark --jvm-matrix): the serial collector
# and a 128 MB heap (peak heap use about 75 MB) keep peak RSS near 260 MB; two glibc malloc arenas save about 10 MB.
ENV KAFKA_IP=localhost \
    KAFKA_PORT=9092 \
    KAFKA_KUBERNETES_TOPIC=nfvi.ncsrd.kubernetes \
    PROMETHEUS_HOST=localhost \
    PROMETHEUS_PORT=9090 \
    PROMETHEUS_POLLING_STEP=20s \
    SCHEDULER_SECONDS=20 \
    DEBUG=0 \
    APPLICATION_PROPERTIES=/app/application.properties \
    JAVA_OPTS="-XX:+UseSerialGC -Xms32m -Xmx128m -XX:MaxMetaspaceSize=96m -Xss512k -XX:+ExitOnOutOfMemoryError" \
    MALLOC_ARENA_MAX=2

# Class-data sharing: one short start at build time records the classes the application loads into /app/app.jsa,
# which takes about a second off every later start (docs/benchmark.md). Nothing is reachable during the build, so the
# application starts, fails its first cycle, and is stopped.
RUN timeout -s TERM 15 java $JAVA_OPTS -XX:ArchiveClassesAtExit=/app/app.jsa -jar /app/k8s-prometheus-publisher.jar \
        > /dev/null 2>&1; test -s /app/app.jsa
USER app


# 9876: /observe/health and /observe/metrics; 9004 and 9005: the Contiv exporter's /metrics.
EXPOSE 9876 9004 9005
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -XX:SharedArchiveFile=/app/app.jsa -jar /app/k8s-prometheus-publisher.jar"]
