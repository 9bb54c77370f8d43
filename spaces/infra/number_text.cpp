#include "spaces/infra/number_text.h"

#include <sstream>

namespace spaces {

std::string fixed(double value, int digits) {
  std::ostringstream text;
  text.setf(std::ios::fixed);
  text.precision(digits);
  text << value;
  return text.str();
}

}  // namespace spaces
