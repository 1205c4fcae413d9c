#include "tensorbridge/storage.h"

#include <cstdlib>
#include <new>

#include "tensorbridge/error.h"

namespace tb {

void Storage::free_owned(void*, void* data) { std::free(data); }

namespace {
// Small tensors keep their bytes in the same allocation as the Storage object.
constexpr size_t kInlineBytes = 64;
struct InlineStorage final : Storage {
  InlineStorage(size_t nbytes, Device device)
      : Storage(buf, nbytes, device, nullptr, nullptr, false) {}
  alignas(64) unsigned char buf[kInlineBytes];
};
}  // namespace

std::shared_ptr<Storage> Storage::allocate(size_t nbytes, Device device) {
  check_device_available(device);
  if (nbytes <= kInlineBytes) return std::make_shared<InlineStorage>(nbytes, device);
  constexpr size_t kAlign = 64;
  size_t rounded = (nbytes + kAlign - 1) / kAlign * kAlign;
  void* p = std::aligned_alloc(kAlign, rounded == 0 ? kAlign : rounded);
  if (!p)
    throw RuntimeError("DefaultCPUAllocator: not enough memory: you tried to allocate " +
                       std::to_string(nbytes) + " bytes.");
  return std::make_shared<Storage>(p, nbytes, device, &free_owned, nullptr, false);
}

std::shared_ptr<Storage> Storage::borrow(void* data, size_t nbytes, Device device, Deleter deleter,
                                         void* ctx, bool read_only) {
  return std::make_shared<Storage>(data, nbytes, device, deleter, ctx, read_only);
}

Storage::~Storage() {
  if (deleter_) deleter_(ctx_, data_);
}

}  // namespace tb
