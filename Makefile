# Thin wrapper around meson/ninja. `make` builds build/guanxi.
# Meson lists sources with tools/list_*.py at configure time, so the build is
# reconfigured whenever the set of source or embedded files changes.
BUILD ?= build
MESON_OPTS ?=
FILELIST := $(shell python3 tools/list_sources.py core; python3 tools/list_sources.py unit; python3 tools/list_embedded.py)

.PHONY: all test asan clean FORCE

all: $(BUILD)/.filelist
	ninja -C $(BUILD)

$(BUILD)/.filelist: FORCE
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
