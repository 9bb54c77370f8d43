#include "experiments/archive/archive_contents.h"

#include "experiments/archive/train_archive.h"

namespace experiments {

ArchiveContents read_archive_contents(const std::string& path) {
  check_hdf5_file(path, "run archive");
  return archive_errors(path, [&] {
    H5::H5File file = open_checksummed_file(path, H5F_ACC_RDONLY);
    ArchiveContents contents;
    if (!file.attrExists("kind")) throw ArchiveError(path + ": not a run archive (no kind)");
    contents.kind = read_text_attribute(file, "kind", path);
    if (contents.kind == "search") {
      check_layout(file, "layout_version", RunArchive::kLayoutVersion, path, "search run archive");
    } else if (contents.kind == "train") {
      check_layout(file, "layout_version", TrainArchive::kLayoutVersion, path, "training run archive");
      contents.arch = read_text_attribute(file, "arch", path);
    } else {
      throw ArchiveError(path + ": a run archive of unknown kind '" + contents.kind + "'");
    }
    contents.space = read_text_attribute(file, "space", path);
    contents.config = read_text_attribute(file, "config", path);
    H5::Group root = file.openGroup("/");
    for (hsize_t i = 0; i < root.getNumObjs(); ++i) {
      const std::string name = root.getObjnameByIdx(i);
      if (root.childObjType(name) == H5O_TYPE_GROUP)
        contents.tables.emplace(name, read_columns(H5Table::open(file, name)));
    }
    return contents;
  });
}

}  // namespace experiments
