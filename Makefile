# Quick start: `make demo` runs the main job, `make test` runs every check. Both set up .venv first.
.PHONY: demo test setup setup-test lint

demo: setup
	.venv/bin/microfolio demo

test: setup-test
	scripts/test.sh

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test
