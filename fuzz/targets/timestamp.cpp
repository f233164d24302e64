// RFC 3161 time-stamp messages from the network and from signatures: the
// TimeStampResp a TSA answers the host with, the token inside it (CMS
// SignedData over TSTInfo) that also travels in a SES_Signature's timeStamp,
// and the TimeStampReq the sandbox TSA reads. Each parser answers or throws
// TrustError; the verifier never throws.
#include <cstddef>
#include <cstdint>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/timestamp.h>

using namespace zhaoyin::trust;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes input(data, data + size);
  try {
    const auto response = parse_timestamp_response(input);
    if (response.token) (void)verify_timestamp_token(*response.token, input, TrustStore{});
    (void)encode_timestamp_response(response);
  } catch (const TrustError&) {
  }
  try {
    (void)parse_timestamp_token(input);
  } catch (const TrustError&) {
  }
  (void)verify_timestamp_token(input, input, TrustStore{});
  try {
    (void)encode_timestamp_request(parse_timestamp_request(input));
  } catch (const TrustError&) {
  }
  return 0;
}
