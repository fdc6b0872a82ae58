# Build every service, govctl, the tests and the benchmarks into $(BUILD).
# `make SAN=1` builds the same tree with AddressSanitizer + UBSan into build/asan.

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build/asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SANFLAGS :=
endif

CC ?= cc
SCHEMA_VERSION := $(shell ls deploy/migrations | sed -n 's/^\([0-9]\{4\}\)_.*\.sql$$/\1/p' | sort | tail -1 | sed 's/^0*//')

# CFLAGS, CPPFLAGS and LDFLAGS are the user's: `make CFLAGS=-O0` changes the
# optimisation and keeps the project's include paths and warnings, which live
# in GOV_* below. The user's flags come last, so they can also turn a project
# flag off (`CFLAGS='-O2 -g -Wno-error'`).
CFLAGS ?= -O2 -g
GOV_CPPFLAGS := -I$(BUILD)/gen -Icommon -DSCHEMA_VERSION=$(SCHEMA_VERSION)
GOV_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes $(SANFLAGS)
GOV_LDFLAGS := $(SANFLAGS)

# The libraries, by their pkg-config names. Each binary links the ones it
# uses, as `readelf -d` shows them NEEDED; a missing one fails its link.
# pkg-config answers once, and only for a goal that compiles or links.
PKG_CONFIG ?= pkg-config
ALL_PKGS := libzmq libprotobuf-c libpq libuv jansson libmicrohttpd libcurl libcrypto libargon2 libsodium
pc_once = $(eval $(1) := $$(shell $(PKG_CONFIG) $(2)))$($(1))
PKG_CPPFLAGS = $(call pc_once,PKG_CPPFLAGS,--cflags $(ALL_PKGS))
pkg_libs = $(shell $(PKG_CONFIG) --libs $(1))
# A service: the envelope, sockets, database, timers, JSON, /healthz, and
# the digests of idempotency (common/idem.c).
SERVICE_PKGS := libzmq libprotobuf-c libpq libuv jansson libmicrohttpd libcrypto
PKGS_intake := $(SERVICE_PKGS)
PKGS_routing := $(SERVICE_PKGS)
PKGS_notify := $(SERVICE_PKGS) libcurl
# deliberation seals secret ballots to the tally key (seal.c, common/tallykey.c).
PKGS_deliberation := $(SERVICE_PKGS) libsodium
PKGS_gateway := $(SERVICE_PKGS) libargon2
# govctl makes the gateway's credentials (common/credential.c) and the
# tally key (common/tallykey.c).
PKGS_govctl := libzmq libprotobuf-c libpq jansson libcrypto libargon2 libsodium
PKGS_bench_intake := libzmq libprotobuf-c
PKGS_bench_routing := libuv
PKGS_bench_notify := libprotobuf-c libpq libuv libmicrohttpd libcurl
PKGS_bench_deliberation := libzmq libprotobuf-c
PKGS_bench_gateway := libmicrohttpd
PKGS_bench_flood := libzmq libprotobuf-c
# Tests link every service's concepts, so every library, and cmocka.
PKGS_tests := $(ALL_PKGS) cmocka
SYS_LIBS := -lpthread -lm

COMPILE = $(CC) $(GOV_CPPFLAGS) $(PKG_CPPFLAGS) $(CPPFLAGS) $(GOV_CFLAGS) $(CFLAGS)
LINK = $(CC) $(GOV_LDFLAGS) $(LDFLAGS)

PROTOS := $(wildcard proto/*.proto)
GEN_C := $(patsubst proto/%.proto,$(BUILD)/gen/%.pb-c.c,$(PROTOS))
GEN_H := $(GEN_C:.c=.h)
COMMON_SRC := $(wildcard common/*.c)
# The table of envelope types is generated from proto/ (tools/gen-msgtypes.py).
MSGTYPES_C := $(BUILD)/gen/msgtypes.c
COMMON_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(COMMON_SRC)) $(GEN_C:$(BUILD)/gen/%.c=$(BUILD)/obj/gen/%.o) \
              $(BUILD)/obj/gen/msgtypes.o
COMMON_LIB := $(BUILD)/lib/libgov.a

SERVICES := intake routing notify deliberation gateway
BINS := $(SERVICES:%=$(BUILD)/bin/gov-%) $(BUILD)/bin/govctl
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
IT_TESTS := $(patsubst tests/it/%.c,$(BUILD)/tests/%,$(wildcard tests/it/test_*.c))
BENCHES := $(patsubst bench/%/main.c,$(BUILD)/bin/bench-%,$(wildcard bench/*/main.c))

all: $(BINS) $(BENCHES)
# The services and govctl only (the container image's build stage).
bins: $(BINS)
tests: all $(UNIT_TESTS) $(IT_TESTS)

$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: proto/%.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=proto --c_out=$(BUILD)/gen $<

$(MSGTYPES_C): tools/gen-msgtypes.py $(PROTOS)
	@mkdir -p $(dir $@)
	python3 tools/gen-msgtypes.py $@ $(PROTOS)

$(BUILD)/obj/%.o: %.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(COMPILE) -MMD -MP -c $< -o $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(COMPILE) -Wno-unused-parameter -c $< -o $@

# Some sources compile the schema version in (svc.c, notify's planner): a new
# migration must rebuild them, or a stale object keeps asking for the old one.
SCHEMA_STAMP := $(BUILD)/schema-version-$(SCHEMA_VERSION)
$(SCHEMA_STAMP):
	@mkdir -p $(dir $@)
	@rm -f $(BUILD)/schema-version-*
	@touch $@
SCHEMA_USERS := $(shell grep -l SCHEMA_VERSION common/*.c services/*/*.c)
$(patsubst %.c,$(BUILD)/obj/%.o,$(SCHEMA_USERS)): $(SCHEMA_STAMP)

$(COMMON_LIB): $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	ar rcs $@ $^

# A service is every .c in its folder.
.SECONDEXPANSION:
$(BUILD)/bin/gov-%: $$(addprefix $(BUILD)/obj/,$$(subst .c,.o,$$(wildcard services/$$*/*.c))) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(LINK) -o $@ $^ $(call pkg_libs,$(PKGS_$*)) $(SYS_LIBS)

# govctl is a client: the shared runtime, and nothing of any service's.
$(BUILD)/bin/govctl: $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard services/govctl/*.c)) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(LINK) -o $@ $^ $(call pkg_libs,$(PKGS_govctl)) $(SYS_LIBS)

$(BUILD)/bin/bench-%: $$(addprefix $(BUILD)/obj/,$$(subst .c,.o,$$(wildcard bench/$$*/*.c))) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(LINK) -o $@ $^ $(call pkg_libs,$(PKGS_bench_$*)) $(SYS_LIBS)

# Each service's concepts (every .c but main.c) also go into an archive, so
# tests can link what they exercise without the service's main().
svc_concepts = $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out services/$(1)/main.c,$(wildcard services/$(1)/*.c)))
SERVICE_LIBS := $(SERVICES:%=$(BUILD)/lib/libsvc-%.a)
$(BUILD)/lib/libsvc-%.a: $$(call svc_concepts,$$*)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# Tests see the service concepts they test.
$(BUILD)/obj/tests/%.o: GOV_CPPFLAGS += -Itests/support $(SERVICES:%=-Iservices/%)

# Tests link the shared runtime, the harness, and the service concepts they test.
TEST_SUPPORT := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/support/*.c))
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TEST_SUPPORT) $(SERVICE_LIBS) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(LINK) -o $@ $(filter %.o,$^) $(SERVICE_LIBS) $(COMMON_LIB) $(call pkg_libs,$(PKGS_tests)) $(SYS_LIBS)
$(BUILD)/tests/%: $(BUILD)/obj/tests/it/%.o $(TEST_SUPPORT) $(SERVICE_LIBS) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(LINK) -o $@ $(filter %.o,$^) $(SERVICE_LIBS) $(COMMON_LIB) $(call pkg_libs,$(PKGS_tests)) $(SYS_LIBS)

# The fuzzers: clang's libFuzzer, with the code under test instrumented
# (tests/fuzz/; a short run in `make test`, a long one in `make bench-fuzz`).
FUZZERS := fuzz_envelope fuzz_gateway fuzz_text fuzz_areafile fuzz_calfile fuzz_template
# the envelope and every message type, checked, decoded, as JSON, validated
FUZZ_SRC_fuzz_envelope := common/envelope.c common/pbjson.c $(MSGTYPES_C) common/apperr.c common/errcodes.c \
            common/text.c common/pbcheck.c services/intake/validate.c $(GEN_C)
FUZZ_INC_fuzz_envelope := -Iservices/intake
# the gateway's bodies: JSON into every message type, Open311 forms
FUZZ_SRC_fuzz_gateway := common/pbjson.c $(MSGTYPES_C) services/gateway/form.c $(GEN_C)
FUZZ_INC_fuzz_gateway := -Iservices/gateway
# templates, calendar days, Open311's query values
FUZZ_SRC_fuzz_text := services/notify/render.c common/calendar.c common/db.c common/dbtime.c common/hist.c common/log.c services/gateway/georeport.c \
            common/apperr.c common/errcodes.c $(GEN_C)
FUZZ_INC_fuzz_text := -Iservices/notify -Iservices/gateway $(shell $(PKG_CONFIG) --cflags libpq)
FUZZ_LIB_fuzz_text := $(shell $(PKG_CONFIG) --libs libpq)
# `govctl areas import`'s GeoJSON checker
FUZZ_SRC_fuzz_areafile := common/areafile.c
# `govctl calendar import`'s file reader
FUZZ_SRC_fuzz_calfile := common/calfile.c common/calendar.c common/db.c common/dbtime.c common/hist.c common/log.c
FUZZ_INC_fuzz_calfile := $(shell $(PKG_CONFIG) --cflags libpq)
FUZZ_LIB_fuzz_calfile := $(shell $(PKG_CONFIG) --libs libpq)
# notify's templates, as text, as an email's HTML part, in the SMS gateway's JSON body
FUZZ_SRC_fuzz_template := services/notify/render.c
FUZZ_INC_fuzz_template := -Iservices/notify
build/fuzz/%: tests/fuzz/%.c $$(FUZZ_SRC_$$*) $(GEN_H)
	@mkdir -p $(dir $@)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -Wall -Wextra -Werror -Wno-unused-parameter \
	    -I$(BUILD)/gen -Icommon $(FUZZ_INC_$*) $(shell $(PKG_CONFIG) --cflags libprotobuf-c jansson) \
	    -o $@ $< $(FUZZ_SRC_$*) $(shell $(PKG_CONFIG) --libs libprotobuf-c jansson) $(FUZZ_LIB_$*) -lm
fuzz: $(addprefix build/fuzz/,$(FUZZERS))

install-deps:
	bash deploy/install.sh

# The OpenAPI document of the gateway's /api/v1/, from its route table and the
# protos (tools/gen-openapi.py); tests/cli/test_openapi.sh checks it is current.
openapi:
	python3 tools/gen-openapi.py docs/openapi.yaml services/gateway/api.c $(PROTOS)

up: install-deps
	$(MAKE) all
	bash deploy/up.sh

down:
	bash deploy/down.sh

test: install-deps
	bash deploy/install.sh --test
	bash tests/run.sh

bench-routing: install-deps
	$(MAKE) all
	bash bench/routing/run.sh

bench-notify: install-deps
	$(MAKE) all
	bash bench/notify/run.sh

bench-deliberation: install-deps
	$(MAKE) all
	bash bench/deliberation/run.sh

bench-intake: install-deps
	$(MAKE) all
	bash bench/intake/run.sh

# Every fuzzer for 5 minutes (BENCH_FUZZ_SECONDS), printing executions and crashes.
bench-fuzz: install-deps
	$(MAKE) fuzz
	bash tests/fuzz/run.sh $${BENCH_FUZZ_SECONDS:-300} build/fuzz-logs

# The crash test's long run: 100,000 cases at 200 a second through the front
# door, every service killed in turn every 5 s, and halfway the primary of a
# Patroni pair (tests/chaos/failover.sh; docs/faults.md). About 10-12 minutes on a
# quiet machine (an estimate, docs/faults.md).
bench-chaos: install-deps
	bash deploy/install.sh --test
	$(MAKE) all
	bash tests/chaos/failover.sh $${BENCH_CHAOS_OPS:-100000} $${BENCH_CHAOS_RATE:-200} $${BENCH_CHAOS_KILL_EVERY:-5}

bench-pipeline: install-deps
	$(MAKE) all
	bash bench/pipeline/run.sh

# Another client's p99 while one floods intake with 120,000 reads and leaves.
bench-flood: install-deps
	$(MAKE) all
	bash bench/flood/run.sh

bench-gateway: install-deps
	bash deploy/install.sh --bench
	$(MAKE) all
	bash bench/gateway/run.sh

clean:
	rm -rf build

# Objects reached only through a chain of pattern rules (a test's .o, a
# service's concepts) are intermediate to make; without this it deletes them
# after each link and compiles them again on the next run. Only the objects
# and generated sources: a bare .SECONDARY would make the schema stamp
# secondary too, and a missing stamp would then rebuild nothing.
.SECONDARY: $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard services/*/*.c tests/*/*.c bench/*/*.c)) \
            $(COMMON_OBJ) $(GEN_C) $(GEN_H) $(MSGTYPES_C)
.PHONY: all bins tests fuzz install-deps openapi up down test bench-intake bench-routing bench-notify bench-deliberation bench-gateway bench-pipeline bench-flood bench-fuzz bench-chaos clean
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
