"""Say clearly whether PostgreSQL and Redis answer before the test suite runs (no silent skipping)."""

import socket
import sys
from urllib.parse import urlparse

HOW_TO_START = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no",
}


def reachable(url, default_port):
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def main(database_url, redis_url):
    missing = []
    if not reachable(database_url, 5432):
        missing.append(("PostgreSQL", database_url.split("@")[-1]))
    if not reachable(redis_url, 6379):
        missing.append(("Redis", redis_url.split("@")[-1]))
    for name, where in missing:
        print(f"无法连接 {name}（{where}）。测试需要真实的 {name}。启动方法 / start it with:\n  {HOW_TO_START[name]}")
    if missing:
        print("或设置 DATABASE_URL / REDIS_URL 指向可用的服务。 Or point DATABASE_URL / REDIS_URL at running services.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
