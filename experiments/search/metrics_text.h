#pragma once
// Named metrics as one line of text, for checkpoints: "accuracy=0.5,loss=1.2",
// each value written so that it reads back exactly.

#include <string>

#include "controllers/controller.h"

namespace experiments {

std::string metrics_text(const controllers::Metrics& metrics);
// Throws std::invalid_argument naming an item without '=' or with a value
// that is not a number.
controllers::Metrics metrics_from_text(const std::string& text);

}  // namespace experiments
