// Service guide (办事指南) per matter, from the catalog: the public promise of
// the 服务承诺制 — materials, steps, promised and legal time, fee basis — laid
// out with the documents' layout so text and HTML print alike.
#pragma once

#include <string>

#include "client/domain/documents.h"
#include "client/domain/matter_catalog.h"

namespace hallsync::client {

// The catalog (附件2 of the seed) carries no acceptance conditions and no fee
// basis; those lines say so and point to the window rather than invent them.
DocumentLayout service_guide_layout(const Matter& matter, const std::string& hall_code, CivilDate issued_on);

}  // namespace hallsync::client
