#include "experiments/archive/train_archive.h"

#include <filesystem>

namespace experiments {
namespace {

std::vector<H5Table::Column> epoch_columns() {
  using K = H5Table::Kind;
  return {{"epoch", K::kInt},       {"train_loss", K::kFloat},    {"train_accuracy", K::kFloat},
          {"test_loss", K::kFloat}, {"test_accuracy", K::kFloat}, {"lr", K::kFloat},
          {"drop_path", K::kFloat}, {"seconds", K::kFloat}};
}

}  // namespace

std::unique_ptr<TrainArchive> TrainArchive::create(const std::string& path, const std::string& space_spec,
                                                   const std::string& arch_text, const std::string& config_toml) {
  H5::Exception::dontPrint();
  if (std::filesystem::exists(path))
    throw ArchiveError(path + ": already exists; resume it or choose another run directory");
  try {
    H5::H5File file = create_checksummed_file(path);
    write_int64_attribute(file, "layout_version", kLayoutVersion);
    write_text_attribute(file, "kind", "train");
    write_text_attribute(file, "space", space_spec);
    write_text_attribute(file, "arch", arch_text);
    write_text_attribute(file, "config", config_toml);
    H5Table epochs = H5Table::create(file, "epochs", epoch_columns());
    file.flush(H5F_SCOPE_GLOBAL);
    return std::unique_ptr<TrainArchive>(new TrainArchive(std::move(file), std::move(epochs)));
  } catch (const H5::Exception& e) {
    throw ArchiveError(path + ": cannot create the run archive: " + e.getDetailMsg());
  }
}

std::unique_ptr<TrainArchive> TrainArchive::open(const std::string& path, const std::string& space_spec,
                                                 const std::string& arch_text) {
  check_hdf5_file(path, "run archive");
  try {
    H5::H5File file = open_checksummed_file(path, H5F_ACC_RDWR);
    check_layout(file, "layout_version", kLayoutVersion, path, "training run archive");
    if (read_text_attribute(file, "kind", path) != "train") throw ArchiveError(path + ": not a training run archive");
    const std::string space = read_text_attribute(file, "space", path);
    const std::string arch = read_text_attribute(file, "arch", path);
    if (space != space_spec || arch != arch_text) {
      throw ArchiveError(path + ": records " + space + " architecture '" + arch + "', not '" + arch_text + "'");
    }
    H5Table epochs = H5Table::open(file, "epochs", epoch_columns());
    return std::unique_ptr<TrainArchive>(new TrainArchive(std::move(file), std::move(epochs)));
  } catch (const H5::Exception& e) {
    throw ArchiveError(path + ": unreadable run archive: " + e.getDetailMsg());
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const ArchiveError*>(&e) != nullptr) throw;
    throw ArchiveError(e.what());
  }
}

void TrainArchive::append(const EpochRecord& r) {
  H5Table::Rows rows;
  rows.ints = {{r.epoch}};
  rows.floats = {{r.train_loss}, {r.train_accuracy}, {r.test_loss}, {r.test_accuracy},
                 {r.lr},         {r.drop_path},      {r.seconds}};
  epochs_.append(rows);
  file_.flush(H5F_SCOPE_GLOBAL);
}

void TrainArchive::truncate(std::size_t rows) {
  epochs_.truncate(rows);
  file_.flush(H5F_SCOPE_GLOBAL);
}

std::vector<EpochRecord> TrainArchive::read() const {
  const H5Table::Rows rows = epochs_.read();
  std::vector<EpochRecord> records(rows.ints[0].size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    records[i] = {rows.ints[0][i],   rows.floats[0][i], rows.floats[1][i], rows.floats[2][i],
                  rows.floats[3][i], rows.floats[4][i], rows.floats[5][i], rows.floats[6][i]};
  }
  return records;
}

std::string TrainArchive::config() const { return read_text_attribute(file_, "config", file_.getFileName()); }

void TrainArchive::set_config(const std::string& config_toml) { replace_archive_config(file_, config_toml); }

}  // namespace experiments
