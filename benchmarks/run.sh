#!/usr/bin/env bash
# Builds the benchmarks, runs the C syscall floors and the JMH suite in one go, and prints the ratio table.
#   benchmarks/run.sh            default run (about 8 minutes on 2 cores)
#   benchmarks/run.sh --quick    smoke run (1-2 minutes; numbers are rough)
#   benchmarks/run.sh --ffm      also the java.lang.foreign prototype (needs JDK 22+, JDK25=/path/to/jdk)
#   benchmarks/run.sh --no-build use the jar already in benchmarks/target (e.g. in a tree others are editing)
# Options combine. Extra JMH arguments: JMH_ARGS="..." (e.g. JMH_ARGS="-p type=HASH").
# Needs: root or CAP_BPF for the linux rows, cc and libbpf-dev for the floors.
# Results stay in benchmarks/target/results (floor.tsv, ringbuf_floor.tsv, jmh.csv, jmh.log, breakdown.tsv,
# ffm.tsv, table.txt). The main table compares means (JMH's, the floor's); on a busy machine trust the
# breakdown and FFM sections more: they interleave the forms and keep the least ~1 ms round, for C and Java alike.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out="$here/target/results"
mkdir -p "$out"
quick=0; ffm=0; build=1
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    --ffm) ffm=1 ;;
    --no-build) build=0 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done
jdk25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
jar="$here/target/bpfmaps-benchmarks.jar"
start=$(date +%s)

if [ "$build" = 1 ]; then
  (cd "$top" && mvn -q -B -ntp -DskipTests -pl benchmarks -am package)
fi
cc -O2 -o "$out/floor" "$here/src/main/c/floor.c" -lbpf
cc -O2 -o "$out/ringbuf_floor" "$here/src/main/c/ringbuf_floor.c" -lbpf

if [ "$quick" = 1 ]; then
  iters=50000; ringRounds=50
  # One JVM for everything (no forks): quick, but each benchmark sees the previous ones' JIT profile.
  jmh=(-wi 1 -w 100ms -i 1 -r 200ms -f 0)
else
  iters=500000; ringRounds=400
  jmh=(-wi 2 -w 500ms -i 3 -r 500ms -f 1)
fi
echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs" | tee "$out/load.txt"
# Pin the floors to CPU 0; the JMH linux rows that care (program view, ring buffer) pin their thread there too.
taskset -c 0 "$out/floor" "$iters" > "$out/floor.tsv"
taskset -c 0 "$out/ringbuf_floor" "$ringRounds" 262144 hot > "$out/ringbuf_floor.tsv" 2> "$out/ringbuf_floor.err"
java -jar "$jar" "${jmh[@]}" -prof gc -rf csv -rff "$out/jmh.csv" ${JMH_ARGS:-} \
  'MapOpsBenchmark|BaselineBenchmark|ProgramViewBenchmark|RingBufferBenchmark|JnaFloorBenchmark' > "$out/jmh.log"

# The lookup step by step, and the same operations in C, with the busy-machine estimator (least ~1 ms round).
if [ "$quick" = 1 ]; then roundArgs=(2048 30); else roundArgs=(2048 300); fi
{ taskset -c 0 "$out/floor" "$iters" 2048 HASH
  taskset -c 0 java -cp "$jar" org.bpfmaps.bench.LookupBreakdown "${roundArgs[@]}"
  taskset -c 0 "$out/floor" "$iters" 2048 HASH
  java -cp "$jar" org.bpfmaps.bench.SimulatorBreakdown "${roundArgs[@]}"; } > "$out/breakdown.tsv"

ffmOut=-
if [ "$ffm" = 1 ]; then
  # The prototype is Java 22+ source: compiled on its own, against the uber-jar, never by Maven.
  rm -rf "$out/ffm-classes"
  "$jdk25/bin/javac" --release 25 -d "$out/ffm-classes" -cp "$jar" \
    "$here/src/main/java25/org/bpfmaps/bench/ffm/FfmFloor.java"
  { taskset -c 0 "$out/floor" "$iters" 2048 HASH
    taskset -c 0 "$jdk25/bin/java" --enable-native-access=ALL-UNNAMED -cp "$out/ffm-classes:$jar" \
      org.bpfmaps.bench.ffm.FfmFloor "${roundArgs[@]}"
    taskset -c 0 "$out/floor" "$iters" 2048 HASH; } > "$out/ffm.tsv"
  ffmOut="$out/ffm.tsv"
fi
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg); took $(( $(date +%s) - start )) s" | tee -a "$out/load.txt"
java -cp "$jar" org.bpfmaps.bench.Report "$out/floor.tsv" "$out/jmh.csv" "$out/ringbuf_floor.tsv" "$ffmOut" \
  "$out/breakdown.tsv" \
  | tee "$out/table.txt"
