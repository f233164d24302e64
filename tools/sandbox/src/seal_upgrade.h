#pragma once
// Sandboxes made before issue 18 hold seals whose maker signature covers
// SEQUENCE { eSealInfo, cert, signAlgID }. GB/T 38540-2020 §6.1 defines the
// signedValue over DER(SES_SealInfo) alone, so this host (and any conformant
// verifier) refuses those seals. `zhaoyin sandbox init` on such a sandbox
// re-issues them: the same SES_SealInfo bytes, the same maker certificate,
// signed again with the sandbox seal maker's key (authority/seal-maker.key),
// in seals/<esID>.seal and in every wallet that carries a copy.
#include <cstddef>
#include <filesystem>

namespace zhaoyin::sandbox {

// Returns how many seals were re-issued (0: every seal already verifies as
// §6.1 says, nothing was written). Throws SandboxError naming the file for a
// seal that verifies in neither form or was not made by this sandbox's seal
// maker: such a sandbox needs `init --force`.
std::size_t reissue_pre_standard_seals(const std::filesystem::path& dir);

}  // namespace zhaoyin::sandbox
