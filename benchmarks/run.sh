#!/usr/bin/env bash
# Builds the benchmarks, runs the C syscall floor and the JMH suite in one go, and prints the ratio table.
#   benchmarks/run.sh            default run (about 8 minutes on 2 cores)
#   benchmarks/run.sh --quick    smoke run (about 1 minute; numbers are rough)
# Needs: root or CAP_BPF for the linux rows, cc and libbpf-dev for the floor.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out="$here/target/results"
mkdir -p "$out"
quick=0
[ "${1:-}" = "--quick" ] && quick=1

(cd "$top" && mvn -q -B -ntp -DskipTests -pl benchmarks -am package)
cc -O2 -o "$out/floor" "$here/src/main/c/floor.c" -lbpf

if [ "$quick" = 1 ]; then
  iters=200000; jmh=(-wi 1 -w 200ms -i 2 -r 300ms -f 1)
else
  iters=2000000; jmh=(-wi 2 -w 1s -i 3 -r 1s -f 1)
fi
# Pin both to CPU 0 so the floor and the JVM's calling thread see the same CPU.
taskset -c 0 "$out/floor" "$iters" > "$out/floor.tsv"
java -jar "$here/target/bpfmaps-benchmarks.jar" "${jmh[@]}" -rf csv -rff "$out/jmh.csv" \
  'MapOpsBenchmark|BaselineBenchmark' > "$out/jmh.log"
java -cp "$here/target/bpfmaps-benchmarks.jar" org.bpfmaps.bench.Report "$out/floor.tsv" "$out/jmh.csv"
