#pragma once
// The 3FS software configuration a storage scenario chooses (published-figures ST05): chunk size,
// CRAQ chain length (replication), chain-table layout, and the client I/O path (FUSE or USRBIO).

#include <string>

#include "sim/spec_reader.h"

namespace fathom::models::storage {

enum class ClientIoPath { usrbio, fuse };

struct FilesystemSpec {
  Bytes chunk_size;         // files are striped over chains in chunks of this size
  int64_t replication = 3;  // CRAQ chain length: targets on distinct storage nodes
  std::string chain_table;  // layout of chains over targets; "rotating" (see chain_table.h)
  ClientIoPath io_path = ClientIoPath::usrbio;
  double fuse_ops_per_s = 0;    // per client node: the FUSE per-operation ceiling (ST05)
  double usrbio_ops_per_s = 0;  // per client node: the native zero-copy client's ceiling
  Bytes io_size;                // bytes per read or write operation of bulk jobs

  double ops_per_s() const { return io_path == ClientIoPath::fuse ? fuse_ops_per_s : usrbio_ops_per_s; }
};

// Reads the "filesystem" object of a storage scenario; `reader.finish()` is called.
FilesystemSpec read_filesystem_spec(const SpecReader& reader);

}  // namespace fathom::models::storage
