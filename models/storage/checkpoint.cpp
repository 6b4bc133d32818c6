#include "models/storage/checkpoint.h"

#include <stdexcept>

namespace fathom::models::storage {

CheckpointWrite checkpoint_write(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs, Bytes state,
                                 int64_t writers) {
  if (writers < 1) throw std::invalid_argument("checkpoint: at least one writer");
  CheckpointWrite w;
  w.rate = symmetric_write_rate(cluster, fs, writers);
  w.time = (state / static_cast<double>(writers)) / w.rate.per_client;
  const double r = static_cast<double>(fs.replication);
  w.ssd_bytes = state * r;
  w.network_bytes = state * r;
  return w;
}

}  // namespace fathom::models::storage
