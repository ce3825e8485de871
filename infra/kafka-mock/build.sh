#!/usr/bin/env bash
# Builds the mock Kafka cluster the Kafka tests and bench run against, when missing or stale.
# Needs librdkafka's headers (Debian: librdkafka-dev), installed here when absent.
set -euo pipefail
cd "$(dirname "$0")"
out=bin/kafka-mock
if [ -x "$out" ] && [ "$out" -nt kafka-mock.c ]; then exit 0; fi
if [ ! -f /usr/include/librdkafka/rdkafka_mock.h ]; then
  echo "kafka-mock: installing librdkafka-dev from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq librdkafka-dev >/dev/null
fi
command -v cc >/dev/null || { echo "kafka-mock: no C compiler (cc)" >&2; exit 1; }
mkdir -p bin
cc -O2 -Wall -Wextra -Werror -o "$out.tmp" kafka-mock.c -lrdkafka
mv "$out.tmp" "$out"
echo "kafka-mock: built $out"
