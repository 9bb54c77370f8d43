#pragma once
// What the run archive and the checkpoints both need of HDF5: the error
// type that names the file, the UTF-8 string type, scalar attributes, and
// the layout-version check every file of ours carries.

#include <H5Cpp.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace experiments {

// A run archive or checkpoint that is missing, foreign, of another layout
// or unreadable; the message names the file and what is wrong.
class ArchiveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Variable-length UTF-8 strings.
H5::StrType utf8_text_type();

void write_int64_attribute(H5::H5Object& object, const std::string& name, std::int64_t value);
// Before opening an HDF5 file a user named: ArchiveError "PATH: no such
// WHAT" when it is missing, "PATH: not an HDF5 file (a torn or foreign
// WHAT?)" when it is something else; HDF5's own error printing is off.
void check_hdf5_file(const std::string& path, const std::string& what);

// The "config" attribute of the run archive at `path` (a search's or a
// training's), read-only; ArchiveError naming the file when it is missing,
// not HDF5 or has no config.
std::string read_archive_config(const std::string& path);

// Replaces the "config" attribute of an archive open for writing and
// flushes (a resume that changed settings); ArchiveError naming the file.
void replace_archive_config(H5::H5File& file, const std::string& config_toml);

// The extent of `dataset`, one entry per dimension, once checked against
// what the file stores: a torn or foreign file can announce any extent, and
// no reader may allocate an announcement. Throws ArchiveError naming `where`
// when the dataset does not have `rank` dimensions (rank < 0: any), when
// its size overflows 64 bits, or when it stores fewer bytes than its extent
// needs (elements x element size, counting at most 8 bytes an element).
std::vector<hsize_t> stored_extent(const H5::DataSet& dataset, const std::string& where, int rank = -1);

// Creates the attribute, or replaces it where it exists.
void write_text_attribute(H5::H5Object& object, const std::string& name, const std::string& value);
// Throws ArchiveError "<file>: missing attribute '<name>'", or naming the
// file and HDF5's message when the attribute cannot be read as text.
std::string read_text_attribute(const H5::H5Object& object, const std::string& name, const std::string& file);

// Checks that `file` has the int64 attribute `attribute` equal to
// `expected`; throws ArchiveError "<file>: not a <what> (no <attribute>)"
// or "<file>: <what> layout version N, this build reads version M".
void check_layout(const H5::H5File& file, const std::string& attribute, std::int64_t expected, const std::string& path,
                  const std::string& what);

}  // namespace experiments
