#!/usr/bin/env bash
# A district's own certificate authority for hallhub, with the openssl tool:
#   bash tools/district_ca.sh ca  DIR                      # once: DIR/ca.key (keep offline), DIR/ca.pem (give to halls)
#   bash tools/district_ca.sh hub DIR NAME [DAYS]          # per hub: DIR/NAME.pem + DIR/NAME.key for `hallhub serve`
#   bash tools/district_ca.sh pin DIR/NAME.pem             # the key pin for `hallctl configure --pin`
# NAME is the hub's DNS name or IP address as halls write it in their hub URL
# (it goes into the certificate's subjectAltName). Keys are EC P-256, written
# mode 0600. See README, "TLS".
set -euo pipefail
umask 077

usage() { sed -n '2,8p' "$0" >&2; exit 2; }

case ${1:-} in
  ca)
    dir=${2:?$(usage)}
    mkdir -p "$dir"
    [ -e "$dir/ca.key" ] && { echo "district_ca: $dir/ca.key exists; refusing to replace the district's CA" >&2; exit 1; }
    openssl ecparam -name prime256v1 -genkey -noout -out "$dir/ca.key"
    openssl req -x509 -new -key "$dir/ca.key" -sha256 -days 3650 -subj "/CN=hallsync district CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$dir/ca.pem"
    chmod 644 "$dir/ca.pem"
    echo "district CA: $dir/ca.pem (give to halls: hallctl configure --ca-file); $dir/ca.key stays offline"
    ;;
  hub)
    dir=${2:?$(usage)} name=${3:?$(usage)} days=${4:-825}
    if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then san="IP:$name"; else san="DNS:$name"; fi
    openssl ecparam -name prime256v1 -genkey -noout -out "$dir/$name.key"
    openssl req -new -key "$dir/$name.key" -subj "/CN=$name" -out "$dir/$name.csr"
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
      "$san" >"$dir/$name.ext"
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -sha256 \
      -days "$days" -extfile "$dir/$name.ext" -out "$dir/$name.pem" 2>/dev/null
    rm -f "$dir/$name.csr" "$dir/$name.ext"
    chmod 644 "$dir/$name.pem"
    echo "hub certificate: $dir/$name.pem, key $dir/$name.key (hallhub serve --tls-cert ... --tls-key ...)"
    ;;
  pin)
    cert=${2:?$(usage)}
    printf 'sha256//%s\n' "$(openssl x509 -in "$cert" -pubkey -noout | openssl pkey -pubin -outform der |
      openssl dgst -sha256 -binary | openssl enc -base64)"
    ;;
  *) usage ;;
esac
