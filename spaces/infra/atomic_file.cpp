#include "spaces/infra/atomic_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace spaces {

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  std::string temporary = path.string() + ".tmp.XXXXXX";
  const int fd = mkstemp(temporary.data());
  if (fd < 0) throw std::runtime_error("cannot write " + temporary + ": " + std::strerror(errno));
  const auto fail = [&](const std::string& reason) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw std::runtime_error("cannot write " + temporary + ": " + reason);
  };
  for (std::size_t written = 0; written < text.size();) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(std::strerror(errno));
    written += static_cast<std::size_t>(n);
  }
  // mkstemp creates 0600; a written file gets the usual permissions (0644 under the usual umask).
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0) fail(std::strerror(errno));
  if (::close(fd) != 0) {
    ::unlink(temporary.c_str());
    throw std::runtime_error("cannot write " + temporary + ": " + std::strerror(errno));
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    ::unlink(temporary.c_str());
    throw std::runtime_error("cannot write " + path.string() + ": " + error.message());
  }
}

}  // namespace spaces
