# The kernel's PE/Authenticode digest from `tdverity-verify expect` equals the one
# osslsigncode (an independent Authenticode implementation) calculates: SHA-256 on the
# distribution-signed kernel, SHA-384 after re-signing it with a throwaway key; and the
# digest does not depend on the signature (signed, unsigned, re-signed: same value).
. "$(dirname "$0")/../lib.sh"
need_cmd osslsigncode openssl jq
kernel=
for k in ${TDV_KERNEL:-} /boot/vmlinuz-* /var/cache/tdverity/kernel/*/vmlinuz; do
	[ -f "$k" ] && [ -r "$k" ] && { kernel=$k; break; }
done
[ -n "$kernel" ] || skip "no kernel image (/boot/vmlinuz-*, scripts/fetch-kernel.sh cache, \$TDV_KERNEL)"
info "kernel: $kernel"

ours() { # file alg
	"$VERIFY_BIN" expect --kernel "$1" --json | jq -r ".events[0].$2"
}
calculated() { # file: osslsigncode's first "Calculated message digest" (lower case)
	# verify exits non-zero for an untrusted signer; only its digest lines matter here.
	osslsigncode verify -in "$1" >"$T/verify.out" 2>&1 || true
	sed -n 's/^Calculated message digest *: *\([0-9A-Fa-f]*\).*/\1/p' "$T/verify.out" |
		sed -n 1p | tr 'A-F' 'a-f'
}

osslsigncode verify -in "$kernel" >"$T/dist.out" 2>&1 || true
if grep -q '^Message digest algorithm *: *SHA256' "$T/dist.out"; then
	assert_eq "$(ours "$kernel" sha256)" "$(calculated "$kernel")" "SHA-256 of the signed kernel"
	info "distribution signature: SHA-256 digest agrees"
fi

osslsigncode remove-signature -in "$kernel" -out "$T/unsigned.efi" >/dev/null 2>&1 ||
	cp "$kernel" "$T/unsigned.efi"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
	-subj /CN=tdverity-test >/dev/null 2>&1 || fail "openssl req failed"
osslsigncode sign -h sha384 -certs "$T/cert.pem" -key "$T/key.pem" -in "$T/unsigned.efi" \
	-out "$T/signed384.efi" >/dev/null || fail "osslsigncode sign failed"
want=$(calculated "$T/signed384.efi")
[ ${#want} = 96 ] || fail "osslsigncode printed no SHA-384 digest"
assert_eq "$(ours "$T/signed384.efi" sha384)" "$want" "SHA-384 of the re-signed kernel"
# osslsigncode pads an unaligned file before signing; only compare when it did not have to.
if [ $(($(stat -c %s "$T/unsigned.efi") % 8)) = 0 ]; then
	assert_eq "$(ours "$T/unsigned.efi" sha384)" "$want" "SHA-384 of the unsigned kernel"
	assert_eq "$(ours "$kernel" sha384)" "$want" "SHA-384 of the distribution-signed kernel"
fi

# One flipped byte inside a section changes the digest.
cp "$T/unsigned.efi" "$T/flipped.efi"
printf '\x5a' | dd of="$T/flipped.efi" bs=1 seek=$(($(stat -c %s "$T/flipped.efi") / 2)) conv=notrunc 2>/dev/null
[ "$(ours "$T/flipped.efi" sha384)" != "$want" ] || fail "a flipped byte left the digest unchanged"
info "SHA-384 digest agrees with osslsigncode: $want"
