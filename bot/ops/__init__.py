"""Operations: health endpoint, Prometheus metrics, source health, logs, systemd, backups."""
