/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intel SGX Root CA, production: the public certificate every genuine PCK chain (and the
 * TCB signing and CRL issuer chains) ends in.  Data, not code.
 *
 *   Subject  CN=Intel SGX Root CA, O=Intel Corporation, L=Santa Clara, ST=CA, C=US
 *   Serial   22650CD65A9D3489F383B49552BF501B392706AC
 *   Valid    2018-05-21 10:45:10Z .. 2049-12-31 23:59:59Z
 *   SPKI SHA-256  a0af031289f5d5d4132f9186068a7fc13628633ba235777472e29b6b6c67a49e
 *
 * tests/unit/test-quote-appraise.c checks that this copy is byte-identical (DER) to the root
 * of the real chains in the shared test data, and that its SPKI hash is the one above.
 */
#include "host/intel-root-ca.h"

const char intel_sgx_root_ca_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIICjzCCAjSgAwIBAgIUImUM1lqdNInzg7SVUr9QGzknBqwwCgYIKoZIzj0EAwIw\n"
	"aDEaMBgGA1UEAwwRSW50ZWwgU0dYIFJvb3QgQ0ExGjAYBgNVBAoMEUludGVsIENv\n"
	"cnBvcmF0aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJ\n"
	"BgNVBAYTAlVTMB4XDTE4MDUyMTEwNDUxMFoXDTQ5MTIzMTIzNTk1OVowaDEaMBgG\n"
	"A1UEAwwRSW50ZWwgU0dYIFJvb3QgQ0ExGjAYBgNVBAoMEUludGVsIENvcnBvcmF0\n"
	"aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJBgNVBAYT\n"
	"AlVTMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEC6nEwMDIYZOj/iPWsCzaEKi7\n"
	"1OiOSLRFhWGjbnBVJfVnkY4u3IjkDYYL0MxO4mqsyYjlBalTVYxFP2sJBK5zlKOB\n"
	"uzCBuDAfBgNVHSMEGDAWgBQiZQzWWp00ifODtJVSv1AbOScGrDBSBgNVHR8ESzBJ\n"
	"MEegRaBDhkFodHRwczovL2NlcnRpZmljYXRlcy50cnVzdGVkc2VydmljZXMuaW50\n"
	"ZWwuY29tL0ludGVsU0dYUm9vdENBLmRlcjAdBgNVHQ4EFgQUImUM1lqdNInzg7SV\n"
	"Ur9QGzknBqwwDgYDVR0PAQH/BAQDAgEGMBIGA1UdEwEB/wQIMAYBAf8CAQEwCgYI\n"
	"KoZIzj0EAwIDSQAwRgIhAOW/5QkR+S9CiSDcNoowLuPRLsWGf/Yi7GSX94BgwTwg\n"
	"AiEA4J0lrHoMs+Xo5o/sX6O9QWxHRAvZUGOdRQ7cvqRXaqI=\n"
	"-----END CERTIFICATE-----\n";
