#!/usr/bin/env bash
# The benchmark command (issue 8): Tasks vs each engine's own API, side by side.
#
#   scripts/bench.sh [--quick] [--filter <row substring>] [--runs N] [--concurrency N] [--out DIR] [--list]
#
# 1. starts (or reuses) Redis, PostgreSQL and RabbitMQ on 127.0.0.1 with scripts/servers.sh, as the tests do,
# 2. exports their addresses (TASKS_TEST_REDIS, TASKS_TEST_POSTGRES, TASKS_TEST_RABBITMQ),
# 3. runs the harness in Release: dotnet run -c Release --project benchmarks/Tasks.Benchmarks -- <args>.
#
# Full mode (no --quick) writes benchmarks/results/{results.md,results.csv,samples.csv,end-to-end.png};
# --quick writes artifacts/benchmarks-quick/ instead. Exit code: 0 when every row ran, 1 when any failed,
# 2 on a usage error. See benchmarks/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! scripts/servers.sh start; then
  echo "bench.sh: the servers could not be started (see above)" >&2
  exit 1
fi
eval "$(scripts/servers.sh env)"

# The command that reproduces this run, for the header of results.md.
TASKS_BENCH_COMMAND="scripts/bench.sh"
if (($# > 0)); then TASKS_BENCH_COMMAND+="$(printf ' %q' "$@")"; fi
export TASKS_BENCH_COMMAND

exec dotnet run -c Release --project benchmarks/Tasks.Benchmarks -- "$@"
