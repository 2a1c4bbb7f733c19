#!/usr/bin/env bash
# The GPU check (issue 21), one build and two short calls (device/README.md):
#   device/check.sh bundle   build machine (Maven, nvcc, a portable JDK): device/bundle/, <= 64 MiB
#   device/check.sh call1    GPU machine, < 3 min: nvidia-smi, glibc, the bundled java -version,
#                            then the kernel parity tests only
#   device/check.sh call2    GPU machine, < 5 min: forward parity, the pipeline test, GEMM and
#                            engine benchmarks on the GPU
# Results go under $OUT (default out/device). Each call stops at a missing device with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# what travels (carry device/bundle): payload.tar.xz and this script. xz, with the jars' entries
# stored uncompressed inside it, is about 20 MiB smaller than the jars and a gzipped runtime, and
# the 64 MiB limit covers the whole working tree that travels (about 12 MiB of tracked files)
BUNDLE=$ROOT/device/bundle
# scratch on the GPU machine, inside the working copy (not /tmp, which may be noexec): the
# unpacked payload with its runtime, JavaCPP's extracted natives, the driver's PTX JIT cache.
# Ignored by git, so it stays between the two calls while the machine is warm.
WORK=$ROOT/device/work
STAGE=$ROOT/target/device-bundle
B=$WORK/bundle
LIMIT_MIB=48
JUNIT_VERSION=1.14.1
# jdeps --print-module-deps on our classes gives java.base, java.desktop, java.logging,
# java.net.http (ServeBench), jdk.incubator.vector; the rest is for the libraries (Netty, Vert.x,
# Jackson, JavaCPP). bundle() re-checks our classes against this list.
MODULES=java.base,java.logging,java.management,jdk.unsupported,java.naming,java.desktop,java.sql,jdk.incubator.vector,java.xml,java.net.http
# the natives JavaCPP ships for OpenBLAS need glibc 2.34 (objdump -T); JCuda's need 2.17
GLIBC_JAVACPP=2.34

die() { echo "check.sh: $*" >&2; exit 1; }

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

# rewrites a jar with its entries stored, not deflated, so that xz compresses them well
store() { # jar
  python3 - "$1" <<'PY'
import sys, zipfile, os
src = sys.argv[1]
tmp = src + ".tmp"
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zo:
    for e in zi.infolist():
        data = zi.read(e)  # before the entry's compression is changed below
        e.compress_type = zipfile.ZIP_STORED
        zo.writestr(e, data)
os.replace(tmp, src)
PY
}

# the newest glibc symbol version a shared object needs (empty when none)
glibc_needed() { objdump -T "$1" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1; }

# A JDK whose binaries need an old glibc and carry their own zlib (Temurin: glibc 2.17, bundled
# zlib); Debian's OpenJDK needs glibc 2.34 and the system libz. JLINK_JDK overrides the search.
portable_jdk() {
  local jdk need
  for jdk in ${JLINK_JDK:-} /usr/lib/jvm/temurin-*; do
    [ -x "$jdk/bin/jlink" ] && [ -f "$jdk/lib/server/libjvm.so" ] || continue
    need=$(glibc_needed "$jdk/lib/server/libjvm.so")
    if [ "$(printf '%s\n2.17\n' "$need" | sort -V | tail -1)" != 2.17 ]; then
      echo "  $jdk: libjvm.so needs glibc $need (> 2.17), skipped" >&2; continue
    fi
    if objdump -p "$jdk/lib/libzip.so" | grep -q 'NEEDED.*libz\.so'; then
      echo "  $jdk: uses the system libz, skipped" >&2; continue
    fi
    echo "$jdk"; return 0
  done
  return 1
}

bundle() {
  local nvcc=/usr/local/cuda/bin/nvcc
  [ -x "$nvcc" ] || die "no nvcc at $nvcc: the jar would have no PTX"
  local jdk
  jdk=$(portable_jdk) || die "no portable JDK (glibc <= 2.17, own zlib) under /usr/lib/jvm; set JLINK_JDK"
  rm -rf "$BUNDLE" "$STAGE" && mkdir -p "$BUNDLE" "$STAGE/lib" "$STAGE/native"
  mvn -B -o -q -DskipTests test-compile dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$STAGE/lib"
  # thin application jar: every top-level entry of target/classes but the bundled model
  # (the GPU check uses --preset models with random weights)
  local entries=() e
  for e in target/classes/*; do
    [ "$(basename "$e")" = models ] || entries+=(-C target/classes "$(basename "$e")")
  done
  jar --create --file "$STAGE/app.jar" "${entries[@]}"
  jar --create --file "$STAGE/test-classes.jar" -C target/test-classes io
  # a file test, not `unzip -l | grep -q` (grep -q exits at the first match; unzip then dies of
  # SIGPIPE and pipefail fails the pipeline at random)
  local m t
  for m in gemm attention elementwise; do
    for t in sm_90 compute_75; do
      unzip -l "$STAGE/app.jar" "io/instgenie/kernels/cuda/ptx/$m.$t.ptx" >/dev/null ||
        die "no $m.$t.ptx in app.jar"
    done
  done
  local ours missing
  ours=$("$jdk/bin/jdeps" --multi-release 17 --ignore-missing-deps --print-module-deps -q \
    "$STAGE/app.jar" "$STAGE/test-classes.jar" 2>/dev/null)
  missing=$(comm -23 <(tr , '\n' <<<"$ours" | sort) <(tr , '\n' <<<"$MODULES" | sort))
  [ -z "$missing" ] || die "the runtime lacks modules our classes use: $missing"
  # what the GPU checks never load: TLS natives, PDF/plot libraries, LAPACK builds of OpenBLAS,
  # JCuda's runtime/NVRTC/PTX-compiler wrappers (we use the driver API only), and Hazelcast (16 MB:
  # cluster mode is not part of the GPU check; bench engine runs without it)
  rm -f "$STAGE"/lib/netty-tcnative-* "$STAGE"/lib/pdfbox-* "$STAGE"/lib/fontbox-* \
    "$STAGE"/lib/xchart-* "$STAGE"/lib/jackson-dataformat-* "$STAGE"/lib/hazelcast-* \
    "$STAGE"/lib/vertx-hazelcast-*
  keep_only "$(ls "$STAGE"/lib/openblas-*-linux-x86_64.jar)" \
    '(^META-INF/|libopenblas\.so|libgfortran|libquadmath|libjniopenblas_nolapack|properties)'
  # JCuda's driver library, unpacked: JCuda loads it from java.library.path first, so nothing is
  # extracted into java.io.tmpdir at run time
  local natives
  natives=$(ls "$STAGE"/lib/jcuda-natives-*-linux-x86_64.jar)
  unzip -j -q "$natives" 'lib/libJCudaDriver-*.so' -d "$STAGE/native"
  rm -f "$natives"
  local console=$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$JUNIT_VERSION/junit-platform-console-standalone-$JUNIT_VERSION.jar
  [ -f "$console" ] || mvn -B -q dependency:get \
    -Dartifact=org.junit.platform:junit-platform-console-standalone:$JUNIT_VERSION
  cp "$console" "$STAGE/junit-console.jar"
  # uncompressed modules (xz does better on them than jlink's zip); native symbols stripped
  # (Temurin's libjvm.so ships them: 29 MB)
  local jre=$STAGE/instgenie-jre
  "$jdk/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
    --compress=zip-0 --output "$jre" 2> >(grep -v 'incubator modules' >&2)
  find "$jre" -name '*.so' -exec strip --strip-unneeded {} +
  echo "runtime from $jdk: needs glibc $(for f in "$jre"/bin/java $(find "$jre" -name '*.so'); do
    glibc_needed "$f"; done | sort -V | tail -1)"
  local j
  for j in "$STAGE"/*.jar "$STAGE"/lib/*.jar; do store "$j"; done
  tar -C "$STAGE" -cf - . | xz -6 -T2 >"$BUNDLE/payload.tar.xz"
  cp device/check.sh "$BUNDLE/"
  local size
  size=$(du -sb "$BUNDLE" | cut -f1)
  echo "bundle: $BUNDLE, $((size / 1024 / 1024)) MiB (limit ${LIMIT_MIB} MiB: 64 MiB less the tracked files)"
  du -sh "$STAGE"/* | sort -h | tail -6
  [ "$size" -le $((LIMIT_MIB * 1024 * 1024)) ] || die "bundle over ${LIMIT_MIB} MiB"
}

# --- on the GPU machine -------------------------------------------------------------------------
START=$SECONDS
BUDGET=0
JAVA=()
CP=
STATUS=0

prepare() { # budget in seconds for the whole call
  BUDGET=$1
  OUT=${OUT:-$ROOT/out/device}
  mkdir -p "$OUT" "$WORK/tmp" "$WORK/javacpp" "$WORK/cuda-cache"
  local payload=$BUNDLE/payload.tar.xz
  [ -f "$payload" ] || die "no $payload: run 'device/check.sh bundle' on the build machine first"
  if [ ! -x "$B/instgenie-jre/bin/java" ] || [ "$payload" -nt "$B/.unpacked" ]; then
    rm -rf "$B" && mkdir -p "$B"
    if command -v xz >/dev/null; then
      tar -C "$B" -xJf "$payload"
    else # python3's tarfile reads xz through lzma
      python3 -c 'import sys, tarfile
t = tarfile.open(sys.argv[1])
t.extractall(sys.argv[2], **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))' \
        "$payload" "$B"
    fi
    touch "$B/.unpacked"
  fi
  # the driver JIT-compiles the PTX at each module load; its cache makes every load after the
  # first (each test class opens a device) cheap, also across the two calls
  export CUDA_CACHE_PATH=$WORK/cuda-cache CUDA_CACHE_MAXSIZE=1073741824 TMPDIR=$WORK/tmp
  JAVA=("$B/instgenie-jre/bin/java" --add-modules jdk.incubator.vector
    --enable-native-access=ALL-UNNAMED -Xmx16g
    "-Djava.io.tmpdir=$WORK/tmp" "-Dorg.bytedeco.javacpp.cachedir=$WORK/javacpp"
    "-Djava.library.path=$B/native")
  # explicit jars: the JUnit console does not expand "lib/*" as java -cp does
  CP="$B/app.jar:$B/test-classes.jar:$(ls "$B"/lib/*.jar | paste -sd:)"
}

left() { echo $((BUDGET - (SECONDS - START))); }

# step NAME LIMIT_S command...: runs it if the call's budget allows, output to stdout and $OUT
step() {
  local name=$1 limit=$2
  shift 2
  local rest
  rest=$(left)
  if [ "$rest" -lt 15 ]; then
    echo "== $name: skipped, ${rest}s left of the call's ${BUDGET}s" | tee -a "$OUT/summary.txt"
    STATUS=1
    return 0
  fi
  [ "$limit" -le "$rest" ] || limit=$rest
  echo "== $name (limit ${limit}s)"
  local t0=$SECONDS rc=0
  timeout -k 5 "$limit" "$@" 2>&1 | tee "$OUT/$name.txt" || rc=$?
  [ "$rc" = 0 ] || STATUS=1
  echo "== $name: exit $rc after $((SECONDS - t0))s" | tee -a "$OUT/summary.txt"
}

junit() { # name limit class...
  local name=$1 limit=$2 args=()
  shift 2
  for c in "$@"; do args+=(--select-class "$c"); done
  step "$name" "$limit" "${JAVA[@]}" -jar "$B/junit-console.jar" execute --class-path "$CP" \
    "${args[@]}" --details=tree --disable-banner --reports-dir "$OUT/junit-$name"
}

# stops the call, with the probe's reason, when the JVM sees no usable device; DRY_RUN=1 goes on
# (the GPU tests then skip with that reason and the GPU benchmarks fail with it)
probe() {
  echo "== CUDA probe"
  "${JAVA[@]}" -cp "$CP" io.instgenie.kernels.cuda.CudaProbe 2>&1 | tee "$OUT/probe.txt" && return
  [ "${DRY_RUN:-0}" = 1 ] || die "no usable CUDA device (above); the GPU steps of this call were not run"
  echo "DRY_RUN=1: going on without a device"
  STATUS=1
}

finish() {
  echo "== results in $OUT (status $STATUS, $((SECONDS - START))s of ${BUDGET}s)"
  exit $STATUS
}

call1() {
  prepare 170
  echo "== nvidia-smi"
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi 2>&1 | tee "$OUT/nvidia-smi.txt" || true
    nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total,clocks.max.sm \
      --format=csv 2>&1 | tee "$OUT/nvidia-smi.csv" || true
  else
    echo "nvidia-smi not found" | tee "$OUT/nvidia-smi.txt"
  fi
  echo "== glibc"
  local glibc
  glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null || ldd --version 2>/dev/null | head -1)
  echo "$glibc" | tee "$OUT/glibc.txt"
  local v=${glibc##* }
  if [ "$(printf '%s\n%s\n' "$v" "$GLIBC_JAVACPP" | sort -V | head -1)" != "$GLIBC_JAVACPP" ]; then
    echo "warning: glibc $v < $GLIBC_JAVACPP: JavaCPP's natives (FloatBuf, OpenBLAS) will not load;" \
      "only the JCuda-only tests (CudaRowKernelsTest, CudaPipelineTest rows) can pass" |
      tee -a "$OUT/glibc.txt"
  fi
  echo "== java -version (bundled)"
  "${JAVA[0]}" -version 2>&1 | tee "$OUT/java-version.txt"
  probe
  junit kernel-parity $(($(left) - 5)) \
    io.instgenie.kernels.cuda.CudaProbeTest \
    io.instgenie.kernels.cuda.CudaRowKernelsTest \
    io.instgenie.kernels.backend.CudaKernelParityTest
  finish
}

call2() {
  prepare 270
  probe
  junit forward-parity 120 \
    io.instgenie.kernels.cuda.CudaPipelineTest \
    io.instgenie.kernels.dit.CudaForwardParityTest \
    io.instgenie.cache.CudaStagedRowsTest
  step cuda-bench 45 "${JAVA[@]}" -cp "$CP" io.instgenie.kernels.cuda.CudaBench \
    --json "$OUT/cuda-bench.json"
  step wired-bench 30 "${JAVA[@]}" -cp "$CP" io.instgenie.kernels.bench.CudaWiredBench \
    --json "$OUT/wired-bench.json"
  step bench-engine-cuda 60 "${JAVA[@]}" -cp "$CP" io.instgenie.cli.Main bench engine \
    --preset bench --backend cuda --reps 5 --batches 1,2,4,8,16 --json
  finish
}

case "${1:-}" in
  bundle) bundle ;;
  call1) call1 ;;
  call2) call2 ;;
  *) echo "usage: device/check.sh bundle|call1|call2" >&2; exit 2 ;;
esac
