// Test-only certificates, made with OpenSSL's API at run time (no fixed files
// that expire in the repository): a CA and a hub certificate it signs, with
// the host names, addresses and validity period a test asks for — including
// ones already expired or not yet valid, which the openssl tool cannot make.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace hallsync::test {

struct CertSpec {
  std::string common_name = "hallhub test";
  std::string subject_alt_names = "DNS:localhost,IP:127.0.0.1";  // as in openssl's subjectAltName
  long valid_from_days = -1;  // relative to now
  long valid_until_days = 30;
};

// Files written by make_test_pki: the CA a hall would trust, and the hub's
// certificate (signed by that CA) and private key.
struct TestPki {
  std::string ca_file, cert_file, key_file;
};

namespace certs_detail {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

inline void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificate: ") + what + " failed");
}

inline void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  require(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// Signed by `issuer_key` as `issuer` (itself when issuer is null).
inline Cert make_cert(EVP_PKEY* key, const CertSpec& spec, long serial, bool is_ca, X509* issuer, EVP_PKEY* issuer_key) {
  Cert cert(X509_new());
  require(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.valid_from_days * 86400L);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.valid_until_days * 86400L);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(spec.common_name.c_str()),
                             -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (is_ca) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), signer, NID_subject_alt_name, spec.subject_alt_names);
  }
  require(X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

inline void write_cert(const std::string& path, X509* cert) {
  BIO* out = BIO_new_file(path.c_str(), "w");
  require(out != nullptr && PEM_write_bio_X509(out, cert) == 1, "writing a certificate");
  BIO_free(out);
}

inline void write_key(const std::string& path, EVP_PKEY* key) {
  BIO* out = BIO_new_file(path.c_str(), "w");
  require(out != nullptr && PEM_write_bio_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "writing a key");
  BIO_free(out);
}

}  // namespace certs_detail

// Writes `prefix`ca.pem, `prefix`hub.pem and `prefix`hub.key (EC P-256): a
// CA valid for a year and a hub certificate as `hub` says.
inline TestPki make_test_pki(const std::string& prefix, const CertSpec& hub = {}) {
  using namespace certs_detail;
  Key ca_key(EVP_EC_gen("P-256")), hub_key(EVP_EC_gen("P-256"));
  require(ca_key && hub_key, "EVP_EC_gen");
  CertSpec ca_spec;
  // A name of its own: a second CA with the same name would be tried as the
  // issuer and fail on the signature, a different error from "unknown CA".
  static int made = 0;
  ca_spec.common_name = "Ganxian district test CA " + std::to_string(++made);
  ca_spec.valid_from_days = -3650;  // older than any hub certificate a test makes
  ca_spec.valid_until_days = 3650;
  Cert ca = make_cert(ca_key.get(), ca_spec, 1, true, nullptr, nullptr);
  Cert leaf = make_cert(hub_key.get(), hub, 2, false, ca.get(), ca_key.get());
  TestPki pki{prefix + "ca.pem", prefix + "hub.pem", prefix + "hub.key"};
  write_cert(pki.ca_file, ca.get());
  write_cert(pki.cert_file, leaf.get());
  write_key(pki.key_file, hub_key.get());
  return pki;
}

// The pin of a certificate's public key as curl and `hallctl configure --pin`
// take it: "sha256//" + base64 of the SHA-256 of the key's DER encoding.
inline std::string public_key_pin(const std::string& cert_file) {
  using namespace certs_detail;
  BIO* in = BIO_new_file(cert_file.c_str(), "r");
  require(in != nullptr, "opening a certificate");
  Cert cert(PEM_read_bio_X509(in, nullptr, nullptr, nullptr));
  BIO_free(in);
  require(cert != nullptr, "reading a certificate");
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(X509_get0_pubkey(cert.get()), &der);
  require(len > 0, "encoding a public key");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<std::size_t>(len), digest);
  OPENSSL_free(der);
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, digest, SHA256_DIGEST_LENGTH);
  return "sha256//" + std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n));
}

}  // namespace hallsync::test
