#include "experiments/archive/run_archive.h"

#include <algorithm>
#include <filesystem>

namespace experiments {
namespace {

std::vector<H5Table::Column> arch_columns(std::size_t num_tokens) {
  using K = H5Table::Kind;
  return {{"epoch", K::kInt},
          {"step", K::kInt},
          {"tokens", K::kIntRow, num_tokens},
          {"phase", K::kString},
          {"controller", K::kString},
          {"canonical", K::kString},
          {"reward", K::kFloat},
          {"valid_accuracy", K::kFloat}};
}

std::vector<H5Table::Column> update_columns() {
  using K = H5Table::Kind;
  return {{"epoch", K::kInt},         {"step", K::kInt},       {"loss", K::kFloat},
          {"mean_reward", K::kFloat}, {"baseline", K::kFloat}, {"entropy", K::kFloat}};
}

std::vector<H5Table::Column> stage_row_columns(std::size_t num_tokens) {
  using K = H5Table::Kind;
  return {{"stage", K::kInt},
          {"tokens", K::kIntRow, num_tokens},
          {"canonical", K::kString},
          {"predicted_mean", K::kFloat},
          {"predicted_spread", K::kFloat},
          {"measured", K::kFloat}};
}

std::vector<H5Table::Column> stage_summary_columns() {
  using K = H5Table::Kind;
  return {{"stage", K::kInt},
          {"candidates", K::kInt},
          {"surrogate_loss", K::kFloat},
          {"spearman", K::kFloat},
          {"kendall", K::kFloat},
          {"reconstruction_accuracy", K::kFloat},
          {"valid_rate", K::kFloat}};
}

std::vector<H5Table::Column> generated_columns(std::size_t num_tokens) {
  using K = H5Table::Kind;
  return {{"stage", K::kInt},
          {"tokens", K::kIntRow, num_tokens},
          {"parent_tokens", K::kIntRow, num_tokens},
          {"canonical", K::kString},
          {"parent_canonical", K::kString},
          {"step_size", K::kFloat},
          {"predicted", K::kFloat},
          {"predicted_improvement", K::kFloat}};
}

}  // namespace

std::unique_ptr<RunArchive> RunArchive::create(const std::string& path, const std::string& space_spec,
                                               std::size_t num_tokens, const std::string& config_toml) {
  H5::Exception::dontPrint();  // failures become ArchiveErrors with their own message
  if (std::filesystem::exists(path))
    throw ArchiveError(path + ": already exists; resume it or choose another run directory");
  try {
    H5::H5File file(path, H5F_ACC_EXCL);
    H5::Attribute version =
        file.createAttribute("layout_version", H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR));
    version.write(H5::PredType::NATIVE_INT64, &kLayoutVersion);
    write_text_attribute(file, "space", space_spec);
    write_text_attribute(file, "config", config_toml);
    auto archive = with_tables(std::move(file), num_tokens, true);
    archive->file_.flush(H5F_SCOPE_GLOBAL);
    return archive;
  } catch (const H5::Exception& e) {
    throw ArchiveError(path + ": cannot create the run archive: " + e.getDetailMsg());
  }
}

std::unique_ptr<RunArchive> RunArchive::open(const std::string& path, const std::string& space_spec,
                                             std::size_t num_tokens) {
  H5::Exception::dontPrint();
  if (!std::filesystem::exists(path)) throw ArchiveError(path + ": no such run archive");
  if (H5::H5File::isHdf5(path) <= 0) throw ArchiveError(path + ": not an HDF5 file");
  try {
    H5::H5File file(path, H5F_ACC_RDWR);
    check_layout(file, "layout_version", kLayoutVersion, path, "run archive");
    const std::string space = read_text_attribute(file, "space", path);
    if (space != space_spec)
      throw ArchiveError(path + ": records space " + space + ", the config asks for " + space_spec);
    return with_tables(std::move(file), num_tokens, false);
  } catch (const H5::Exception& e) {
    throw ArchiveError(path + ": unreadable run archive: " + e.getDetailMsg());
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const ArchiveError*>(&e) != nullptr) throw;
    throw ArchiveError(e.what());
  }
}

std::unique_ptr<RunArchive> RunArchive::with_tables(H5::H5File file, std::size_t num_tokens, bool create) {
  const auto table = [&](const std::string& group, const std::vector<H5Table::Column>& columns) {
    return create ? H5Table::create(file, group, columns) : H5Table::open(file, group, columns);
  };
  H5Table archs = table("archs", arch_columns(num_tokens));
  H5Table updates = table("controller", update_columns());
  H5Table stage_rows = table("stages", stage_row_columns(num_tokens));
  H5Table stage_summaries = table("stage_summary", stage_summary_columns());
  H5Table generated = table("generated", generated_columns(num_tokens));
  return std::unique_ptr<RunArchive>(new RunArchive(std::move(file), std::move(archs), std::move(updates),
                                                    std::move(stage_rows), std::move(stage_summaries),
                                                    std::move(generated)));
}

void RunArchive::append(const std::vector<SampledArch>& archs, const std::vector<ControllerRecord>& updates) {
  H5Table::Rows a;
  a.ints.resize(3);
  a.strings.resize(3);
  a.floats.resize(2);
  for (const SampledArch& s : archs) {
    a.ints[0].push_back(s.epoch);
    a.ints[1].push_back(s.step);
    a.ints[2].insert(a.ints[2].end(), s.tokens.begin(), s.tokens.end());
    a.strings[0].push_back(s.phase);
    a.strings[1].push_back(s.controller);
    a.strings[2].push_back(s.canonical);
    a.floats[0].push_back(s.reward);
    a.floats[1].push_back(s.valid_accuracy);
  }
  archs_.append(a);
  H5Table::Rows u;
  u.ints.resize(2);
  u.floats.resize(4);
  for (const ControllerRecord& r : updates) {
    u.ints[0].push_back(r.epoch);
    u.ints[1].push_back(r.step);
    u.floats[0].push_back(r.loss);
    u.floats[1].push_back(r.mean_reward);
    u.floats[2].push_back(r.baseline);
    u.floats[3].push_back(r.entropy);
  }
  updates_.append(u);
  file_.flush(H5F_SCOPE_GLOBAL);
}

void RunArchive::append_stages(const std::vector<StageRow>& rows, const std::vector<StageSummary>& summaries,
                               const std::vector<GeneratedRow>& generated) {
  H5Table::Rows r;
  r.ints.resize(2);
  r.strings.resize(1);
  r.floats.resize(3);
  for (const StageRow& row : rows) {
    r.ints[0].push_back(row.stage);
    r.ints[1].insert(r.ints[1].end(), row.tokens.begin(), row.tokens.end());
    r.strings[0].push_back(row.canonical);
    r.floats[0].push_back(row.predicted_mean);
    r.floats[1].push_back(row.predicted_spread);
    r.floats[2].push_back(row.measured);
  }
  stage_rows_.append(r);
  H5Table::Rows s;
  s.ints.resize(2);
  s.floats.resize(5);
  for (const StageSummary& summary : summaries) {
    s.ints[0].push_back(summary.stage);
    s.ints[1].push_back(summary.candidates);
    s.floats[0].push_back(summary.surrogate_loss);
    s.floats[1].push_back(summary.spearman);
    s.floats[2].push_back(summary.kendall);
    s.floats[3].push_back(summary.reconstruction_accuracy);
    s.floats[4].push_back(summary.valid_rate);
  }
  stage_summaries_.append(s);
  H5Table::Rows g;
  g.ints.resize(3);
  g.strings.resize(2);
  g.floats.resize(3);
  for (const GeneratedRow& row : generated) {
    g.ints[0].push_back(row.stage);
    g.ints[1].insert(g.ints[1].end(), row.tokens.begin(), row.tokens.end());
    g.ints[2].insert(g.ints[2].end(), row.parent_tokens.begin(), row.parent_tokens.end());
    g.strings[0].push_back(row.canonical);
    g.strings[1].push_back(row.parent_canonical);
    g.floats[0].push_back(row.step_size);
    g.floats[1].push_back(row.predicted);
    g.floats[2].push_back(row.predicted_improvement);
  }
  generated_.append(g);
  file_.flush(H5F_SCOPE_GLOBAL);
}

RunArchive::RowCounts RunArchive::counts() const {
  return {archs_.size(), updates_.size(), stage_rows_.size(), stage_summaries_.size(), generated_.size()};
}

void RunArchive::truncate(const RowCounts& counts) {
  archs_.truncate(counts.archs);
  updates_.truncate(counts.updates);
  stage_rows_.truncate(counts.stage_rows);
  stage_summaries_.truncate(counts.stages);
  generated_.truncate(counts.generated);
  file_.flush(H5F_SCOPE_GLOBAL);
}

std::string RunArchive::config() const { return read_text_attribute(file_, "config", file_.getFileName()); }

SearchOutcome read_search_outcome(const std::string& path) {
  H5::Exception::dontPrint();
  if (!std::filesystem::exists(path)) throw ArchiveError(path + ": no such run archive");
  if (H5::H5File::isHdf5(path) <= 0) throw ArchiveError(path + ": not an HDF5 file");
  try {
    H5::H5File file(path, H5F_ACC_RDONLY);
    check_layout(file, "layout_version", RunArchive::kLayoutVersion, path, "run archive");
    SearchOutcome outcome;
    outcome.space = read_text_attribute(file, "space", path);
    outcome.config = read_text_attribute(file, "config", path);
    const H5::DataSet tokens = file.openDataSet("archs/tokens");
    hsize_t dims[2] = {0, 0};
    tokens.getSpace().getSimpleExtentDims(dims);
    const H5Table::Rows rows = H5Table::open(file, "archs", arch_columns(dims[1])).read();
    const std::vector<std::int64_t>& all_tokens = rows.ints[2];
    for (std::size_t i = 0; i < rows.strings[0].size(); ++i) {
      if (rows.strings[0][i] != "final") continue;
      const auto first = all_tokens.begin() + static_cast<std::ptrdiff_t>(i * dims[1]);
      outcome.final_archs.push_back({std::vector<std::int64_t>(first, first + static_cast<std::ptrdiff_t>(dims[1])),
                                     rows.strings[2][i], rows.floats[1][i]});
    }
    std::stable_sort(outcome.final_archs.begin(), outcome.final_archs.end(),
                     [](const FinalArch& a, const FinalArch& b) { return a.valid_accuracy > b.valid_accuracy; });
    return outcome;
  } catch (const H5::Exception& e) {
    throw ArchiveError(path + ": unreadable run archive: " + e.getDetailMsg());
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const ArchiveError*>(&e) != nullptr) throw;
    throw ArchiveError(e.what());
  }
}

}  // namespace experiments
