# SPDX-License-Identifier: Apache-2.0
#
# Top-level convenience targets.  The build itself is CMake; this file only
# strings the steps together.  Plain POSIX make; recipes run in bash.
#
#   make demo          install deps, build, analyse examples/*.eml
#   make check         install deps, build, run every test, then the same
#                      tests on an ASan+UBSan build (exits non-zero if any
#                      test fails in either)
#   make build         configure and build into build/
#   make build-asan    configure and build the sanitizer build into build-asan/
#   make bench         benchmark against rspamd (bench/README.md)
#   make format-check  scripts/checksrc over src/
#   make clean         remove build/ and build-asan/

SHELL = /bin/bash

BUILD_DIR = build
ASAN_DIR = build-asan
DEMO_DATA = $(BUILD_DIR)/demo-data
CTEST_JOBS = 2
# The corpus defaults to ../shared/corpus (CMakeLists.txt); MS_CORPUS in
# the environment or on the command line overrides it.
CMAKE_FLAGS = $${MS_CORPUS:+"-DMS_CORPUS=$$MS_CORPUS"}

# Environment for the sanitizer test run.  G_SLICE/G_DEBUG make GLib use
# plain malloc and clear memory so that ASan sees every allocation.
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	PYTHONMALLOC=malloc G_SLICE=always-malloc G_DEBUG=gc-friendly

.PHONY: all deps build build-asan demo check test test-asan bench clean \
	format-check

all: build

deps:
	./scripts/install-deps

build:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j$$(nproc)

build-asan:
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug \
	    -DMS_SANITIZE=address,undefined $(CMAKE_FLAGS)
	cmake --build $(ASAN_DIR) -j$$(nproc)

demo:
	$(MAKE) deps
	$(MAKE) build
	@rm -rf $(DEMO_DATA) && mkdir -p $(DEMO_DATA)
	@echo
	@echo "== mailsoar analyze examples/*.eml"
	$(BUILD_DIR)/mailsoar analyze --data $(DEMO_DATA) examples/*.eml
	@echo
	@echo "== mailsoar analyze --json --pretty examples/reported-phish.eml"
	$(BUILD_DIR)/mailsoar analyze --json --pretty --data $(DEMO_DATA) \
	    examples/reported-phish.eml
	@echo
	@echo "Attachments were written to the vault under $(DEMO_DATA)/."

# Tests on the normal build only.
test:
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(CTEST_JOBS)

# Tests on the sanitizer build only.
test-asan:
	$(ASAN_ENV) ctest --test-dir $(ASAN_DIR) --output-on-failure \
	    -j$(CTEST_JOBS)

# Both builds are tested even when the first run fails, so that one CI run
# shows every failure; the exit status is non-zero if either failed.
check:
	$(MAKE) deps
	$(MAKE) build
	@rc=0; \
	echo "== make check: tests on the normal build ($(BUILD_DIR))"; \
	$(MAKE) test || rc=1; \
	echo "== make check: ASan+UBSan build ($(ASAN_DIR))"; \
	if $(MAKE) build-asan; then \
		$(MAKE) test-asan || rc=1; \
	else \
		echo "make check: the sanitizer build failed" >&2; rc=1; \
	fi; \
	if [ $$rc -ne 0 ]; then \
		echo "make check: FAILED (see the output above)" >&2; \
	else \
		echo "make check: all tests passed on both builds"; \
	fi; \
	exit $$rc

bench: build
	./bench/analyze

format-check:
	./scripts/checksrc

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
