"""Infrastructure the services share: atomic files and the file cache, the job queue, the near cache, static
files, the content version, the database schema, and what operators see (readiness checks, log lines with
request ids, metrics)."""
