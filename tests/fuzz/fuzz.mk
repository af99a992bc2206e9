# tests/fuzz/fuzz.mk: libFuzzer harnesses of the pure modules (make fuzz) and their replay under ASan+UBSan without libFuzzer (make fuzz-replay).
#
#   make -f Makefile -f tests/fuzz/fuzz.mk fuzz [FUZZ_SECONDS=60] [FUZZ_HARNESSES="request path"]
#	builds build/fuzz/fuzz_<h> with clang -fsanitize=fuzzer,address,undefined,
#	fuzzes each for FUZZ_SECONDS (FUZZ_SECONDS_<h> overrides one) on a
#	scratch copy of tests/fuzz/corpus/<h> in build/fuzz/work/<h>, prints
#	libFuzzer's final stats and fails if a harness crashed; crash inputs go
#	to build/fuzz/crash/<h>/, full logs to build/fuzz/<h>.log.
#	Runs in parallel with -j.
#   make ... fuzz-merge
#	adds the scratch inputs that bring new coverage to the committed corpora.
#   make ... fuzz-replay
#	builds the same harnesses with $(CC) and tests/fuzz/replay.c, replays
#	tests/fuzz/corpus/<h> and tests/fuzz/regress/<h>; ends with
#	"N passed, N failed" and fails if any input failed.

# Included by the Makefile; also fine when given again with -f.
ifndef FUZZ_MK_INCLUDED
FUZZ_MK_INCLUDED := 1

FUZZ_DIR	 = tests/fuzz
FUZZ_HARNESSES	?= request path meta render conffile allowlist proxyhdr ticketkeys hello pubdates \
		   fastcgi search gemheader titan
FUZZ_SECONDS	?= 60
FUZZ_CLANG	?= clang
FUZZ_REPLAY_CC	?= $(CC)
FUZZ_STD	 = -std=c17 -D_GNU_SOURCE -Isrc
FUZZ_WARN	 = -Wall -Wextra -Werror -Wshadow -Wpointer-arith \
		   -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
FUZZ_SAN	 = -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
FUZZ_CFLAGS	 = -g -O1 $(FUZZ_STD) $(FUZZ_SAN)
FUZZ_RUNFLAGS	?=
FUZZ_ENV	 = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# The src/ modules each harness links: pure ones only (no server, tls, catalog, watch, main).
FUZZ_SRC_request	 = request path
FUZZ_SRC_path		 = path
FUZZ_SRC_meta		 = meta path request
FUZZ_SRC_render		 = render buf meta path request
FUZZ_SRC_conffile	 = conffile config options access fileline path
FUZZ_SRC_allowlist	 = access fileline path
FUZZ_SRC_proxyhdr	 = proxyhdr
FUZZ_SRC_ticketkeys	 = ticketkeys fileline
FUZZ_SRC_hello		 = hello
FUZZ_SRC_gemheader	 = gemheader
# pubdates.c logs from its I/O part, which the harness does not call.
FUZZ_SRC_pubdates	 = pubdates buf fileline strmap log
FUZZ_SRC_fastcgi	 = fastcgi buf access fileline request path
FUZZ_SRC_search		 = search casefold buf meta path request
FUZZ_SRC_titan		 = titan beneath path
# Longest input libFuzzer makes per harness: a bit past the modules' own limits.
FUZZ_LEN_request	 = 1100
FUZZ_LEN_path		 = 1100
FUZZ_LEN_meta		 = 4096
FUZZ_LEN_render		 = 8192
FUZZ_LEN_conffile	 = 8192
FUZZ_LEN_allowlist	 = 4096
FUZZ_LEN_proxyhdr	 = 4200
FUZZ_LEN_ticketkeys	 = 4096
FUZZ_LEN_titan		 = 1100
FUZZ_LEN_search		 = 8192
FUZZ_LEN_hello		 = 40000
FUZZ_LEN_gemheader	 = 1200
FUZZ_LEN_pubdates	 = 4096
FUZZ_LEN_fastcgi	 = 8192
# Libraries a harness needs besides its modules: access.c digests with libcrypto
# (fastcgi.c formats fingerprints with it); fuzz_ticketkeys models base64 with OpenSSL's.
FUZZ_LIBS_allowlist	 = -lcrypto
FUZZ_LIBS_conffile	 = -lcrypto
FUZZ_LIBS_ticketkeys	 = -lcrypto
FUZZ_LIBS_fastcgi	 = -lcrypto

# src/ objects: coverage-instrumented for libFuzzer, plain sanitized for replay.
build/fuzz/obj/%.o: src/%.c $(wildcard src/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

build/fuzz-replay/obj/%.o: src/%.c $(wildcard src/*.h)
	@mkdir -p $(@D)
	$(FUZZ_REPLAY_CC) $(FUZZ_CFLAGS) -c $< -o $@

define FUZZ_HARNESS
build/fuzz/fuzz_$(1): $(FUZZ_DIR)/fuzz_$(1).c $(FUZZ_EXTRA_$(1)) \
    $(FUZZ_SRC_$(1):%=build/fuzz/obj/%.o)
	@mkdir -p $$(@D)
	$(FUZZ_CLANG) $(FUZZ_CFLAGS) $(FUZZ_WARN) -fsanitize=fuzzer -o $$@ $$^ \
	    $(FUZZ_LIBS_$(1))

build/fuzz-replay/fuzz_$(1): $(FUZZ_DIR)/fuzz_$(1).c $(FUZZ_DIR)/replay.c \
    $(FUZZ_EXTRA_$(1)) $(FUZZ_SRC_$(1):%=build/fuzz-replay/obj/%.o)
	@mkdir -p $$(@D)
	$(FUZZ_REPLAY_CC) $(FUZZ_CFLAGS) $(FUZZ_WARN) -o $$@ $$^ $(FUZZ_LIBS_$(1))

fuzz-run-$(1): build/fuzz/fuzz_$(1)
	@rm -rf build/fuzz/work/$(1) build/fuzz/crash/$(1)
	@mkdir -p build/fuzz/work/$(1) build/fuzz/crash/$(1)
	@cp $(FUZZ_DIR)/corpus/$(1)/* build/fuzz/work/$(1)/ 2>/dev/null || true
	@echo "fuzz_$(1): fuzzing for $(or $(FUZZ_SECONDS_$(1)),$(FUZZ_SECONDS)) s"
	@$(FUZZ_ENV) ./build/fuzz/fuzz_$(1) \
	    -max_total_time=$(or $(FUZZ_SECONDS_$(1)),$(FUZZ_SECONDS)) \
	    -max_len=$(FUZZ_LEN_$(1)) -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=build/fuzz/crash/$(1)/ \
	    $(if $(wildcard $(FUZZ_DIR)/dict/$(1).dict),-dict=$(FUZZ_DIR)/dict/$(1).dict) \
	    $(FUZZ_RUNFLAGS) build/fuzz/work/$(1) >build/fuzz/$(1).log 2>&1; \
	    echo $$$$? >build/fuzz/$(1).status
	@sh $(FUZZ_DIR)/fuzz-summary.sh $(1) build/fuzz

fuzz-merge-$(1): build/fuzz/fuzz_$(1)
	./build/fuzz/fuzz_$(1) -merge=1 -max_len=$(FUZZ_LEN_$(1)) \
	    $(FUZZ_DIR)/corpus/$(1) build/fuzz/work/$(1)
endef
$(foreach h,$(FUZZ_HARNESSES),$(eval $(call FUZZ_HARNESS,$(h))))

fuzz: $(FUZZ_HARNESSES:%=fuzz-run-%)
	@st=0; for h in $(FUZZ_HARNESSES); do \
	    if [ "$$(cat build/fuzz/$$h.status)" != 0 ]; then \
		echo "fuzz_$$h FAILED: see build/fuzz/$$h.log"; st=1; fi; \
	done; [ $$st = 0 ] && echo "fuzz: no crash in $(words $(FUZZ_HARNESSES)) harnesses"; \
	exit $$st

fuzz-merge: $(FUZZ_HARNESSES:%=fuzz-merge-%)

fuzz-replay: $(FUZZ_HARNESSES:%=build/fuzz-replay/fuzz_%)
	@pass=0; fail=0; for h in $(FUZZ_HARNESSES); do \
	    $(FUZZ_ENV) ./build/fuzz-replay/fuzz_$$h -q $(FUZZ_DIR)/corpus/$$h \
		$(FUZZ_DIR)/regress/$$h >build/fuzz-replay/$$h.out \
		2>build/fuzz-replay/$$h.log; \
	    sed "s/^/fuzz_$$h: /" build/fuzz-replay/$$h.out; \
	    set -- $$(tail -n 1 build/fuzz-replay/$$h.out); \
	    pass=$$((pass + $${1:-0})); fail=$$((fail + $${3:-1})); \
	    if [ "$${3:-1}" != 0 ]; then grep -a -B2 -E 'invariant broken|ERROR:|runtime error' \
		build/fuzz-replay/$$h.log | grep -a -v -E '^--$$|^ +#|^=+$$' | \
		sed "s/^/fuzz_$$h:   /"; \
		echo "fuzz_$$h:   (full reports in build/fuzz-replay/$$h.log)"; fi; \
	done; \
	echo "$$pass passed, $$fail failed"; [ $$fail = 0 ]

fuzz-clean:
	rm -rf build/fuzz build/fuzz-replay

.PHONY: fuzz fuzz-merge fuzz-replay fuzz-clean $(FUZZ_HARNESSES:%=fuzz-run-%) \
	$(FUZZ_HARNESSES:%=fuzz-merge-%)

endif
