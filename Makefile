# Two commands on a fresh machine: `make mou` and `make test`.
# The virtual environment is made on first use and refreshed when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages: Pango for WeasyPrint; LibreOffice, pandoc, poppler and Chromium (the preview's
# browser test) for the tests.
RUNTIME_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_DEBS    := libreoffice-writer-nogui pandoc poppler-utils chromium chromium-driver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: mou pks all check preview test bench bench-preview screenshots clean system-runtime system-test

mou: $(STAMP)
	$(BIN)/docgen build mou

pks: $(STAMP)
	$(BIN)/docgen build pks

all: $(STAMP)
	$(BIN)/docgen build all

check: $(STAMP)
	$(BIN)/docgen check

preview: $(STAMP)
	$(BIN)/docgen preview --open

test: $(STAMP) system-test
	$(BIN)/pytest -q

bench: $(STAMP) system-test
	$(BIN)/python bench/run.py

bench-preview: $(STAMP) system-test
	$(BIN)/python bench/run.py preview

# The README's pictures of the preview, taken by its browser test.
screenshots: $(STAMP) system-test
	DOCGEN_SCREENSHOTS=docs $(BIN)/pytest -q tests/test_preview_browser.py -k drafters_loop

clean:
	rm -rf output

$(STAMP): pyproject.toml | system-runtime
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

system-runtime:
	@ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || { \
	  echo "Installing $(RUNTIME_DEBS) (needed for PDF output)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(RUNTIME_DEBS); }

system-test: system-runtime
	@command -v soffice >/dev/null && command -v pandoc >/dev/null && command -v pdftotext >/dev/null \
	  && command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo "Installing $(TEST_DEBS) (the tests read documents with them)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(TEST_DEBS); }
