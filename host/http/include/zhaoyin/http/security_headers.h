#pragma once
// Headers every response of the host carries, set by the edge
// (routing_factory.cpp) so that no page — admin, counter, public license
// page, login and signing pages, OpenID Connect pages, error pages — can be
// framed by another site (clickjacking) or sniffed into another type:
//
//   X-Frame-Options: DENY
//   Content-Security-Policy: frame-ancestors 'none'
//   X-Content-Type-Options: nosniff
//   Referrer-Policy: same-origin   (URLs carry ids and tokens: never sent to other sites)
//
// A handler may set its own Content-Security-Policy (the admin pages do, with
// script-src 'self'); if it leaves out frame-ancestors, the edge adds
// frame-ancestors 'none' to it just before the response goes out.
//
// Framing hook: nothing may be framed today, since no application registers
// origins allowed to embed a page. A page that gains such a registration
// (e.g. the login page, for an application's registered embedding origins)
// calls allow_framing_by(response, origins): its CSP then says
// frame-ancestors <origins> and X-Frame-Options (which cannot list origins)
// is dropped. An empty list leaves the page unframeable.
#include <Poco/Net/HTTPServerResponse.h>
#include <string>
#include <vector>

namespace zhaoyin::http {

// At the start of every request.
void set_default_security_headers(Poco::Net::HTTPServerResponse& response);

// Just before the response is sent: frame-ancestors is in the CSP whatever
// the handler set, and X-Frame-Options: DENY goes with frame-ancestors 'none'.
void ensure_frame_protection(Poco::Net::HTTPServerResponse& response);

// See above. `origins`: "https://host[:port]" values (anything else is ignored).
void allow_framing_by(Poco::Net::HTTPServerResponse& response, const std::vector<std::string>& origins);

}  // namespace zhaoyin::http
