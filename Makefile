# SPDX-License-Identifier: GPL-2.0
# ktrack: the module (src/), the tool (tools/), and the test, demo and benchmark entry points.
#
#   make               build src/ktrack.ko, src/xt_ktrack.ko (the iptables match), tools/ktrackctl
#                      and tools/xtables/libxt_ktrack.so (its iptables extension)
#   make check         build, run the unit tests, boot one VM and run every bats suite in it
#   make check-debug   the same VM run on a debug kernel (KASAN, UBSAN, lockdep, kmemleak), built
#                      once from Debian's linux-source-6.1, plus ktrack's KUnit suites (src/kunit)
#   make demo          build, boot a VM, drive real TCP connections, show what ktrack saw
#   make bench         build, boot one VM, run the benchmark scenarios against nf_conntrack and write
#                      bench/results/<date>.md and .png (bench/README.md; BENCH_QUICK=1: a smoke run)
#   make install       install the modules (for the running kernel), the tool, the iptables
#                      extension (into xtables' directory) and /usr/share/ktrack/ktrack.nft
#   make dkms-install  register the modules with DKMS so they are rebuilt for new kernels
#   make deb           build/deb/ktrack-dkms_VERSION_all.deb and ktrackctl_VERSION_ARCH.deb (debian/)
#   make style         checkpatch on the kernel sources; make sparse: sparse (C=1)

VERSION := $(shell sed -n 's/^\#define KTRACK_VERSION "\(.*\)"/\1/p' src/version.h)
KVER ?= $(shell scripts/kver 2>/dev/null)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local
DESTDIR ?=
NFTDIR ?= /usr/share/ktrack

export KVER

all: module tool xtables

$(KDIR)/Makefile /usr/include/xtables.h:
	scripts/install-deps

deps:
	scripts/install-deps

module: $(KDIR)/Makefile
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tool:
	$(MAKE) -C tools

xtables: /usr/include/xtables.h
	$(MAKE) -C tools/xtables

sparse: $(KDIR)/Makefile
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

style:
	scripts/checkpatch $(filter-out %.mod.c,$(wildcard src/*.c src/*.h src/kunit/*.c)) \
		include/uapi/linux/ktrack.h include/uapi/linux/netfilter/xt_ktrack.h

unit:
	$(MAKE) -C tests/unit check

nlclient:
	$(MAKE) -C tests/nlclient

testtools:
	$(MAKE) -C tests/tools

check: deps
	$(MAKE) all nlclient testtools
	scripts/check

check-debug: deps
	$(MAKE) tool xtables nlclient testtools
	scripts/check-debug

demo: deps
	$(MAKE) all
	scripts/vm -t 900 -- scripts/demo

bench: deps
	$(MAKE) all
	$(MAKE) -C bench
	bench/bench

install: module tool xtables
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra $(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) \
		modules_install
	depmod -a $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)
	$(MAKE) -C tools install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	$(MAKE) -C tools/xtables install DESTDIR=$(DESTDIR)
	install -D -m 0644 tools/ktrack.nft $(DESTDIR)$(NFTDIR)/ktrack.nft

dkms-install:
	rm -rf /usr/src/ktrack-$(VERSION)
	mkdir -p /usr/src/ktrack-$(VERSION)
	cp -r Kbuild dkms.conf src include /usr/src/ktrack-$(VERSION)/
	dkms add -m ktrack -v $(VERSION)
	dkms build -m ktrack -v $(VERSION)
	dkms install -m ktrack -v $(VERSION)

deb:
	scripts/deb

dkms-uninstall:
	dkms remove -m ktrack -v $(VERSION) --all
	rm -rf /usr/src/ktrack-$(VERSION)

clean:
	[ ! -f $(KDIR)/Makefile ] || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools clean
	$(MAKE) -C tools/xtables clean
	$(MAKE) -C tests/unit clean 2>/dev/null || true
	$(MAKE) -C tests/nlclient clean 2>/dev/null || true
	$(MAKE) -C tests/tools clean 2>/dev/null || true
	$(MAKE) -C bench clean
	rm -rf build

.PHONY: all deps module tool xtables nlclient testtools sparse style unit check check-debug demo bench \
	install dkms-install dkms-uninstall deb clean
