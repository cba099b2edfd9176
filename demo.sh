#!/usr/bin/env bash
# Runs the publisher end to end on this machine: installs Prometheus if missing, builds the jar, then starts a
# synthetic Kubernetes cluster, a real Prometheus scraping it, an embedded Kafka broker and the publisher, and prints
# the messages it publishes for DEMO_SECONDS (default 60).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps
./mvnw -B -q -DskipTests package
./mvnw -B -q exec:java -Dexec.mainClass=k8sprom.publisher.DemoStack -Dexec.classpathScope=test
