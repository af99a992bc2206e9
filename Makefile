# almanac: a Gemini capsule server.  `make run` serves capsule/, `make test` checks it.

CC	?= cc
PREFIX	?= /usr/local
MANDIR	?= $(PREFIX)/share/man
DOCDIR	?= $(PREFIX)/share/doc/almanac
CSTD	 = -std=c17 -D_GNU_SOURCE
WARN	 = -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2
CFLAGS	?= -O2 -g
PKGS	 = libssl libcrypto libmagic
# Evaluated when a recipe runs, after tools/deps.sh has installed pkg-config.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lssl -lcrypto -lmagic)

SRCS	 = $(wildcard src/*.c)
LIBSRCS	 = $(filter-out src/main.c,$(SRCS))
UNITS	 = $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/*.c))
SAN	 = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
MANS	 = man/almanac.8 man/almanac.conf.5 man/gemget.1
SOAK_MINUTES ?= 10
# Integration tests whose verdicts do not depend on timing, for `make valgrind`.
VALGRIND_TESTS = tests/10-requests.t tests/25-hostile.t tests/30-certs.t \
		 tests/40-chronicle.t tests/50-links.t tests/57-locations.t \
		 tests/59-access.t

all: almanac gemget

build/.deps:
	@./tools/deps.sh build
	@mkdir -p build && touch $@

# One object tree per flavour: plain (build/obj) and sanitized (build/asan).
build/obj/%.o: src/%.c $(wildcard src/*.h) | build/.deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

build/asan/%.o: src/%.c $(wildcard src/*.h) | build/.deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) $(PKG_CFLAGS) -c $< -o $@

almanac: $(SRCS:src/%.c=build/obj/%.o)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

build/asan/almanac: $(SRCS:src/%.c=build/asan/%.o)
	$(CC) -g $(SAN) -o $@ $^ $(PKG_LIBS) -lpthread

gemget: tools/gemget.c | build/.deps
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(PKG_LIBS)

# Unit tests link the pure modules directly.
build/unit/%: tests/unit/%.c tests/unit/tap.h $(LIBSRCS:src/%.c=build/obj/%.o)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Isrc -o $@ $< $(LIBSRCS:src/%.c=build/obj/%.o) $(PKG_LIBS) -lpthread

build/unit-asan/%: tests/unit/%.c tests/unit/tap.h $(LIBSRCS:src/%.c=build/asan/%.o)
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) -Isrc -o $@ $< $(LIBSRCS:src/%.c=build/asan/%.o) $(PKG_LIBS) -lpthread

run: all
	./almanac --root capsule --certs certs

test-deps:
	@./tools/deps.sh test

# Manual pages: no mandoc or groff warnings; the example configuration parses.
man-lint: almanac
	@./tools/deps.sh test mandoc groff-base
	@out=$$(mandoc -Tlint -W warning $(MANS) 2>&1; \
	    for m in $(MANS); do groff -mandoc -ww -z $$m 2>&1; done); \
	    if [ -n "$$out" ]; then echo "$$out"; exit 1; fi
	@# The example parses; its paths (/var/gemini, ...) need not exist here.
	@out=$$(./almanac -n -f tools/almanac.conf.example 2>&1); \
	    if echo "$$out" | grep 'almanac.conf.example:[0-9]'; then exit 1; fi

# The whole suite twice: as built, then under AddressSanitizer + UBSan.
test: test-deps all man-lint $(UNITS:%=build/unit/%) build/asan/almanac $(UNITS:%=build/unit-asan/%) fuzz-replay
	@echo "== unit and integration tests"
	ALMANAC=./almanac GEMGET=./gemget prove -f $(UNITS:%=build/unit/%) tests/*.t
	@echo "== the same under AddressSanitizer and UBSan"
	ALMANAC=build/asan/almanac GEMGET=./gemget ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    prove -f $(UNITS:%=build/unit-asan/%) tests/*.t

# A graphical client (Kristall under Xvfb, read back by OCR).
test-gui: all test-deps
	ALMANAC=./almanac GEMGET=./gemget prove -f tests/gui/kristall.sh

# Memcheck over the integration tests that do not depend on timing.
valgrind: all test-deps
	@./tools/deps.sh test valgrind
	ALMANAC=./almanac GEMGET=./gemget \
	    ALMANAC_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
	    prove -f $(VALGRIND_TESTS)

# Static analysis: cppcheck and clang-tidy (.clang-tidy), no warnings allowed.
lint: build/.deps
	@./tools/deps.sh test cppcheck clang-tidy
	cppcheck --enable=warning,portability,performance --std=c11 --inline-suppr \
	    --quiet --error-exitcode=1 -D_GNU_SOURCE -Isrc src tools/gemget.c
	clang-tidy --quiet src/*.c tools/gemget.c -- -std=c17 -D_GNU_SOURCE -Isrc

# Mixed load and file churn for SOAK_MINUTES, failing if memory or descriptors grow.
soak: all
	./tools/soak.sh $(SOAK_MINUTES)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)
	install -m 755 almanac gemget $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/almanac.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 man/almanac.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/gemget.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 tools/almanac.conf.example tools/almanac.service tools/almanac.socket \
	    $(DESTDIR)$(DOCDIR)/

# The Debian package: build/deb/almanac_VERSION_ARCH.deb, built from a copy
# of the tree, as dpkg-buildpackage writes beside the source directory.
deb:
	@./tools/deps.sh deb
	rm -rf build/deb && mkdir -p build/deb/almanac
	tar -cf - --exclude=./build --exclude=./.git . | tar -xf - -C build/deb/almanac
	cd build/deb/almanac && dpkg-buildpackage -us -uc -b
	@ls build/deb/*.deb

# The package built, checked by lintian, installed, run and purged in a
# throwaway Debian chroot (tests/deb/test-deb.sh).
test-deb:
	@./tools/deps.sh deb lintian debootstrap
	prove -v tests/deb/test-deb.sh

# Three instances behind HAProxy (TCP, PROXY v2, health checks) on loopback:
# tests/cluster/, which make test does not run.  As root, haproxy is installed.
test-cluster: all
	@./tools/deps.sh build haproxy python3
	prove -v tests/cluster/cluster.t

clean:
	rm -rf build almanac gemget

include tools/bench.mk
include tests/fuzz/fuzz.mk

.PHONY: all run test test-deps man-lint test-gui valgrind lint soak install clean
.PHONY: deb test-deb test-cluster
.SECONDARY:
