#include "experiments/harness/progress.h"

#include <cstdio>
#include <ostream>
#include <sstream>

namespace experiments {
namespace {

std::string clock_text(double seconds) {
  const auto s = static_cast<long long>(seconds);
  char text[32];
  std::snprintf(text, sizeof text, "%02lld:%02lld", s / 60, s % 60);
  return text;
}

}  // namespace

void draw_progress(std::ostream& out, const std::string& label, std::int64_t done, std::int64_t total,
                   const std::string& values, Clock::time_point start, std::int64_t done_at_start) {
  const int width = 24;
  const double fraction = total == 0 ? 1.0 : double(done) / double(total);
  const double elapsed = seconds_since(start);
  const std::int64_t done_here = done - done_at_start;
  const double eta = done_here > 0 ? elapsed * double(total - done) / double(done_here) : 0;
  std::string bar(static_cast<std::size_t>(fraction * width), '#');
  bar.resize(width, '.');
  out << "\r" << label << " [" << bar << "] " << done << "/" << total << " " << values << " | " << clock_text(elapsed)
      << " eta " << clock_text(eta) << "   " << std::flush;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace experiments
