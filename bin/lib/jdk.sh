# shellcheck shell=bash
#
# Shared launcher helpers, sourced by bin/worker, bin/coordinator, bin/test and .ci/run.
#
#   crew_find_jdk [--javac]  find a JDK 21+, export JAVA_HOME and put $JAVA_HOME/bin first on PATH
#   crew_ensure_jars         (re)build the two shaded jars when missing or older than the sources
#   crew_exec_java JAR MAIN DEFAULT_OPTS [args...]
#                            exec the JVM on JAR (or on JAR + plugins/* when a plugins folder exists);
#                            CREW_JDK22_OPTS and CREW_JDK25_OPTS (set by a launcher, not exported) are defaults
#                            for JDK 22+ and JDK 25+ only
#
# Environment:
#   JAVA_HOME       tried first (used only if its bin/java is 21 or newer)
#   CREW_JVM_DIR    where installed JDKs live (default /usr/lib/jvm); tests override it
#   CREW_JAVA_OPTS  extra JVM options, appended after each launcher's defaults (split on whitespace)
#   CREW_PLUGINS    plugin jar folder (default: plugins/ in the project root)
#   CREW_MVN        Maven command (default: mvn)

# The project root: two levels above this file, symlinks resolved.
CREW_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)"
CREW_WORKER_JAR="$CREW_ROOT/worker/target/crew-worker.jar"
CREW_COORDINATOR_JAR="$CREW_ROOT/coordinator/target/crew-coordinator.jar"
CREW_MIN_JAVA=21

crew_die() {
    printf 'crew: %s\n' "$*" >&2
    exit 1
}

# crew_java_major JAVA_EXECUTABLE
# Prints the major version parsed from `JAVA -version` ("1.8.0_412" -> 8, "17.0.15" -> 17,
# "21" -> 21, "25-ea" -> 25). Returns 1 if it cannot be run or parsed.
crew_java_major() {
    local out line ver
    out="$("$1" -version 2>&1 </dev/null)" || return 1
    while IFS= read -r line; do
        case "$line" in
            "Picked up "*) continue ;;   # JAVA_TOOL_OPTIONS / _JAVA_OPTIONS / JDK_JAVA_OPTIONS echo
        esac
        if [[ $line =~ version\ \"([^\"]+)\" ]]; then
            ver="${BASH_REMATCH[1]}"
            if [[ $ver =~ ^1\.([0-9]+) ]]; then
                printf '%d\n' "$((10#${BASH_REMATCH[1]}))"
                return 0
            elif [[ $ver =~ ^([0-9]+) ]]; then
                printf '%d\n' "$((10#${BASH_REMATCH[1]}))"
                return 0
            fi
            return 1
        fi
    done <<<"$out"
    return 1
}

# crew_home_major HOME
# Prints the major version of the JDK or JRE at HOME: from the JAVA_VERSION line of HOME/release, which
# every JDK since 9 has (reading it costs nothing; starting a JVM to ask costs about 0.1 s of a 2-core
# machine), else from running HOME/bin/java -version. Returns 1 if neither tells.
crew_home_major() {
    local home="$1" line ver
    if [ -r "$home/release" ]; then
        while IFS= read -r line; do
            if [[ $line =~ ^JAVA_VERSION=\"([^\"]+)\" ]]; then
                ver="${BASH_REMATCH[1]}"
                if [[ $ver =~ ^1\.([0-9]+) ]] || [[ $ver =~ ^([0-9]+) ]]; then
                    printf '%d\n' "$((10#${BASH_REMATCH[1]}))"
                    return 0
                fi
                break
            fi
        done <"$home/release"
    fi
    crew_java_major "$home/bin/java"
}

# crew_jdk_major HOME NEED_JAVAC
# Prints HOME's major version if HOME/bin/java exists (and HOME/bin/javac when NEED_JAVAC=1)
# and is at least CREW_MIN_JAVA; returns 1 otherwise.
crew_jdk_major() {
    local home="$1" need_javac="$2" major
    [ -n "$home" ] && [ -x "$home/bin/java" ] || return 1
    if [ "$need_javac" = 1 ] && [ ! -x "$home/bin/javac" ]; then
        return 1
    fi
    major="$(crew_home_major "$home")" || return 1
    [ "$major" -ge "$CREW_MIN_JAVA" ] || return 1
    printf '%s\n' "$major"
}

crew_use_jdk() {
    JAVA_HOME="$1"
    export JAVA_HOME
    PATH="$JAVA_HOME/bin:$PATH"
    export PATH
}

# crew_find_jdk [--javac]
# Looks at $JAVA_HOME, then `java` on PATH, then the newest JDK under ${CREW_JVM_DIR:-/usr/lib/jvm}
# (those must have bin/javac). With --javac every candidate must have bin/javac (needed to build).
# Exports JAVA_HOME and prepends $JAVA_HOME/bin to PATH, or prints one line and exits 1.
crew_find_jdk() {
    local need_javac=0 jvm_dir="${CREW_JVM_DIR:-/usr/lib/jvm}"
    if [ "${1:-}" = --javac ]; then
        need_javac=1
    fi

    # 1. JAVA_HOME
    if crew_jdk_major "${JAVA_HOME:-}" "$need_javac" >/dev/null; then
        crew_use_jdk "$JAVA_HOME"
        return 0
    fi

    # 2. java on PATH. Where it resolves (through /etc/alternatives links) to a JDK's bin/java whose
    #    release file tells the version, that JDK is taken or passed over without starting it. Otherwise
    #    its home comes from the java.home property (works for wrappers too), falling back to
    #    <resolved java>/../..
    local java_cmd home
    if java_cmd="$(command -v java)" && [ -n "$java_cmd" ]; then
        home="$(dirname "$(dirname "$(readlink -f "$java_cmd")")")"
        if [ -r "$home/release" ] && [ "$(readlink -f "$home/bin/java")" = "$(readlink -f "$java_cmd")" ]; then
            if crew_jdk_major "$home" "$need_javac" >/dev/null; then
                crew_use_jdk "$home"
                return 0
            fi
            java_cmd=""
        fi
    fi
    if [ -n "$java_cmd" ]; then
        local major
        if major="$(crew_java_major "$java_cmd")" && [ "$major" -ge "$CREW_MIN_JAVA" ]; then
            home="$("$java_cmd" -XshowSettings:properties -version 2>&1 </dev/null |
                sed -n 's/^ *java\.home = //p' | head -n 1)" || home=""
            if [ -z "$home" ] || [ ! -x "$home/bin/java" ]; then
                home="$(dirname "$(dirname "$(readlink -f "$java_cmd")")")"
            fi
            if crew_jdk_major "$home" "$need_javac" >/dev/null; then
                crew_use_jdk "$home"
                return 0
            fi
        fi
    fi

    # 3. the newest JDK (with javac) under the JVM directory; symlinked duplicates checked once.
    local dir real best="" best_major=0 seen=" " m
    for dir in "$jvm_dir"/*; do
        [ -d "$dir" ] || continue
        real="$(cd "$dir" 2>/dev/null && pwd -P)" || continue   # builtins only
        case "$seen" in *" $real "*) continue ;; esac
        seen="$seen$real "
        if m="$(crew_jdk_major "$real" 1)" && [ "$m" -gt "$best_major" ]; then
            best="$real"
            best_major="$m"
        fi
    done
    if [ -n "$best" ]; then
        crew_use_jdk "$best"
        return 0
    fi

    crew_die "no JDK $CREW_MIN_JAVA or newer found (looked at JAVA_HOME, java on PATH, $jvm_dir); install one, e.g. Temurin 21, and set JAVA_HOME"
}

# Prints the build inputs that exist: the modules' main sources and the poms (tests are not in the jars).
crew_build_inputs() {
    local p
    for p in "$CREW_ROOT"/common/src/main "$CREW_ROOT"/worker/src/main "$CREW_ROOT"/client/src/main \
             "$CREW_ROOT"/coordinator/src/main "$CREW_ROOT"/pom.xml "$CREW_ROOT"/common/pom.xml \
             "$CREW_ROOT"/worker/pom.xml "$CREW_ROOT"/client/pom.xml "$CREW_ROOT"/coordinator/pom.xml; do
        [ -e "$p" ] && printf '%s\n' "$p"
    done
    return 0
}

# Succeeds (returns 0) when a jar is missing or anything in the build inputs is newer than it.
crew_jars_stale() {
    local jar newer
    local -a inputs
    mapfile -t inputs < <(crew_build_inputs)
    for jar in "$CREW_WORKER_JAR" "$CREW_COORDINATOR_JAR"; do
        [ -f "$jar" ] || return 0
        [ "${#inputs[@]}" -gt 0 ] || continue
        newer="$(find "${inputs[@]}" -newer "$jar" -print -quit 2>/dev/null)" || true
        [ -z "$newer" ] || return 0
    done
    return 1
}

crew_build_jars() {
    local log="$CREW_ROOT/target/crew-build.log" mvn="${CREW_MVN:-mvn}"
    command -v "$mvn" >/dev/null 2>&1 ||
        crew_die "the jars need building but Maven ('$mvn') is not on PATH; install Maven 3.8+"
    # Building needs javac; JAVA_HOME may be a JRE that is fine for running.
    [ -x "$JAVA_HOME/bin/javac" ] || crew_find_jdk --javac
    printf 'crew: building jars (first run takes a minute)...\n' >&2
    if ! (cd "$CREW_ROOT" &&
        "$mvn" -B -q -DskipTests -Dmaven.test.skip=true package -pl coordinator -am) \
        </dev/null >"$log" 2>&1; then
        printf 'crew: build failed (JDK %s); last lines of %s:\n' "$JAVA_HOME" "$log" >&2
        tail -n 50 "$log" >&2
        exit 1
    fi
    local jar
    for jar in "$CREW_WORKER_JAR" "$CREW_COORDINATOR_JAR"; do
        [ -f "$jar" ] || crew_die "build succeeded but $jar is missing; see $log"
    done
    # Maven may leave an unchanged jar's mtime alone; mark both fresh so we don't rebuild every run.
    touch "$CREW_WORKER_JAR" "$CREW_COORDINATOR_JAR"
}

# Builds the jars if needed. A lock under target/ serialises launchers started together:
# the second one waits for the first build, then re-checks and normally finds the jars fresh.
crew_ensure_jars() {
    crew_jars_stale || return 0
    local lockdir="$CREW_ROOT/target" lock_fd=""
    if ! mkdir -p "$lockdir" 2>/dev/null || [ ! -w "$lockdir" ]; then
        crew_die "the jars need building but $lockdir is not writable"
    fi
    if command -v flock >/dev/null 2>&1; then
        exec {lock_fd}>"$lockdir/.build.lock"
        if ! flock -n "$lock_fd"; then
            printf 'crew: another launcher is building the jars; waiting...\n' >&2
            flock "$lock_fd"
        fi
    fi
    if crew_jars_stale; then
        crew_build_jars
    fi
    # Release the lock, and don't leak the descriptor into the JVM we exec next.
    if [ -n "$lock_fd" ]; then
        exec {lock_fd}>&-
    fi
    return 0
}

# Prints the plugin folder to use, or nothing. CREW_PLUGINS (if set) must be a directory.
crew_plugins_dir() {
    if [ -n "${CREW_PLUGINS:-}" ]; then
        [ -d "$CREW_PLUGINS" ] || crew_die "CREW_PLUGINS=$CREW_PLUGINS is not a directory"
        printf '%s\n' "$CREW_PLUGINS"
    elif [ -d "$CREW_ROOT/plugins" ]; then
        printf '%s\n' "$CREW_ROOT/plugins"
    fi
}

# crew_exec_java JAR MAIN_CLASS DEFAULT_OPTS [program args...]
# Execs $JAVA_HOME/bin/java with DEFAULT_OPTS (one whitespace-separated string), then
# CREW_JAVA_OPTS, then either -jar JAR, or -cp "JAR:<plugins>/*" MAIN_CLASS when a plugin
# folder exists. Options are split on whitespace only (no globbing, no quote handling).
# The JDK's AES-GCM and GHASH run as fast machine-code stubs only when called from code the optimizing
# compiler made, which for the few, large sealed values of a big chunk takes most of a short job: the
# coordinator decrypted 10,000,000 no-op results in pure Java (GHASH.blockMult). Compiling the
# provider's methods after a hundredth of the usual calls took a 2,000,000-item job from 2.4M to 2.9M
# items/s on 2 cores.
# shellcheck disable=SC2034 # used by the launchers that source this file
CREW_CRYPTO_JIT_OPTS="-XX:CompileCommand=quiet -XX:CompileCommand=CompileThresholdScaling,com.sun.crypto.provider.*::*,0.01"

# crew_gc OPTION
# Prints a launcher's choice of collector (-XX:+UseG1GC, ...), or nothing when CREW_JAVA_OPTS chooses one: the
# JVM refuses to start with two ("Multiple garbage collectors selected").
crew_gc() {
    if [[ " ${CREW_JAVA_OPTS:-} " =~ [[:space:]]-XX:\+Use[A-Za-z0-9]*GC[[:space:]] ]]; then
        return 0
    fi
    printf '%s\n' "$1"
}

# crew_class_cache NAME [TRAIN_OPTS TRAIN_ARGS...]
# Class data sharing for a launcher's program (the coordinator's short commands; the worker's start and
# first jobs), in an archive under
# ${CREW_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crew}: one per JDK and set of jars (an archive is
# valid for one JDK build and class path only), none when CREW_CLASS_CACHE=0 or the folder is not
# writable.
#   JDK 25+, with TRAIN_ARGS: the JVM's ahead-of-time cache (JEP 483, 514, 515), recorded once by a
#     run of the program with TRAIN_ARGS (a representative workload of its own) and TRAIN_OPTS in the
#     background, at the lowest priority. It holds the classes loaded and linked and the JIT's method
#     profiles, so later runs start and warm up sooner. Runs before it is written go without it.
#   otherwise: a dynamic CDS archive that the JVM writes at the first run's exit (classes only).
CREW_CACHE_NAME=""
CREW_CACHE_TRAIN_OPTS=""
CREW_CACHE_TRAIN_ARGS=()
CREW_CACHE_MIN_BYTES=8000000 # a CDS run that connected archives about 24 MB; one that did not, about 2 MB
crew_class_cache() {
    CREW_CACHE_NAME="$1"
    CREW_CACHE_TRAIN_OPTS="${2:-}"
    CREW_CACHE_TRAIN_ARGS=("${@:3}")
}

# The folder the class caches live in.
crew_class_cache_dir() {
    printf '%s\n' "${CREW_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/crew}"
}

# crew_class_cache_file JAR PLUGINS EXT
# Prints the archive's path for JAR and the plugin folder PLUGINS (may be empty), or fails when there
# is to be none. The name tells the JDK, the jars and their times apart: the JVM ignores an archive
# whose jars changed, but does not write it again.
crew_class_cache_file() {
    local jar="$1" plugins="$2" ext="$3" dir id
    [ -n "$CREW_CACHE_NAME" ] && [ "${CREW_CLASS_CACHE:-1}" != 0 ] || return 1
    dir="$(crew_class_cache_dir)"
    mkdir -p "$dir" 2>/dev/null && [ -d "$dir" ] && [ -w "$dir" ] || return 1
    id="$({
        printf '%s\n' "$JAVA_HOME"
        stat -c '%n %Y %s' "$jar"
        if [ -n "$plugins" ]; then
            stat -c '%n %Y %s' "${plugins%/}"/*.jar 2>/dev/null || true
        fi
    } | cksum | cut -d ' ' -f 1)"
    printf '%s\n' "$dir/$CREW_CACHE_NAME-$id.$ext"
}

# crew_class_cache_prune FILE
# Archives of jars since rebuilt stay behind: keeps the three newest of FILE's kind besides FILE
# (another JDK or plugin folder in use has its own).
crew_class_cache_prune() {
    local file="$1"
    find "$(dirname "$file")" -maxdepth 1 -name "$CREW_CACHE_NAME-*.${file##*.}" -printf '%T@ %p\n' \
        2>/dev/null | sort -rn | tail -n +4 | cut -d ' ' -f 2- | while IFS= read -r old; do
        rm -f "$old" "$old.failed"
    done
}

# The archive's own notices (written, out of date, classes it skips) are not the program's output;
# the JVM's other warnings go to stderr, not to stdout where they would mix with results.
CREW_CACHE_LOG_OPTS=(-Xlog:disable "-Xlog:all=warning,cds*=off,aot*=off:stderr")

# crew_class_cache_cds JAR PLUGINS
# Prints the options of the dynamic CDS archive (JDK 21-24, or no training workload), if any.
crew_class_cache_cds() {
    local file
    file="$(crew_class_cache_file "$1" "$2" jsa)" || return 0
    [ ! -e "$file" ] || [ -w "$file" ] || return 0
    # A first run that connected nowhere (--help, a usage error) archived little: write it again.
    if [ -e "$file" ] && [ "$(stat -c %s "$file" 2>/dev/null || echo 0)" -lt "$CREW_CACHE_MIN_BYTES" ]; then
        rm -f "$file"
    fi
    [ -e "$file" ] || crew_class_cache_prune "$file"
    printf '%s\n' "-XX:SharedArchiveFile=$file" -XX:+AutoCreateSharedArchive "${CREW_CACHE_LOG_OPTS[@]}"
}

# crew_class_cache_aot JAR PLUGINS JAVA_OPTS... -- CLASS_PATH_ARGS...
# Prints the options that use the ahead-of-time cache when it is there. When it is not, and no other
# launcher is recording it (a lock folder beside it; one left by a killed run counts for 10 minutes),
# starts the training run in the background, detached from this one's output and signals, at the
# lowest priority; it writes a temporary file and renames it, so a run never maps a half-written
# cache.
crew_class_cache_aot() {
    local jar="$1" plugins="$2" file lock tmp
    shift 2
    local -a java_opts=() cp_args=()
    while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
        java_opts+=("$1")
        shift
    done
    shift
    cp_args=("$@")
    file="$(crew_class_cache_file "$jar" "$plugins" aot)" || return 0
    if [ -s "$file" ]; then
        printf '%s\n' "-XX:AOTCache=$file" "${CREW_CACHE_LOG_OPTS[@]}"
        return 0
    fi
    # A training run that failed is not tried again for these jars (a JVM option it does not take).
    [ ! -e "$file.failed" ] || return 0
    lock="$file.lock"
    if ! mkdir "$lock" 2>/dev/null; then
        [ -n "$(find "$lock" -maxdepth 0 -mmin +10 2>/dev/null)" ] || return 0
        rm -rf "$lock"
        mkdir "$lock" 2>/dev/null || return 0
    fi
    crew_class_cache_prune "$file"
    tmp="$file.$$.tmp"
    local -a train_opts=()
    read -r -a train_opts <<<"$CREW_CACHE_TRAIN_OPTS"
    (
        trap '' INT HUP
        trap 'rm -f "$tmp" "$tmp.config"; rmdir "$lock" 2>/dev/null' EXIT
        if nice -n 19 "$JAVA_HOME/bin/java" "${train_opts[@]}" "${java_opts[@]}" \
            "-XX:AOTCacheOutput=$tmp" "${CREW_CACHE_LOG_OPTS[@]}" "${cp_args[@]}" \
            "${CREW_CACHE_TRAIN_ARGS[@]}" && [ -s "$tmp" ]; then
            mv -f "$tmp" "$file"
        else
            : >"$file.failed"
        fi
    ) </dev/null >/dev/null 2>&1 &
    return 0
}

crew_exec_java() {
    local jar="$1" main="$2" plugins cache_opts
    local -a opts=() base_opts=() user_opts=() cp_args=()
    read -r -a opts <<<"$3"
    shift 3
    plugins="$(crew_plugins_dir)" || exit 1
    # Hazelcast's own recommendation: access to JDK internals it uses for speed (and no warning about it).
    base_opts+=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
        --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
        --add-opens java.management/sun.management=ALL-UNNAMED
        --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED)
    # JDK 24+ warns on every start that Hazelcast's bundled JCTools uses sun.misc.Unsafe.
    local major
    major="$(crew_home_major "$JAVA_HOME" || echo 0)"
    if [ "$major" -ge 24 ]; then
        base_opts+=(--sun-misc-unsafe-memory-access=allow)
    fi
    # A launcher's defaults that JDK 21 does not know (it would refuse to start). They go to the class
    # cache's training run too: a cache recorded with other object headers is not used.
    local -a version_opts=()
    if [ "$major" -ge 22 ] && [ -n "${CREW_JDK22_OPTS:-}" ]; then
        local -a jdk22_opts=()
        read -r -a jdk22_opts <<<"$CREW_JDK22_OPTS"
        version_opts+=("${jdk22_opts[@]}")
    fi
    if [ "$major" -ge 25 ] && [ -n "${CREW_JDK25_OPTS:-}" ]; then
        local -a jdk25_opts=()
        read -r -a jdk25_opts <<<"$CREW_JDK25_OPTS"
        version_opts+=("${jdk25_opts[@]}")
    fi
    opts+=("${version_opts[@]}")
    read -r -a user_opts <<<"${CREW_JAVA_OPTS:-}"
    base_opts+=("${user_opts[@]}")
    if [ -n "$plugins" ]; then
        # The trailing /* is for the JVM (all jars in the folder), not the shell: keep it quoted.
        cp_args=(-cp "$jar:${plugins%/}/*" "$main")
    else
        cp_args=(-jar "$jar")
    fi
    if [ "$major" -ge 25 ] && [ "${#CREW_CACHE_TRAIN_ARGS[@]}" -gt 0 ]; then
        cache_opts="$(crew_class_cache_aot "$jar" "$plugins" "${version_opts[@]}" "${base_opts[@]}" -- "${cp_args[@]}")"
    else
        cache_opts="$(crew_class_cache_cds "$jar" "$plugins")"
    fi
    if [ -n "$cache_opts" ]; then
        mapfile -t -O "${#opts[@]}" opts <<<"$cache_opts"
    fi
    exec "$JAVA_HOME/bin/java" "${opts[@]}" "${base_opts[@]}" "${cp_args[@]}" "$@"
}
