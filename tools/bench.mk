# bench.mk: `make bench` measures almanac beside molly-brown and a bare OpenSSL server (tools/bench.sh).
#
# Included by the Makefile; also usable as `make -f Makefile -f tools/bench.mk bench`.
# Settings are environment variables, given either way:
#   make bench BENCH_ROUNDS=1 BENCH_SECONDS=2
# (BENCH_ROUNDS, BENCH_SECONDS, BENCH_WARMUP, BENCH_CONNS, BENCH_NETNS: see
# tools/bench.sh). Variables set on make's command line reach the script's
# environment without an export, and empty ones mean the default.

# Included twice (-f plus the Makefile's include) must not define rules twice.
ifndef BENCH_MK_INCLUDED
BENCH_MK_INCLUDED := 1

BENCH_BIN	 = build/bench
BENCH_LIBS	 = $(shell pkg-config --libs libssl libcrypto 2>/dev/null || \
		   echo -lssl -lcrypto)

$(BENCH_BIN)/gembench: tools/gembench.c | build/.deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(BENCH_LIBS) -lpthread

$(BENCH_BIN)/floor: tools/floor.c | build/.deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(BENCH_LIBS)

bench-tools: $(BENCH_BIN)/gembench $(BENCH_BIN)/floor

bench: almanac gemget bench-tools
	@./tools/deps.sh bench
	./tools/bench.sh

.PHONY: bench bench-tools

endif
