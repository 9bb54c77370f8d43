#pragma once
// What the run archive and the checkpoints both need of HDF5: the error
// type that names the file, files in a checksummed format, fixed-length
// UTF-8 texts, scalar attributes, and the layout-version check every file
// of ours carries.
//
// Why checksums and no variable-length data: libhdf5 (1.10.8, Debian's)
// crashes, loops forever or allocates terabytes on some corrupt files of the
// default (1.6-compatible) format (found by tests/fuzz: overflows in
// H5O__msg_iterate_real and H5HG_read, an endless loop in H5HG_read). Our
// files are therefore written in the HDF5 1.8 format, where the superblock
// (version 2) and every object header carry a checksum libhdf5 checks
// before using them, and hold texts as fixed-length strings, so no global
// heap (which has no checksum) is ever read. A file without checksums is
// refused before libhdf5 parses it. (The 1.10 format would checksum chunk
// indexes too, but it marks a file open for writing in its superblock, and
// a run killed mid-write would leave its archive unopenable for resume.)

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

// Creates the HDF5 file `path` (H5F_ACC_EXCL: fails when it exists) or
// opens an existing one (`flags` H5F_ACC_RDONLY or H5F_ACC_RDWR), in the
// checksummed HDF5 1.8 format (H5F_LIBVER_V18 as both bounds). A read-only
// open takes no file lock: a reader (nas_report --live) may open a run
// another process is writing, and reads what that process has flushed (a
// read racing a flush can fail; the reader tries again). Throws
// H5::Exception as H5::H5File does.
H5::H5File create_checksummed_file(const std::string& path);
H5::H5File open_checksummed_file(const std::string& path, unsigned flags);

// Fixed-length UTF-8 strings of `bytes` bytes (at least 1), NUL-padded.
H5::StrType text_type(std::size_t bytes);
// The width a list of texts needs in text_type(): its longest text's bytes,
// at least 1. Throws std::invalid_argument for a text holding a NUL byte
// (NUL is the padding).
std::size_t text_width(const std::vector<std::string>& texts);
// `texts` as texts.size() x `width` bytes, each NUL-padded; `width` must be
// at least text_width(texts).
std::vector<char> pack_texts(const std::vector<std::string>& texts, std::size_t width);
// The texts of `count` x `width` packed bytes, each up to its first NUL.
std::vector<std::string> unpack_texts(const std::vector<char>& packed, std::size_t width);
// The memory type to read a dataset's or attribute's fixed-length strings
// with: text_type(its width) in its character set (ASCII texts of other
// writers read as they are). Throws ArchiveError naming `where` when its
// elements are not strings, are variable-length ones (a file of an earlier
// layout or another program), or are wider than 16 MiB.
H5::StrType fixed_text_type(const H5::AbstractDs& data, const std::string& where);
// The first `rows` texts of a dataset of fixed-length strings whose first
// dimension holds at least `rows` (checked by the caller, stored_extent).
// Throws ArchiveError as fixed_text_type does, H5::Exception when HDF5
// cannot read them.
std::vector<std::string> read_texts(const H5::DataSet& dataset, hsize_t rows, const std::string& where);

void write_int64_attribute(H5::H5Object& object, const std::string& name, std::int64_t value);
// Before opening an HDF5 file a user named: ArchiveError "PATH: no such
// WHAT" when it is missing, "PATH: not an HDF5 file (a torn or foreign
// WHAT?)" when it is something else, and "PATH: an HDF5 file without
// checksums ..." when its superblock is not at byte 0 or older than
// version 2 (a file of an earlier build or of another program), so that
// libhdf5 never parses unchecksummed metadata; HDF5's own error printing
// is off.
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
// needs (elements x element size).
std::vector<hsize_t> stored_extent(const H5::DataSet& dataset, const std::string& where, int rank = -1);

// Creates the attribute (a fixed-length text as wide as `value`), or
// replaces it where it exists. Throws std::invalid_argument for a value
// holding a NUL byte, H5::Exception when HDF5 cannot write.
void write_text_attribute(H5::H5Object& object, const std::string& name, const std::string& value);
// Throws ArchiveError "<file>: missing attribute '<name>'", or naming the
// file and HDF5's message when the attribute is not one fixed-length text
// or cannot be read.
std::string read_text_attribute(const H5::H5Object& object, const std::string& name, const std::string& file);

// Checks that `file` has the int64 attribute `attribute` equal to
// `expected`; throws ArchiveError "<file>: not a <what> (no <attribute>)"
// or "<file>: <what> layout version N, this build reads version M".
void check_layout(const H5::H5File& file, const std::string& attribute, std::int64_t expected, const std::string& path,
                  const std::string& what);

// The names of the links in `group`, in name order, listed in one pass
// (asking by index, as getObjnameByIdx does, rebuilds HDF5's table of a
// large group for every name: quadratic in a checkpoint's thousands of
// tensors). Throws H5::GroupIException when HDF5 cannot list them.
std::vector<std::string> link_names(const H5::Group& group);

// Runs `body`, turning HDF5 errors and table errors (std::runtime_error)
// into ArchiveErrors naming `path` ("<path>: unreadable run archive: ...").
template <class Body>
auto archive_errors(const std::string& path, Body body) -> decltype(body()) {
  try {
    return body();
  } catch (const ArchiveError&) {
    throw;
  } catch (const H5::Exception& e) {
    throw ArchiveError(path + ": unreadable run archive: " + e.getDetailMsg());
  } catch (const std::runtime_error& e) {
    throw ArchiveError(e.what());
  }
}

}  // namespace experiments
