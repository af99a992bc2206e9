# almanac: a Gemini capsule server.  `make run` serves capsule/, `make test` checks it.

CC	?= cc
PREFIX	?= /usr/local
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

build/asan/gemget: tools/gemget.c | build/.deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SAN) $(PKG_CFLAGS) -o $@ $< $(PKG_LIBS)

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

# The whole suite twice: as built, then under AddressSanitizer + UBSan.
test: all test-deps $(UNITS:%=build/unit/%) build/asan/almanac build/asan/gemget $(UNITS:%=build/unit-asan/%)
	@echo "== unit and integration tests"
	ALMANAC=./almanac GEMGET=./gemget prove -f $(UNITS:%=build/unit/%) tests/*.t
	@echo "== the same under AddressSanitizer and UBSan"
	ALMANAC=build/asan/almanac GEMGET=./gemget ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    prove -f $(UNITS:%=build/unit-asan/%) tests/*.t

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 almanac gemget $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf build almanac gemget

.PHONY: all run test test-deps install clean
.SECONDARY:
