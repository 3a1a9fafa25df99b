# docbai: `make run` serves the site, `make test` runs the whole suite. Both set everything up first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian/Ubuntu packages a server needs to run the site: Python, espeak-ng (offline voice), Pango for
# WeasyPrint, Noto fonts with full Vietnamese for the PDF, postgresql-client (pg_dump, pg_restore) for
# `flask backup` and `flask restore` of a PostgreSQL site (`make server-packages`; README, Deploying).
SERVER_PACKAGES := python3 python3-venv espeak-ng libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core \
	postgresql-client
# And for development: poppler-utils (pdftotext in tests), Chromium for browser tests and benches, wrk, Java
# for the W3C Nu Html Checker that validates every page in tests, Node.js for the scripts' unit tests (node
# --test, no npm package), nginx, whose `nginx -t` checks deploy/nginx.conf in tests (Debian starts it
# with its default site where services may start; on a machine that should not serve it, `sudo systemctl
# disable --now nginx`: the tests never need it running), and ffmpeg, whose ebur128 filter measures the
# bulletin's loudness and true peak in tests independently of the code that sets them.
SYSTEM_PACKAGES := $(SERVER_PACKAGES) python3-dev build-essential poppler-utils chromium wrk default-jre-headless nodejs \
	nginx ffmpeg

.PHONY: system-packages server-packages setup setup-test run serve test test-fast bench

system-packages: PACKAGES = $(SYSTEM_PACKAGES)
server-packages: PACKAGES = $(SERVER_PACKAGES)
system-packages server-packages:
	@missing=$$(for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: requirements.txt | system-packages
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements-test.txt $(VENV)/.installed
	$(PY) -m pip install -q -r requirements-test.txt
	touch $@

# The database is created on the first run and upgraded in place (migrations/) on later ones; the demo
# content is added to an empty site only, so later runs keep your data.
setup: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty

run: setup
	$(FLASK) run --host 127.0.0.1 --port 5000

# Production: gunicorn with the repo's settings (gunicorn.conf.py), on BIND; put nginx in front (deploy/).
BIND ?= 127.0.0.1:8000
serve: setup
	BIND=$(BIND) $(VENV)/bin/gunicorn --config gunicorn.conf.py

setup-test: setup $(VENV)/.test-installed

test: setup-test
	$(PY) -m pytest tests

test-fast: setup-test
	$(PY) -m pytest tests -m "not browser"

bench: setup-test
	$(PY) bench/run_all.py
