#pragma once
// The last step of a PDF signature, seal or license alike: the prepared
// incremental update (stored when the wallet asked to prepare) gets the
// signature's bytes in the /Contents it reserved.
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/pdf/pdf_signing.h>
#include <zhaoyin/trust/bytes.h>

#include "sign_repository.h"
#include "sign_task.h"

namespace zhaoyin::signing {

// The task's prepared PDF with `contents` (DER SES_Signature or CMS) in the
// field `prep` reserved. 422 with the PDF's own code when it does not fit.
inline trust::Bytes complete_prepared_pdf(const SignRepository& repo, const SignTask& task, const Preparation& prep,
                                          const trust::Bytes& contents) {
  pdf::PreparedSignature prepared;
  prepared.pdf = repo.prepared_document(task.id).value_or(trust::Bytes{});
  prepared.byte_range = prep.byte_range;
  prepared.contents_offset = prep.contents_offset;
  prepared.contents_capacity = prep.contents_capacity;
  prepared.digest = trust::hex_decode(prep.data_hash);
  prepared.field_name = prep.field_name;
  try {
    return pdf::complete_signature(prepared, contents);
  } catch (const pdf::PdfError& e) {
    throw http::ApiError(422, e.code(), e.what());
  }
}

}  // namespace zhaoyin::signing
