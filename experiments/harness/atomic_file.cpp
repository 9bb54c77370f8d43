#include "experiments/harness/atomic_file.h"

#include <fstream>
#include <stdexcept>

namespace experiments {

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    if (!file) throw std::runtime_error("cannot write " + temporary.string());
    file << text;
    file.flush();
    if (!file) throw std::runtime_error("cannot write " + temporary.string() + " (disk full?)");
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace experiments
