# shellcheck shell=bash
#
# The peers' servers, each on loopback with its own config file and data folder under the work folder, started in
# the foreground of a background job so bench/run knows its PID and stops it at exit.
#
#   bench_start_nginx      NGINX_URL: a URL that answers "ok" after 50 ms (echo module, echo_sleep 0.05)
#   bench_start_redis      REDIS_URL: redis://127.0.0.1:PORT/0, no persistence
#   bench_start_celery     a Celery worker (prefork, one process per core) on that Redis; bench_stop CELERY_PID

bench_start_nginx() {
    local dir="$BENCH_WORK/nginx" port
    port="$(bench_free_port)"
    mkdir -p "$dir/logs" "$dir/tmp"
    cat >"$dir/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
worker_processes auto;
worker_rlimit_nofile 65536;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 16384; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$port backlog=8192;
        location /delay {
            default_type text/plain;
            echo_sleep 0.05;
            echo "ok";
        }
    }
}
CONF
    nginx -p "$dir" -c "$dir/nginx.conf" >"$dir/logs/stdout.log" 2>&1 &
    bench_track $! nginx
    NGINX_URL="http://127.0.0.1:$port/delay"
    bench_wait_for 20 nginx /usr/bin/python3 -c "import urllib.request as u; u.urlopen('$NGINX_URL', timeout=2)"
}

bench_start_redis() {
    local dir="$BENCH_WORK/redis" port
    port="$(bench_free_port)"
    mkdir -p "$dir"
    cat >"$dir/redis.conf" <<CONF
bind 127.0.0.1
port $port
dir $dir
save ""
appendonly no
daemonize no
logfile $dir/redis.log
CONF
    redis-server "$dir/redis.conf" &
    bench_track $! redis
    REDIS_URL="redis://127.0.0.1:$port/0"
    bench_wait_for 20 redis redis-cli -p "$port" ping
}

bench_start_celery() {
    (cd "$BENCH_DIR/peers" && CELERY_REDIS="$REDIS_URL" exec /usr/bin/python3 -m celery -A celery_tasks worker \
        -P prefork -c "$BENCH_CORES" --loglevel=WARNING --without-gossip --without-mingle --without-heartbeat) \
        >"$BENCH_WORK/celery.log" 2>&1 &
    CELERY_PID=$!
    bench_track "$CELERY_PID" celery
}
