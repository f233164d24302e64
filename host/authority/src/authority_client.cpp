#include "authority_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <istream>
#include <thread>
#include <zhaoyin/authority/signed_request.h>

namespace zhaoyin::authority {

AuthorityClient::AuthorityClient(ClientSettings settings, trust::Certificate host_certificate, trust::Sm2Key host_key)
    : settings_(std::move(settings)), host_certificate_(std::move(host_certificate)), host_key_(std::move(host_key)) {}

void AuthorityClient::pause(int attempt) const {
  // Exponential backoff: a restarting authority gets a moment, a dead one
  // does not hold the request for long (retries are few).
  std::this_thread::sleep_for(settings_.backoff * (1 << (attempt - 1)));
}

RawAnswer AuthorityClient::exchange(const std::string& url_or_path, bool sign) const {
  const bool absolute = url_or_path.rfind("http://", 0) == 0 || url_or_path.rfind("https://", 0) == 0;
  const std::string url = absolute ? url_or_path : settings_.base_url + url_or_path;
  try {
    const Poco::URI uri(url);
    if (uri.getScheme() != "http") throw FetchFailure("bad_url", "only http:// authority URLs are supported: " + url);
    const std::string target = uri.getPathEtc().empty() ? "/" : uri.getPathEtc();
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    const Poco::Timespan timeout(std::chrono::duration_cast<std::chrono::microseconds>(settings_.timeout).count());
    session.setTimeout(timeout, timeout, timeout);
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, target, Poco::Net::HTTPMessage::HTTP_1_1);
    if (sign)
      request.set("Authorization",
                  sign_request(host_certificate_, host_key_, "GET", target, "", std::chrono::system_clock::now()));
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    RawAnswer answer;
    answer.status = static_cast<int>(response.getStatus());
    answer.content_type = response.getContentType();
    answer.authority_signature = response.get("Authority-Signature", "");
    char buffer[8192];
    while (in) {
      in.read(buffer, sizeof buffer);
      answer.body.append(buffer, static_cast<std::size_t>(in.gcount()));
      if (answer.body.size() > settings_.max_answer_bytes)
        throw FetchFailure("too_large", "the answer to GET " + url + " is larger than " +
                                            std::to_string(settings_.max_answer_bytes) + " bytes");
    }
    return answer;
  } catch (const Poco::TimeoutException& e) {
    throw FetchFailure("timeout", "GET " + url + " timed out: " + e.displayText());
  } catch (const Poco::Exception& e) {
    throw FetchFailure("unreachable", "GET " + url + " failed: " + e.displayText());
  }
}

}  // namespace zhaoyin::authority
