#include "controllers/stage_record_text.h"

#include <sstream>
#include <stdexcept>

namespace controllers {
namespace {

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, separator)) fields.push_back(field);
  return fields;
}

spaces::Arch read_arch(const std::string& tokens, const spaces::SpacePtr& space) {
  spaces::Arch arch = space->make_arch(spaces::split_tokens(tokens, space->spec()));
  space->validate(arch);
  return arch;
}

}  // namespace

std::string stages_to_text(const std::vector<StageRecord>& stages, const std::vector<std::int64_t>& open_ids) {
  std::string text;
  const auto field = [&text](const std::string& value) { text.append("\t").append(value); };
  for (std::size_t s = 0; s < stages.size(); ++s) {
    const StageRecord& stage = stages[s];
    text.append("stage");
    field(std::to_string(stage.stage));
    field(std::to_string(stage.candidates));
    for (double v :
         {stage.surrogate_loss, stage.spearman, stage.kendall, stage.reconstruction_accuracy, stage.valid_rate}) {
      field(spaces::round_trip_text(v));
    }
    text.append("\n");
    for (std::size_t i = 0; i < stage.cells.size(); ++i) {
      text.append("cell");
      field(spaces::join_tokens(stage.cells[i].tokens));
      for (double v : {stage.predicted_mean[i], stage.predicted_spread[i], stage.measured[i]})
        field(spaces::round_trip_text(v));
      field(std::to_string(s + 1 == stages.size() ? open_ids.at(i) : -1));
      text.append("\n");
    }
    for (const GeneratedArch& g : stage.generated) {
      text.append("generated");
      field(spaces::join_tokens(g.arch.tokens));
      field(g.parent.tokens.empty() ? "-" : spaces::join_tokens(g.parent.tokens));
      for (double v : {g.step_size, g.predicted, g.predicted_improvement}) field(spaces::round_trip_text(v));
      text.append("\n");
    }
  }
  return text;
}

std::vector<StageRecord> stages_from_text(const std::string& text,
                                          const std::function<spaces::SpacePtr(std::int64_t stage)>& space_of_stage,
                                          std::vector<std::int64_t>& open_ids) {
  std::vector<StageRecord> stages;
  open_ids.clear();
  std::istringstream lines(text);
  std::string line;
  spaces::SpacePtr space;
  while (std::getline(lines, line)) {
    const std::vector<std::string> f = split(line, '\t');
    if (f.size() == 8 && f[0] == "stage") {
      StageRecord stage;
      stage.stage = std::stoll(f[1]);
      stage.candidates = std::stoll(f[2]);
      stage.surrogate_loss = std::stod(f[3]);
      stage.spearman = std::stod(f[4]);
      stage.kendall = std::stod(f[5]);
      stage.reconstruction_accuracy = std::stod(f[6]);
      stage.valid_rate = std::stod(f[7]);
      space = space_of_stage(stage.stage);
      stages.push_back(std::move(stage));
      open_ids.clear();
    } else if (f.size() == 6 && f[0] == "cell" && !stages.empty()) {
      StageRecord& stage = stages.back();
      stage.cells.push_back(read_arch(f[1], space));
      stage.predicted_mean.push_back(std::stod(f[2]));
      stage.predicted_spread.push_back(std::stod(f[3]));
      stage.measured.push_back(std::stod(f[4]));
      open_ids.push_back(std::stoll(f[5]));
    } else if (f.size() == 6 && f[0] == "generated" && !stages.empty()) {
      GeneratedArch g;
      g.arch = read_arch(f[1], space);
      if (f[2] != "-") g.parent = read_arch(f[2], space);
      g.step_size = std::stod(f[3]);
      g.predicted = std::stod(f[4]);
      g.predicted_improvement = std::stod(f[5]);
      stages.back().generated.push_back(std::move(g));
    } else {
      throw std::invalid_argument("unreadable stage line '" + line + "'");
    }
  }
  return stages;
}

}  // namespace controllers
