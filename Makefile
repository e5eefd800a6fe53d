# comptoir - the one entry point. `make` builds into build/; `make test` runs every test under
# ASan+UBSan against a throwaway stack; `make run` starts the local stack with demo data.
BUILD   ?= build
PKGS    := fcgi json-c libmariadb libcrypto libargon2 cairo libxml-2.0
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
CFLAGS  ?= -O2 -g
CT_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -fstack-protector-strong -fPIE \
            -Ifcgi/lib/include $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
CT_LDFLAGS = -pie -Wl,-z,relro,-z,now $(LDFLAGS)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

POOLS   := $(patsubst fcgi/%/main.c,%,$(wildcard fcgi/*/main.c))
TOOLS_C := $(patsubst tools/%.c,%,$(wildcard tools/*.c))
# daemons that are not FastCGI: jobs/<job>.c holds main, jobs/<job>_<part>.c the rest
JOBS    := $(patsubst jobs/%.c,%,$(foreach f,$(wildcard jobs/*.c),$(if $(findstring _,$(f)),,$(f))))
LIB_SRC := $(wildcard fcgi/lib/*.c)
LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC))
UNIT    := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
FUZZ    := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
DB_T    := $(patsubst tests/db/%.c,%,$(wildcard tests/db/test_*.c))

BINS := $(foreach p,$(POOLS),$(BUILD)/bin/comptoir-$(p)) \
        $(foreach t,$(TOOLS_C),$(BUILD)/bin/comptoir-$(t)) \
        $(foreach j,$(JOBS),$(BUILD)/bin/comptoir-$(j)) \
        $(foreach u,$(UNIT),$(BUILD)/tests/$(u)) \
        $(foreach d,$(DB_T),$(BUILD)/tests/db_$(d))

.PHONY: all deps run stop test check unit fuzz fuzz-run bench clean nginx-check lint format \
        format-check valgrind
all: $(BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CT_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libcomptoir.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

define pool_rule
$(BUILD)/bin/comptoir-$(1): $(patsubst %.c,$(BUILD)/%.o,$(wildcard fcgi/$(1)/*.c)) $(BUILD)/libcomptoir.a
	@mkdir -p $$(@D)
	$$(CC) $$(CT_LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,$(POOLS),$(eval $(call pool_rule,$(p))))

define job_rule
$(BUILD)/bin/comptoir-$(1): $(patsubst %.c,$(BUILD)/%.o,jobs/$(1).c $(wildcard jobs/$(1)_*.c)) $(BUILD)/libcomptoir.a
	@mkdir -p $$(@D)
	$$(CC) $$(CT_LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach j,$(JOBS),$(eval $(call job_rule,$(j))))

$(BUILD)/bin/comptoir-%: $(BUILD)/tools/%.o $(BUILD)/libcomptoir.a
	@mkdir -p $(@D)
	$(CC) $(CT_LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests include the .c under test where they need its statics (the h2o pattern), and link
# the library for the rest.
$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(BUILD)/libcomptoir.a
	@mkdir -p $(@D)
	$(CC) $(CT_LDFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs cmocka)

# C tests that need a real MariaDB (ledger, worker runtime) use the one named by COMPTOIR_DB_*
# (tests/run-all.sh starts it).
$(BUILD)/tests/db_test_%: $(BUILD)/tests/db/test_%.o $(BUILD)/libcomptoir.a
	@mkdir -p $(@D)
	$(CC) $(CT_LDFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs cmocka)

deps:
	@tools/deps.sh

# The sanitizer build used by every test.
check: all
	tests/run-unit.sh $(BUILD)

test: deps
	$(MAKE) BUILD=build/san CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" all
	$(MAKE) fuzz
	tests/run-all.sh build/san

unit: deps
	$(MAKE) BUILD=build/san CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" check

# libFuzzer targets, built with clang; the library is compiled again with coverage.
FUZZ_CC  := clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_LIB := $(patsubst %.c,build/fuzz/%.o,$(LIB_SRC))
build/fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ifcgi/lib/include \
	  $(shell pkg-config --cflags $(PKGS)) -g -O1 -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ifcgi/lib/include \
	  $(shell pkg-config --cflags $(PKGS)) $(FUZZ_FLAGS) -o $@ $^ $(LDLIBS)
fuzz: $(foreach f,$(FUZZ),build/fuzz/$(f))
# keep intermediate objects (fuzz library, test objects) so a second make rebuilds nothing
.SECONDARY:
fuzz-run: fuzz
	tests/run-fuzz.sh 60

run: deps all
	tools/stack start var

stop:
	tools/stack stop var

nginx-check: all
	tools/stack nginx-check

bench: deps all
	bench/run.sh

valgrind: all
	tests/run-unit.sh $(BUILD) valgrind

lint:
	tools/lint.sh

format:
	clang-format -i $(wildcard fcgi/*/*.c fcgi/*/*.h fcgi/lib/include/ct/*.h jobs/*.[ch] tools/*.c tests/*/*.c bench/*.c)

format-check:
	clang-format --dry-run --Werror $(wildcard fcgi/*/*.c fcgi/*/*.h fcgi/lib/include/ct/*.h jobs/*.[ch] tools/*.c tests/*/*.c bench/*.c)

clean:
	rm -rf build

-include $(shell find $(BUILD) build/san -name '*.d' 2>/dev/null)
