#!/usr/bin/env bats
# The Debian packages (make deb, debian/): both build offline; what each holds; the tool built with
# Debian's hardening flags; dkms.conf names every module src/Kbuild builds; the packaged source
# builds with DKMS against the installed headers (in a DKMS tree of its own, signed with a key of its
# own, so the host's /var/lib/dkms is left alone); lintian reports no error.

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VERSION=$(sed -n 's/^#define KTRACK_VERSION "\(.*\)"/\1/p' "$TOP/src/version.h")

setup_file() {
	export DEB=$BATS_FILE_TMPDIR/deb
	KTRACK_DEB_OUT=$DEB "$TOP/scripts/deb" > "$BATS_FILE_TMPDIR/deb.out" 2>&1 || true
}

contents() {
	dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\./|/|'
}

@test "make deb builds ktrack-dkms_VERSION_all.deb and ktrackctl_VERSION_amd64.deb" {
	cat "$BATS_FILE_TMPDIR/deb.out"
	[ -f "$DEB/ktrack-dkms_${VERSION}_all.deb" ]
	[ -f "$DEB/ktrackctl_${VERSION}_$(dpkg --print-architecture).deb" ]
	[ "$(dpkg-deb -f "$DEB/ktrack-dkms_${VERSION}_all.deb" Version)" = "$VERSION" ]
	dpkg-deb -f "$DEB/ktrack-dkms_${VERSION}_all.deb" Depends | grep -q dkms
}

@test "ktrack-dkms holds the module's whole source under /usr/src/ktrack-VERSION, no build output" {
	local c f s=/usr/src/ktrack-$VERSION
	c=$(contents "$DEB/ktrack-dkms_${VERSION}_all.deb")
	for f in Kbuild dkms.conf src/Kbuild src/version.h include/uapi/linux/ktrack.h; do
		grep -qx "$s/$f" <<<"$c" || { echo "missing $s/$f"; return 1; }
	done
	for f in $(git -C "$TOP" ls-files -co --exclude-standard src); do
		grep -qx "$s/$f" <<<"$c" || { echo "missing $s/$f"; return 1; }
	done
	! grep -E '\.(o|ko|mod|cmd)$' <<<"$c"
}

@test "ktrackctl holds the tool, man pages, completion, textfile script, examples (and xtables, nft)" {
	local c f x=/usr/share/doc/ktrackctl/examples
	c=$(contents "$DEB/ktrackctl_${VERSION}_$(dpkg --print-architecture).deb")
	for f in /usr/sbin/ktrackctl /usr/sbin/ktrack-textfile /usr/share/man/man8/ktrackctl.8.gz \
		 /usr/share/man/man8/ktrack-textfile.8.gz /usr/share/man/man7/ktrack.7.gz \
		 /usr/share/bash-completion/completions/ktrackctl \
		 $x/modules-load.d/ktrack.conf $x/modprobe.d/ktrack.conf $x/sysctl.d/60-ktrack.conf \
		 $x/prometheus/ktrack-alerts.yml; do
		grep -qx "$f" <<<"$c" || { echo "missing $f"; return 1; }
	done
	if [ -f "$TOP/tools/xtables/Makefile" ]; then
		grep -qx "$(pkg-config --variable=xtlibdir xtables)/libxt_ktrack.so" <<<"$c"
	else
		if grep -q libxt_ <<<"$c"; then echo "libxt_ packaged without xtables"; return 1; fi
	fi
	if [ -f "$TOP/tools/ktrack.nft" ]; then
		grep -qx /usr/share/ktrack/ktrack.nft <<<"$c"
	fi
}

@test "the packaged ktrackctl is built with Debian's hardening flags (PIE, RELRO, BIND_NOW, fortify)" {
	local x=$BATS_TEST_TMPDIR/x
	dpkg-deb -x "$DEB/ktrackctl_${VERSION}_$(dpkg --print-architecture).deb" "$x"
	readelf -h "$x/usr/sbin/ktrackctl" | grep -q 'Type:.*DYN'
	readelf -lW "$x/usr/sbin/ktrackctl" | grep -q GNU_RELRO
	readelf -dW "$x/usr/sbin/ktrackctl" | grep -q 'BIND_NOW'
	readelf -sW --dyn-syms "$x/usr/sbin/ktrackctl" | grep -q '__.*_chk'
}

@test "dkms.conf has a record for every module src/Kbuild builds (and one more when one is added)" {
	local d=$BATS_TEST_TMPDIR/conf
	mkdir -p "$d/src"
	cp "$TOP/dkms.conf" "$d/"
	cp "$TOP/src/Kbuild" "$d/src/"
	run bash -c '. "$1/dkms.conf"; echo "${BUILT_MODULE_NAME[*]} | ${BUILT_MODULE_LOCATION[*]} | $PACKAGE_VERSION"' _ "$d"
	echo "$output"
	[ "$output" = "ktrack xt_ktrack | src/ src/ | $VERSION" ]
	echo 'obj-m += ktrack_other.o' >> "$d/src/Kbuild"
	run bash -c '. "$1/dkms.conf"; echo "${BUILT_MODULE_NAME[*]} | ${BUILT_MODULE_LOCATION[*]}"' _ "$d"
	echo "$output"
	[ "$output" = "ktrack xt_ktrack ktrack_other | src/ src/ src/" ]
}

@test "dkms builds the packaged source against the installed headers, in a DKMS tree of its own" {
	local t=$BATS_TEST_TMPDIR/dkms kver
	kver=$("$TOP/scripts/kver")
	mkdir -p "$t/tree"
	dpkg-deb -x "$DEB/ktrack-dkms_${VERSION}_all.deb" "$t/root"
	ls /var/lib/dkms > "$t/before" 2>/dev/null || true
	export mok_signing_key=$t/mok.key mok_certificate=$t/mok.pub
	run dkms add -m ktrack -v "$VERSION" --sourcetree "$t/root/usr/src" --dkmstree "$t/tree"
	echo "$output"
	[ "$status" -eq 0 ]
	run dkms build -m ktrack -v "$VERSION" -k "$kver" --sourcetree "$t/root/usr/src" --dkmstree "$t/tree"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -f "$t/tree/ktrack/$VERSION/$kver/x86_64/module/ktrack.ko" ] ||
		[ -f "$t/tree/ktrack/$VERSION/$kver/x86_64/module/ktrack.ko.xz" ]
	modinfo -F vermagic "$t/tree/ktrack/$VERSION/$kver/x86_64/module/"ktrack.ko* | grep -q "^$kver "
	[ "$(ls /var/lib/dkms 2>/dev/null)" = "$(cat "$t/before")" ]
}

@test "lintian finds no error in the packages" {
	run lintian --tag-display-limit 0 "$DEB"/ktrack-dkms_"${VERSION}"_all.deb \
		"$DEB"/ktrackctl_"${VERSION}"_*.deb
	echo "$output"
	! grep -E '^E: ' <<<"$output"
}
