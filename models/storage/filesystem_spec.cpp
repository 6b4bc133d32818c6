#include "models/storage/filesystem_spec.h"

namespace fathom::models::storage {

FilesystemSpec read_filesystem_spec(const SpecReader& r) {
  FilesystemSpec f;
  f.chunk_size = r.quantity_or<Bytes>("chunk_size", "4MiB", "a power of two within ST05's 64 KiB-64 MiB block sizes");
  r.positive("chunk_size", f.chunk_size.value());
  f.replication = r.at_least("replication", r.integer("replication"), 1);
  f.chain_table = r.choice_or("chain_table", {"rotating"}, "rotating", "the only layout fathom models");
  f.io_path = r.choice("client", {"usrbio", "fuse"}) == "fuse" ? ClientIoPath::fuse : ClientIoPath::usrbio;
  f.fuse_ops_per_s = r.positive("fuse_ops_per_s", r.number("fuse_ops_per_s"));
  f.usrbio_ops_per_s = r.positive("usrbio_ops_per_s", r.number("usrbio_ops_per_s"));
  f.io_size = r.quantity_or<Bytes>("io_size", "4MiB", "one chunk per operation for bulk reads and writes");
  r.positive("io_size", f.io_size.value());
  r.finish();
  return f;
}

}  // namespace fathom::models::storage
