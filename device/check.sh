#!/usr/bin/env bash
# GPU check of issue 9, in two halves (device/README.md):
#   device/check.sh bundle   on the build machine (Java, Maven, nvcc): builds the jar with PTX and
#                            assembles device/bundle/ (jlink'd runtime + thin jars, <= 64 MiB)
#   device/check.sh run      on the GPU machine (no Java): GPU parity tests, bench engine on the
#                            GPU and the CPU, GEMM TFLOP/s and pipeline bubbles; results in $OUT
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUNDLE=$ROOT/device/bundle
JUNIT_VERSION=1.14.1
MODULES=java.base,java.logging,java.management,jdk.unsupported,java.naming,java.desktop,java.sql,jdk.incubator.vector,java.xml
LIMIT=$((64 * 1024 * 1024))

# keep only the zip entries matching a regex (native libraries we do not load)
keep_only() { # jar regex
  python3 - "$1" "$2" <<'PY'
import re, sys, zipfile, os
src, keep = sys.argv[1], re.compile(sys.argv[2])
tmp = src + ".tmp"
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zo:
    for e in zi.infolist():
        if e.is_dir() or keep.search(e.filename):
            zo.writestr(e, zi.read(e.filename))
os.replace(tmp, src)
PY
}

bundle() {
  command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] ||
    { echo "nvcc not found: the jar would have no PTX" >&2; exit 1; }
  rm -rf "$BUNDLE" && mkdir -p "$BUNDLE/lib"
  mvn -B -o -q -DskipTests test-compile jar:jar dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$BUNDLE/lib"
  # thin application jar: classes and PTX, without the bundled model (bench uses --preset)
  (cd target/classes && jar --create --file "$BUNDLE/app.jar" --exclude models . 2>/dev/null ||
    jar cf "$BUNDLE/app.jar" $(ls | grep -v '^models$'))
  jar cf "$BUNDLE/test-classes.jar" -C target/test-classes io
  unzip -l "$BUNDLE/app.jar" | grep -q 'io/instgenie/kernels/cuda/ptx/gemm.sm_90.ptx' ||
    { echo "no PTX in app.jar" >&2; exit 1; }
  # what the GPU checks never load: TLS natives, PDF/plot libraries, LAPACK builds of OpenBLAS,
  # JCuda's runtime/NVRTC/PTX-compiler wrappers (we use the driver API only), and Hazelcast (16 MB:
  # cluster mode is not part of the GPU check; bench engine runs without it)
  rm -f "$BUNDLE"/lib/netty-tcnative-* "$BUNDLE"/lib/pdfbox-* "$BUNDLE"/lib/fontbox-* \
    "$BUNDLE"/lib/xchart-* "$BUNDLE"/lib/jackson-dataformat-* "$BUNDLE"/lib/hazelcast-* \
    "$BUNDLE"/lib/vertx-hazelcast-* 2>/dev/null || true
  keep_only "$BUNDLE"/lib/openblas-*-linux-x86_64.jar \
    '(^META-INF/|libopenblas\.so|libgfortran|libquadmath|libjniopenblas_nolapack|properties)'
  keep_only "$BUNDLE"/lib/jcuda-natives-*.jar '(^META-INF/|libJCudaDriver-)'
  cp "$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$JUNIT_VERSION/junit-platform-console-standalone-$JUNIT_VERSION.jar" \
    "$BUNDLE/junit-console.jar" 2>/dev/null ||
    mvn -B -q dependency:copy \
      -Dartifact=org.junit.platform:junit-platform-console-standalone:$JUNIT_VERSION \
      -DoutputDirectory="$BUNDLE" -Dmdep.stripVersion=true &&
    mv -f "$BUNDLE"/junit-platform-console-standalone.jar "$BUNDLE/junit-console.jar" 2>/dev/null || true
  rm -rf /tmp/instgenie-jre
  jlink --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=2 \
    --output /tmp/instgenie-jre
  tar -C /tmp -czf "$BUNDLE/runtime.tgz" instgenie-jre
  cp device/check.sh "$BUNDLE/"
  local size
  size=$(du -sb "$BUNDLE" | cut -f1)
  echo "bundle: $BUNDLE, $((size / 1024 / 1024)) MiB (limit 64 MiB)"
  du -sh "$BUNDLE"/* "$BUNDLE"/lib | sort -h | tail -6
  [ "$size" -le "$LIMIT" ] || { echo "bundle over 64 MiB" >&2; exit 1; }
}

run() {
  OUT=${OUT:-$ROOT/out/device}
  mkdir -p "$OUT"
  local jre=/tmp/instgenie-jre
  [ -x $jre/bin/java ] || tar -C /tmp -xzf "$BUNDLE/runtime.tgz"
  local java=(timeout 150 $jre/bin/java --add-modules jdk.incubator.vector -Xmx16g)
  # explicit jars: the JUnit console does not expand "lib/*" as java -cp does
  local cp
  cp="$BUNDLE/app.jar:$BUNDLE/test-classes.jar:$(ls "$BUNDLE"/lib/*.jar | paste -sd:)"
  (nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv || true) \
    >"$OUT/nvidia-smi.csv" 2>&1
  local status=0
  echo "== GPU parity tests"
  "${java[@]}" -jar "$BUNDLE/junit-console.jar" execute --class-path "$cp" \
    --select-class io.instgenie.kernels.cuda.CudaPtxResourcesTest \
    --select-class io.instgenie.kernels.cuda.CudaProbeTest \
    --select-class io.instgenie.kernels.cuda.CudaRowKernelsTest \
    --select-class io.instgenie.kernels.backend.CudaKernelParityTest \
    --select-class io.instgenie.kernels.backend.BackendSelectionTest \
    --select-class io.instgenie.kernels.dit.CudaForwardParityTest \
    --select-class io.instgenie.kernels.dit.StagedRowsForwardTest \
    --select-class io.instgenie.kernels.cuda.DeviceTierTest \
    --select-class io.instgenie.cache.CudaStagedRowsTest \
    --details=tree --disable-banner --reports-dir "$OUT/junit" 2>&1 | tee "$OUT/tests.txt" ||
    status=1
  echo "== GEMM TFLOP/s and pipeline bubbles"
  "${java[@]}" -cp "$cp" io.instgenie.kernels.cuda.CudaBench --json "$OUT/cuda-bench.json" \
    >"$OUT/cuda-bench.txt" 2>&1 || status=1
  cat "$OUT/cuda-bench.txt"
  echo "== pipeline bubbles of the wired forward (cache in pinned memory vs device tier)"
  "${java[@]}" -cp "$cp" io.instgenie.kernels.bench.CudaWiredBench --json "$OUT/wired-bench.json" \
    2>&1 | tee "$OUT/wired-bench.txt" || status=1
  for be in ${BACKENDS:-cuda cpu}; do
    echo "== bench engine --backend $be"
    "${java[@]}" -cp "$cp" io.instgenie.cli.Main bench engine --preset bench --backend $be \
      --reps 5 2>&1 | tee "$OUT/bench-engine-$be.txt" || status=1
  done
  echo "results in $OUT (status $status)"
  return $status
}

case "${1:-}" in
  bundle) bundle ;;
  run) run ;;
  *) echo "usage: device/check.sh bundle|run" >&2; exit 2 ;;
esac
