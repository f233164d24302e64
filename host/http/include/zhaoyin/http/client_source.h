#pragma once
// Which address a request came from, for throttling (attempt_throttle.h).
//
// The peer of the TCP connection, unless that peer is one of the host's
// trusted reverse proxies (http.trusted_proxies): then the right-most address
// in X-Forwarded-For that is not itself a trusted proxy. A header sent by
// anyone else is ignored, so a client cannot pick its own source by writing
// X-Forwarded-For. IPv6 addresses count by their /64 (one customer's
// allocation: an attacker owns all of it), IPv4 addresses one by one.
#include <string>
#include <vector>
#include <zhaoyin/http/exchange.h>

namespace zhaoyin::http {

// `trusted_proxies`: literal IP addresses (as configured).
std::string client_source(Exchange& ex, const std::vector<std::string>& trusted_proxies);

// The throttling key of one address text: the canonical IPv4 text, the /64
// prefix of an IPv6 address ("2001:db8:1:2::/64"), IPv4-mapped IPv6 as IPv4;
// nullopt-like "" when `address` is not an IP address.
std::string source_key(const std::string& address);

}  // namespace zhaoyin::http
