// Storage: a block of bytes on a device. It either owns its memory or borrows memory kept alive by
// an owner (e.g. a NumPy array), released through a deleter that may run on any thread.
// It knows nothing of shape or dtype.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tensorbridge/device.h"

namespace tb {

// Counts in-place writes to data; shared by every view made from the same tensor, so that
// autograd can tell that a saved tensor was modified (torch's _version).
struct VersionCounter {
  std::atomic<uint32_t> value{0};
};

class Storage {
 public:
  // Called once with (ctx, data) when the storage dies; must be safe from any thread.
  using Deleter = void (*)(void* ctx, void* data);

  // Fresh, uninitialised, 64-byte aligned memory (nbytes may be 0).
  static std::shared_ptr<Storage> allocate(size_t nbytes, Device device = kCPU);
  // Borrowed memory: deleter(ctx, data) runs when the last reference goes away.
  static std::shared_ptr<Storage> borrow(void* data, size_t nbytes, Device device, Deleter deleter,
                                         void* ctx, bool read_only);

  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  const Device& device() const { return device_; }
  bool read_only() const { return read_only_; }
  // True when the memory is not borrowed from an outside owner.
  bool owns_memory() const { return ctx_ == nullptr; }
  // The version counter of the first tensor made over this storage; it lives in the same
  // allocation, so a fresh tensor costs no separate counter allocation (see Tensor's ctor).
  VersionCounter& initial_version() { return initial_version_; }

  Storage(void* data, size_t nbytes, Device device, Deleter deleter, void* ctx, bool read_only)
      : data_(data), nbytes_(nbytes), device_(device), deleter_(deleter), ctx_(ctx),
        read_only_(read_only) {}

 private:
  static void free_owned(void* ctx, void* data);

  void* data_;
  size_t nbytes_;
  Device device_;
  Deleter deleter_;
  void* ctx_;
  bool read_only_;
  VersionCounter initial_version_;
};

}  // namespace tb
